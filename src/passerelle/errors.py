"""Errors the core raises; the outer layers (HTTP, CLI) turn them into answers."""


class PasserelleError(Exception):
    """A failure that the user can understand and act on, with a one-line message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(PasserelleError):
    """The thing does not exist, or the requester may not know that it does."""


class Forbidden(PasserelleError):
    """The requester may see the thing but may not do this with it."""


class BadInput(PasserelleError):
    """The request itself is wrong: a malformed value, a missing argument."""


class Conflict(PasserelleError):
    """The request clashes with what is already stored."""
