"""Local servers that notices are delivered to in tests: an SMTP server (aiosmtpd) and a
webhook receiver (the standard library's HTTP server) that checks every signature."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import ssl
import threading
from collections import deque
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.live_server import HOST, free_port

SECRET = "a-webhook-secret-of-thirty-two-b"
# The receivers listen on loopback, which webhooks may not call unless the operator allows
# it (notify/destinations.py): the tests' node allows it, as an operator would allow a
# receiver of its own network.
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)
SMTP_USER = "notices"
SMTP_PASSWORD = "smtp-password-never-printed"


@dataclass
class Mailbox:
    """What the SMTP server received."""

    messages: list[Message] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        self.messages.append(message_from_bytes(content))
        return "250 OK"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == SMTP_USER
            and data.password.decode() == SMTP_PASSWORD
        )
        if ok:
            self.logins.append(SMTP_USER)
        return AuthResult(success=ok)


def start_smtp(
    mailbox: Mailbox,
    with_login: bool = False,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
) -> tuple[Controller, int]:
    """Start an SMTP server on a free port of 127.0.0.1; return it and its port.

    ``starttls``: the server offers STARTTLS with this context and refuses mail (and a
    login) before it; ``implicit_tls``: the server speaks TLS from the first byte (SMTPS).
    """
    port = free_port()
    extra: dict[str, Any] = {}
    if with_login:
        # Without TLS the login is allowed in clear (the plain tests); with it, only after.
        extra = {"authenticator": mailbox.authenticate, "auth_require_tls": bool(starttls)}
    if starttls is not None:
        extra |= {"tls_context": starttls, "require_starttls": True}
    if implicit_tls is not None:
        extra["ssl_context"] = implicit_tls
    controller = Controller(mailbox, hostname=HOST, port=port, **extra)
    controller.start()
    return controller, port


@dataclass
class Call:
    """One webhook call as received, and whether its signature was right."""

    headers: dict[str, str]
    body: bytes
    signed: bool


class Webhooks:
    """A webhook receiver: answers with the statuses queued (200 once they run out)."""

    def __init__(self, secret: str = SECRET) -> None:
        self.secret = secret
        self.calls: list[Call] = []
        self.statuses: deque[int] = deque()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.calls.append(Call(headers, body, receiver.verify(headers, body)))
                status = receiver.statuses.popleft() if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.url = f"http://{HOST}:{self.server.server_port}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def verify(self, headers: dict[str, str], body: bytes) -> bool:
        """Check a call's signature as a receiver would (constant-time comparison)."""
        timestamp = headers.get("x-passerelle-timestamp", "")
        material = timestamp.encode() + b"." + body
        expected = "sha256=" + hmac.new(self.secret.encode(), material, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, headers.get("x-passerelle-signature", ""))

    def reset(self) -> None:
        """Forget the calls and the queued statuses."""
        self.calls.clear()
        self.statuses.clear()

    def close(self) -> None:
        """Stop the receiver."""
        self.server.shutdown()
        self.server.server_close()
