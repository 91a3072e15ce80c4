"""The error of an object that breaks STIX 2.1, apart from the rules that find it: a
module that only handles the error (the objects layer's batches) then does not load the
whole of :mod:`passerelle.stix.validation`."""

from __future__ import annotations


class InvalidObject(ValueError):
    """An object that breaks STIX 2.1; `reason` is one line naming the property at fault."""

    reason: str

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
