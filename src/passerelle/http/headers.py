"""Security headers on every answer of the node.

Every answer: the browser must not guess content types, frame the node, or send
referrers. API answers (JSON) are never cached and may load nothing at all. Web pages
(HTML) are never cached and may load scripts, styles and images from the node itself
only: no inline script or style, no other site, forms posted only to the node. The
documentation pages set their own Content-Security-Policy (:mod:`passerelle.http.docs`),
which is kept.
"""

from __future__ import annotations

from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS: Final = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
# An API answer is data, never a page: it may load, run or frame nothing.
API_POLICY: Final = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
PAGE_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class SecurityHeaders:
    """ASGI middleware adding the node's security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response as it starts."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                if "content-security-policy" not in headers:
                    page = headers.get("content-type", "").startswith("text/html")
                    headers["Content-Security-Policy"] = PAGE_POLICY if page else API_POLICY
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self._app(scope, receive, send_with_headers)
