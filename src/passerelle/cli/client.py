"""How exchange commands reach the workflow: on the local database as ``--user``, or on a
running node through its REST API with ``--url`` and ``PASSERELLE_TOKEN``.

Both paths run the same operations under the same rules; only the transport differs.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import click

from passerelle.cli.root import Node, pass_node, user_option
from passerelle.core.catalogue import OPERATIONS
from passerelle.errors import BadInput, PasserelleError
from passerelle.settings import PURPOSE_HEADER, USER_HEADER

# urllib.request (with http.client and the email package) is imported by the first call
# to a node: a command on the local database never needs it.
if TYPE_CHECKING:
    import urllib.error
    import urllib.request

    from pydantic import BaseModel

    from passerelle.core.context import Context
    from passerelle.core.operations import Operation

F = TypeVar("F", bound=Callable[..., Any])
_TIMEOUT = 30


class Client(Protocol):
    """Runs an operation for whoever the command acts as, returning plain JSON values."""

    def call(self, name: str, values: dict[str, Any]) -> Any:
        """Run the operation NAME on a request of these values; return JSON values."""
        ...


class LocalClient:
    """Runs operations in this process on the node's database."""

    def __init__(self, node: Node, username: str | None) -> None:
        self._node = node
        self._username = username

    def context(self) -> Context:
        """Build the operation context for the acting user."""
        viewer = self._node.viewer(self._username)
        return self._node.context(viewer)

    def call(self, name: str, values: dict[str, Any]) -> Any:
        """Run the operation here (the registry imports the module that defines it)."""
        from passerelle.core.operations import REGISTRY, jsonable, perform

        operation = REGISTRY[name]
        request = _request(operation, values)
        return jsonable(perform(operation, self.context(), request))


def _request(operation: Operation[Any], values: dict[str, Any]) -> BaseModel:
    """Build the operation's request, or say in one line what is wrong with the values."""
    from pydantic import ValidationError

    try:
        request: BaseModel = operation.request.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        # A validator's own message, without pydantic's "Value error, " before it.
        reason = error.get("ctx", {}).get("error") or error["msg"]
        raise BadInput(f"{where}: {reason}") from exc
    return request


class RemoteClient:
    """Calls a running node's REST API with a bearer token."""

    def __init__(self, url: str, token: str, purpose: str = "", username: str = "") -> None:
        self._base = url.rstrip("/")
        self._token = token
        self._purpose = purpose
        self._username = username

    def call(self, name: str, values: dict[str, Any]) -> Any:
        """Send the request to the operation's path and return the decoded answer."""
        endpoint = OPERATIONS[name]
        values = dict(values)
        path = endpoint.path
        for field in endpoint.path_fields:
            path = path.replace("{" + field + "}", urllib.parse.quote(str(values.pop(field)), ""))
        data: bytes | None = None
        if endpoint.method == "GET":
            query = {k: v for k, v in values.items() if v is not None and v != []}
            if query:
                path += "?" + urllib.parse.urlencode(query, doseq=True)
        else:
            data = json.dumps(values).encode()
        return self._send(endpoint.method, path, data)

    def get(self, path: str, query: dict[str, Any]) -> Any:
        """GET a route that is no operation of the registry, with these query values."""
        kept = {k: v for k, v in query.items() if v is not None}
        return self._send("GET", path + ("?" + urllib.parse.urlencode(kept) if kept else ""), None)

    def post(self, path: str, values: dict[str, Any]) -> Any:
        """POST a JSON body to a route that is no operation of the registry."""
        return self._send("POST", path, json.dumps(values).encode())

    @property
    def base(self) -> str:
        """The node's address."""
        return self._base

    @contextmanager
    def stream(self, path: str, query: dict[str, Any]) -> Iterator[Any]:
        """GET a route whose answer is read as it comes (an export): yield the response."""
        kept = {k: v for k, v in query.items() if v is not None}
        http = self._request("GET", path + "?" + urllib.parse.urlencode(kept), None)
        with self._opened(http) as answer:
            yield answer

    def _send(self, method: str, path: str, data: bytes | None) -> Any:
        with self._opened(self._request(method, path, data)) as answer:
            return json.loads(answer.read() or b"null")

    @contextmanager
    def _opened(self, http: urllib.request.Request) -> Iterator[Any]:
        """Open the request; say in one line why the node refused or could not be reached."""
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(http, timeout=_TIMEOUT) as answer:
                yield answer
        except urllib.error.HTTPError as exc:
            raise PasserelleError(_error_text(exc)) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PasserelleError(f"cannot reach {self._base}: {_reason_text(reason)}") from exc

    def _request(self, method: str, path: str, data: bytes | None) -> urllib.request.Request:
        import urllib.request

        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self._purpose:
            headers[PURPOSE_HEADER] = self._purpose
        if self._username:
            # The node refuses the call unless the token is this user's (quoted: headers are
            # Latin-1, names are not).
            headers[USER_HEADER] = urllib.parse.quote(self._username, safe="")
        try:
            return urllib.request.Request(
                self._base + path, data=data, headers=headers, method=method
            )
        except ValueError as exc:
            raise BadInput(f"not a node address: {self._base} (say http://HOST:PORT)") from exc


def _reason_text(reason: object) -> str:
    """Say why a node could not be reached, without the errno or the exception's name."""
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason)


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read())
        return str(body.get("description") or body)
    except (ValueError, AttributeError):
        return f"the node answered {exc.code} {exc.reason}"


url_option = click.option(
    "--url",
    help="Act on a running node through its REST API (default: PASSERELLE_URL; token "
    "in PASSERELLE_TOKEN).",
)


def client_options(function: F) -> F:
    """Add ``--user`` and ``--url`` to an exchange command."""
    return url_option(user_option(function))


def make_client(node: Node, username: str | None, url: str | None) -> Client:
    """Choose the local database or a running node, as the command line asked."""
    url = url or node.settings.client.url
    if not url:
        return LocalClient(node, username)
    token = node.settings.client.token
    if not token:
        raise BadInput("--url needs your API token in the PASSERELLE_TOKEN variable")
    return RemoteClient(url, token, node.purpose, username or node.settings.client.user)


def remote_client(node: Node, username: str | None, url: str | None) -> RemoteClient | None:
    """Return the running node's client when the command line asked for one, else None."""
    client = make_client(node, username, url)
    return client if isinstance(client, RemoteClient) else None


__all__ = ["Client", "client_options", "make_client", "pass_node"]
