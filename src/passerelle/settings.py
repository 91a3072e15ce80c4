"""Typed settings of a node: the only module that reads the environment.

Everything else receives a :class:`Settings` (or the part of it it needs) from ``app.py``
or the command line, so a node built with ``create_app(settings)`` behaves exactly as its
settings say, whatever the process environment holds.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from passerelle.durations import DAY, HOUR, MINUTE, SECOND, parse_duration
from passerelle.errors import BadInput

DEFAULT_DB_URL = "sqlite:///./passerelle.db"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# The longest declared purpose of access kept: the audit log's purpose column holds this.
PURPOSE_LENGTH = 200
# The header a request declares its purpose in (the remote command line sends it).
PURPOSE_HEADER = "X-Passerelle-Purpose"
# The header naming who the remote command line acts as (--user): the token must be theirs.
USER_HEADER = "X-Passerelle-User"
# The most restrictive handling of an exported bundle as a whole, in words.
HANDLING_HEADER = "X-Passerelle-Handling"


@dataclass(frozen=True)
class ExchangeSettings:
    """Default deadlines of the exchange workflow, in microseconds."""

    ack_within: int = 24 * HOUR
    outcome_within: int = 14 * DAY
    rfi_urgent_within: int = 8 * HOUR
    rfi_normal_within: int = 7 * DAY
    watch_warning: int = 7 * DAY

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ExchangeSettings:
        """Read the PASSERELLE_* deadline variables."""
        env = os.environ if env is None else env

        def duration(name: str, default: int) -> int:
            text = env.get(name)
            return parse_duration(text) if text else default

        return cls(
            ack_within=duration("PASSERELLE_ACK_WITHIN", cls.ack_within),
            outcome_within=duration("PASSERELLE_OUTCOME_WITHIN", cls.outcome_within),
            rfi_urgent_within=duration("PASSERELLE_RFI_URGENT_WITHIN", cls.rfi_urgent_within),
            rfi_normal_within=duration("PASSERELLE_RFI_NORMAL_WITHIN", cls.rfi_normal_within),
        )


@dataclass(frozen=True)
class AuditSettings:
    """Where the node's audit key is, and how failed logins are limited per source."""

    # The key file; "" for the default: next to a SQLite file, else in the working directory.
    key_file: str = ""
    # A source that fails to log in this many times within a window gets 429 until it ends.
    login_window: int = MINUTE
    login_failures: int = 20

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AuditSettings:
        """Read PASSERELLE_AUDIT_KEY_FILE, PASSERELLE_LOGIN_WINDOW, PASSERELLE_LOGIN_FAILURES."""
        env = os.environ if env is None else env
        window = env.get("PASSERELLE_LOGIN_WINDOW", "").strip()
        failures = env.get("PASSERELLE_LOGIN_FAILURES", "").strip()
        if failures and not (failures.isdigit() and 0 < int(failures) <= 1_000_000):
            raise BadInput(f"PASSERELLE_LOGIN_FAILURES is not a count: {failures[:20]!r}")
        return cls(
            key_file=env.get("PASSERELLE_AUDIT_KEY_FILE", "").strip(),
            login_window=parse_duration(window) if window else cls.login_window,
            login_failures=int(failures) if failures else cls.login_failures,
        )


@dataclass(frozen=True)
class WebSettings:
    """The web interface's sessions."""

    # A session unused for this long ends; the next page asks to sign in again.
    idle_timeout: int = 30 * MINUTE
    # A session ends this long after its sign-in, however busy.
    lifetime: int = 12 * HOUR

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebSettings:
        """Read PASSERELLE_WEB_IDLE_TIMEOUT and PASSERELLE_WEB_SESSION_LIFETIME."""
        env = os.environ if env is None else env
        idle = env.get("PASSERELLE_WEB_IDLE_TIMEOUT", "").strip()
        lifetime = env.get("PASSERELLE_WEB_SESSION_LIFETIME", "").strip()
        return cls(
            idle_timeout=parse_duration(idle) if idle else cls.idle_timeout,
            lifetime=parse_duration(lifetime) if lifetime else cls.lifetime,
        )


@dataclass(frozen=True)
class ClientSettings:
    """Who the command line acts as, and where: locally or against a running node."""

    user: str = ""
    purpose: str = ""
    url: str = ""
    token: str = field(default="", repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ClientSettings:
        """Read PASSERELLE_USER, PASSERELLE_PURPOSE, PASSERELLE_URL and PASSERELLE_TOKEN."""
        env = os.environ if env is None else env
        return cls(
            user=env.get("PASSERELLE_USER", "").strip(),
            purpose=env.get("PASSERELLE_PURPOSE", "").strip()[:PURPOSE_LENGTH],
            url=env.get("PASSERELLE_URL", "").strip(),
            token=env.get("PASSERELLE_TOKEN", "").strip(),
        )


SMTP_SECURITY = ("none", "starttls", "ssl")


@dataclass(frozen=True)
class NotifySettings:
    """How notices leave the node: the SMTP server, webhooks' bounds, retries, timing.

    The SMTP password is never stored here as text from the command line: it comes from a
    file (read at each sending, so it can be rotated) or from the variable that
    PASSERELLE_SMTP_PASSWORD_ENV names; neither is ever printed or logged.
    """

    # Interval of the delivery loop inside ``serve``, in microseconds (0: off).
    interval: int = 0
    # A deadline this close (or closer) is "near".
    deadline_near: int = 4 * HOUR
    smtp_host: str = ""  # "" : no e-mail is sent (those notices wait in the queue)
    smtp_port: int = 25
    smtp_from: str = ""
    smtp_security: str = "none"  # none, starttls or ssl (SMTPS)
    # CA certificates (PEM) the SMTP server's certificate is checked against; "": the
    # system's. Never a way to skip the check.
    smtp_ca_file: str = ""
    smtp_user: str = ""
    smtp_password_file: str = ""
    smtp_password: str = field(default="", repr=False)
    # Bound of one SMTP or webhook exchange, in seconds.
    timeout: float = 10.0
    # Tries before a notice is given up (failed); the first retry waits ``retry_after``,
    # each next one twice as long, never more than ``retry_cap``.
    max_attempts: int = 8
    retry_after: int = 30 * SECOND
    retry_cap: int = 6 * HOUR
    # Internal networks webhooks may call all the same (notify/destinations.py); none:
    # a webhook's host must resolve to global addresses only.
    webhook_allow: tuple[Network, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> NotifySettings:
        """Read the PASSERELLE_NOTIFY_* and PASSERELLE_SMTP_* variables."""
        env = os.environ if env is None else env
        security = env.get("PASSERELLE_SMTP_SECURITY", "none").strip().lower() or "none"
        if security not in SMTP_SECURITY:
            raise BadInput(
                f"PASSERELLE_SMTP_SECURITY is one of none, starttls, ssl: {security[:20]!r}"
            )
        port = env.get("PASSERELLE_SMTP_PORT", "").strip()
        if port and not (port.isdigit() and 0 < int(port) < 65536):
            raise BadInput(f"PASSERELLE_SMTP_PORT is not a port: {port[:20]!r}")
        near = env.get("PASSERELLE_NOTIFY_DEADLINE_NEAR", "").strip()
        reference = env.get("PASSERELLE_SMTP_PASSWORD_ENV", "").strip()
        return cls(
            interval=parse_interval(env.get("PASSERELLE_NOTIFY_INTERVAL", "30s")),
            deadline_near=parse_duration(near) if near else cls.deadline_near,
            smtp_host=env.get("PASSERELLE_SMTP_HOST", "").strip(),
            smtp_port=int(port) if port else {"ssl": 465, "starttls": 587}.get(security, 25),
            smtp_from=env.get("PASSERELLE_SMTP_FROM", "").strip(),
            smtp_security=security,
            smtp_ca_file=env.get("PASSERELLE_SMTP_CA_FILE", "").strip(),
            smtp_user=env.get("PASSERELLE_SMTP_USER", "").strip(),
            smtp_password_file=env.get("PASSERELLE_SMTP_PASSWORD_FILE", "").strip(),
            smtp_password=env.get(reference, "") if reference else "",
            webhook_allow=allowed_networks(env.get("PASSERELLE_WEBHOOK_ALLOW", "")),
        )


def allowed_networks(text: str) -> tuple[Network, ...]:
    """Parse ``PASSERELLE_WEBHOOK_ALLOW``: addresses or networks, comma-separated."""
    found = []
    for piece in (p.strip() for p in text.split(",")):
        if not piece:
            continue
        try:
            found.append(ipaddress.ip_network(piece, strict=False))
        except ValueError:
            raise BadInput(
                f"PASSERELLE_WEBHOOK_ALLOW: not an address or network: {piece[:60]!r} "
                "(say 10.20.0.0/16 or 127.0.0.1)"
            ) from None
    return tuple(found)


def parse_interval(text: str) -> int:
    """Parse the interval of the background sync loop (``30s``, ``5m``) into microseconds;
    ``0`` or nothing turns the loop off (0)."""
    text = text.strip()
    return 0 if text in ("", "0") else parse_duration(text)


@dataclass(frozen=True)
class Settings:
    """Everything a node needs to know to run; immutable once built."""

    db_url: str = DEFAULT_DB_URL
    # Largest body of a TAXII add-objects request, and of any other request.
    max_content_length: int = 10 * 1024 * 1024
    max_api_body_length: int = 1024 * 1024
    # The node's address as clients reach it (TAXII discovery lists its API root there);
    # "" for the address the server is bound to. Never taken from a request's Host header.
    public_url: str = ""
    default_page_size: int = 1000
    max_page_size: int = 10000
    title: str = "Passerelle"
    contact: str = ""
    # Region of phone numbers written without an international prefix (ISO 3166 code).
    phone_region: str = "FR"
    # A directory of the node's own alias files, read after the shipped ones ("" for none).
    aliases_dir: str = ""
    # Interval of the federation sync loop inside ``serve``, in microseconds (0: off).
    sync_interval: int = 0
    exchange: ExchangeSettings = field(default_factory=ExchangeSettings)
    audit: AuditSettings = field(default_factory=AuditSettings)
    client: ClientSettings = field(default_factory=ClientSettings)
    web: WebSettings = field(default_factory=WebSettings)
    notify: NotifySettings = field(default_factory=NotifySettings)

    @classmethod
    def from_env(cls, db_url: str | None = None, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from PASSERELLE_* environment variables, an explicit URL first."""
        env = os.environ if env is None else env
        return cls(
            db_url=db_url or env.get("PASSERELLE_DB") or DEFAULT_DB_URL,
            max_content_length=int(
                env.get("PASSERELLE_MAX_CONTENT_LENGTH", cls.max_content_length)
            ),
            max_api_body_length=int(
                env.get("PASSERELLE_MAX_API_BODY_LENGTH", cls.max_api_body_length)
            ),
            public_url=env.get("PASSERELLE_PUBLIC_URL", "").strip().rstrip("/"),
            title=env.get("PASSERELLE_TITLE", cls.title),
            contact=env.get("PASSERELLE_CONTACT", ""),
            phone_region=env.get("PASSERELLE_PHONE_REGION", cls.phone_region).strip().upper(),
            aliases_dir=env.get("PASSERELLE_ALIASES_DIR", "").strip(),
            sync_interval=parse_interval(env.get("PASSERELLE_SYNC_INTERVAL", "")),
            exchange=ExchangeSettings.from_env(env),
            audit=AuditSettings.from_env(env),
            client=ClientSettings.from_env(env),
            web=WebSettings.from_env(env),
            notify=NotifySettings.from_env(env),
        )

    def worker_environment(self) -> dict[str, str]:
        """Return the variables that give worker processes (``serve --workers``) these
        settings when they build theirs with :meth:`from_env`."""
        return {
            "PASSERELLE_DB": self.db_url,
            "PASSERELLE_MAX_CONTENT_LENGTH": str(self.max_content_length),
            "PASSERELLE_MAX_API_BODY_LENGTH": str(self.max_api_body_length),
            "PASSERELLE_PUBLIC_URL": self.public_url,
            "PASSERELLE_TITLE": self.title,
            "PASSERELLE_CONTACT": self.contact,
            "PASSERELLE_PHONE_REGION": self.phone_region,
            "PASSERELLE_ALIASES_DIR": self.aliases_dir,
            # The workers never sync: the process that starts them runs the one loop.
            "PASSERELLE_SYNC_INTERVAL": "0",
            "PASSERELLE_NOTIFY_INTERVAL": "0",
            "PASSERELLE_AUDIT_KEY_FILE": self.audit.key_file,
            "PASSERELLE_WEB_IDLE_TIMEOUT": f"{self.web.idle_timeout // SECOND}s",
            "PASSERELLE_WEB_SESSION_LIFETIME": f"{self.web.lifetime // SECOND}s",
        }
