"""The first thing every request meets, before routing, parsing or authentication.

- A body larger than the route's limit is refused from its Content-Length alone, and a
  body sent without one (chunked) is cut off as soon as it passes the limit: no request
  makes the node read, hold or parse more than that. TAXII's add-objects takes
  ``max_content_length``; every other route takes the much smaller
  ``max_api_body_length``, so that parsing one on the event loop stays short.
- A NUL character in the path or query string is refused: no identifier holds one, and
  PostgreSQL refuses it in text, which would otherwise answer 500.

Refusals are TAXII error messages, like every other failure of the node.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import unquote_to_bytes

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from passerelle.http.errors import error_response

TAXII_PREFIX: Final = "/taxii2/"


class RequestGuard:
    """ASGI middleware: size limits and NUL characters, checked before anything else."""

    def __init__(self, app: ASGIApp, taxii_limit: int, api_limit: int) -> None:
        self._app = app
        self._taxii_limit = taxii_limit
        self._api_limit = api_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse what must not reach the application; pass the rest on, capped."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = self._taxii_limit if path.startswith(TAXII_PREFIX) else self._api_limit
        refusal = _refusal(scope, limit)
        if refusal is not None:
            status, description = refusal
            await error_response(status, description)(scope, receive, send)
            return
        await self._app(scope, _capped(receive, limit), send)


def _refusal(scope: Scope, limit: int) -> tuple[int, str] | None:
    if "\x00" in scope.get("path", "") or _has_nul(scope.get("query_string", b"")):
        return 400, "the request holds a NUL character, which no identifier or value may hold"
    declared = _header(scope, b"content-length")
    if declared is not None:
        if not declared.isdigit() or len(declared) > 18:
            return 400, "Content-Length is not a number of bytes"
        if int(declared) > limit:
            return 413, f"the body exceeds this route's limit ({limit} bytes)"
    return None


def _has_nul(query: bytes) -> bool:
    return b"\x00" in unquote_to_bytes(query)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1").strip())
    return None


def _capped(receive: Receive, limit: int) -> Receive:
    """Wrap ``receive`` so that a body longer than ``limit`` stops being read."""
    received = 0

    async def receive_capped() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, f"the body exceeds this route's limit ({limit} bytes)")
        return message

    return receive_capped
