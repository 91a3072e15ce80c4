"""How exchange commands reach the workflow: on the local database as ``--user``, or on a
running node through its REST API with ``--url`` and ``PASSERELLE_TOKEN``.

Both paths run the same operations under the same rules; only the transport differs.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import click
from pydantic import BaseModel

from passerelle.cli.root import Node, pass_node, user_option
from passerelle.core.context import Context
from passerelle.core.operations import Operation, jsonable
from passerelle.errors import BadInput, PasserelleError
from passerelle.http.auth import PURPOSE_HEADER

F = TypeVar("F", bound=Callable[..., Any])
_TIMEOUT = 30


class Client(Protocol):
    """Runs an operation for whoever the command acts as, returning plain JSON values."""

    def call(self, operation: Operation[Any], request: BaseModel) -> Any:
        """Run the operation and return its result as JSON values."""
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

    def call(self, operation: Operation[Any], request: BaseModel) -> Any:
        """Run the operation directly."""
        return jsonable(operation.run(self.context(), request))


class RemoteClient:
    """Calls a running node's REST API with a bearer token."""

    def __init__(self, url: str, token: str, purpose: str = "") -> None:
        self._base = url.rstrip("/")
        self._token = token
        self._purpose = purpose

    def call(self, operation: Operation[Any], request: BaseModel) -> Any:
        """Send the operation's request to its path and return the decoded answer."""
        values = request.model_dump(mode="json")
        path = operation.path
        for name in operation.path_fields:
            path = path.replace("{" + name + "}", urllib.parse.quote(str(values.pop(name)), ""))
        data: bytes | None = None
        if operation.method == "GET":
            query = {k: v for k, v in values.items() if v is not None and v != []}
            if query:
                path += "?" + urllib.parse.urlencode(query, doseq=True)
        else:
            data = json.dumps(values).encode()
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self._purpose:
            headers[PURPOSE_HEADER] = self._purpose
        http = urllib.request.Request(
            self._base + path, data=data, headers=headers, method=operation.method
        )
        try:
            with urllib.request.urlopen(http, timeout=_TIMEOUT) as answer:
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise PasserelleError(_error_text(exc)) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PasserelleError(f"cannot reach {self._base}: {reason}") from exc


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read())
        return str(body.get("description") or body)
    except (ValueError, AttributeError):
        return f"the node answered {exc.code} {exc.reason}"


def client_options(function: F) -> F:
    """Add ``--user`` and ``--url`` to an exchange command."""
    function = user_option(function)
    return click.option(
        "--url",
        help="Act on a running node through its REST API (default: PASSERELLE_URL; token "
        "in PASSERELLE_TOKEN).",
    )(function)


def make_client(node: Node, username: str | None, url: str | None) -> Client:
    """Choose the local database or a running node, as the command line asked."""
    url = url or node.settings.client.url
    if not url:
        return LocalClient(node, username)
    token = node.settings.client.token
    if not token:
        raise BadInput("--url needs your API token in the PASSERELLE_TOKEN variable")
    return RemoteClient(url, token, node.purpose)


__all__ = ["Client", "client_options", "make_client", "pass_node"]
