"""How notices leave: SMTP with the standard library, webhooks with httpx2, each signed.

A webhook call is a POST of the notice's JSON with three headers:

- ``X-Passerelle-Timestamp``: the time of this attempt, in seconds since the epoch;
- ``X-Passerelle-Signature``: ``sha256=`` and the hex HMAC-SHA256, keyed with the
  subscription's secret, of the timestamp, a full stop, and the body's bytes;
- ``X-Passerelle-Delivery``: the notice's number (the same at every retry).

A receiver recomputes the signature over what it received and compares it in constant
time, refuses a timestamp more than five minutes from its own clock (a replayed call),
and treats a delivery number it has already seen as done. Any 2xx answer delivers the
notice; anything else (or no answer) is retried later.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import smtplib
import ssl
import urllib.parse
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path

import httpx2

from passerelle.errors import PasserelleError
from passerelle.notify.destinations import Refused, checked_address
from passerelle.settings import Network, NotifySettings

SIGNATURE_HEADER = "X-Passerelle-Signature"
TIMESTAMP_HEADER = "X-Passerelle-Timestamp"
DELIVERY_HEADER = "X-Passerelle-Delivery"
_PORTS = {"http": 80, "https": 443}


class NotDelivered(PasserelleError):
    """A notice could not be delivered this time (one line, never a secret)."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Return the signature header's value of a body sent at ``timestamp`` (seconds)."""
    material = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), material, hashlib.sha256).hexdigest()


def post_webhook(
    url: str,
    secret: str,
    delivery: int,
    body: bytes,
    timestamp: int,
    timeout: float,
    allow: Sequence[Network] = (),
) -> None:
    """POST a signed notice; raise :class:`NotDelivered` unless the receiver took it.

    The host must resolve to addresses a webhook may call (:mod:`.destinations`), and the
    call goes to the address checked."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        address = checked_address(host, parts.port or _PORTS.get(parts.scheme, 443), allow)
    except Refused as exc:
        raise NotDelivered(str(exc)) from exc
    except OSError as exc:
        raise NotDelivered(f"webhook unreachable: {host[:60]} does not resolve") from exc
    pinned = f"[{address}]" if ":" in address else address
    if parts.port:
        pinned += f":{parts.port}"
    headers = {
        "Host": parts.netloc.rpartition("@")[2],
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        DELIVERY_HEADER: str(delivery),
        "User-Agent": "Passerelle notifications",
    }
    target = urllib.parse.urlunsplit((parts.scheme, pinned, parts.path, parts.query, ""))
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    try:
        with httpx2.Client(timeout=timeout, trust_env=False, follow_redirects=False) as client:
            answer = client.post(target, content=body, headers=headers, extensions=extensions)
    except httpx2.HTTPError as exc:
        raise NotDelivered(f"webhook unreachable: {type(exc).__name__}") from exc
    if not 200 <= answer.status_code < 300:
        raise NotDelivered(f"webhook answered {answer.status_code}")


def smtp_password(settings: NotifySettings) -> str:
    """Return the SMTP password: the file's first line, else the referenced variable's."""
    if settings.smtp_password_file:
        try:
            return Path(settings.smtp_password_file).read_text().strip()
        except OSError as exc:
            raise NotDelivered("the SMTP password file cannot be read") from exc
    return settings.smtp_password


def send_email(settings: NotifySettings, message: EmailMessage) -> None:
    """Send one message through the node's SMTP server, as its settings say."""
    if not settings.smtp_host or not settings.smtp_from:
        raise NotDelivered("no SMTP server is set (PASSERELLE_SMTP_HOST, PASSERELLE_SMTP_FROM)")
    try:
        server = _connect(settings)
        try:
            if settings.smtp_user:
                server.login(settings.smtp_user, smtp_password(settings))
            server.send_message(message)
        finally:
            # A server that hung up after a refusal must not hide the refusal.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                server.quit()
    except (smtplib.SMTPException, OSError) as exc:
        # The exception's text may quote the server; its class says enough.
        raise NotDelivered(f"SMTP failed: {type(exc).__name__}") from exc


def _connect(settings: NotifySettings) -> smtplib.SMTP:
    """Open the connection, over TLS from the start (``ssl``) or upgraded before anything
    else is said (``starttls``: a server that does not offer it is a failure, never a
    fallback to plain text); the server's certificate and name are always checked."""
    if settings.smtp_security == "ssl":
        return smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            timeout=settings.timeout,
            context=_tls_context(settings),
        )
    server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout)
    if settings.smtp_security == "starttls":
        try:
            server.starttls(context=_tls_context(settings))
        except BaseException:
            server.close()  # the plain connection must not outlive a failed upgrade
            raise
    return server


def _tls_context(settings: NotifySettings) -> ssl.SSLContext:
    """Return the TLS context of the SMTP connection: the system's CAs, or the CA file."""
    try:
        return ssl.create_default_context(cafile=settings.smtp_ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        raise NotDelivered("the SMTP CA file (PASSERELLE_SMTP_CA_FILE) cannot be read") from exc
