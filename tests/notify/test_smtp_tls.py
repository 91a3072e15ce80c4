"""E-mail notices over TLS, against a local aiosmtpd server with a certificate from a test
CA (trustme): STARTTLS and implicit TLS (SMTPS) deliver, log in only under TLS, and check
the server's certificate; nothing falls back to plain text."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
import trustme

from passerelle.notify.transport import NotDelivered, send_email
from passerelle.settings import NotifySettings
from tests.live_server import HOST
from tests.notify.receivers import SMTP_PASSWORD, SMTP_USER, Mailbox, start_smtp


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_context(ca: trustme.CA) -> ssl.SSLContext:
    """The SMTP server's TLS context: a certificate for 127.0.0.1 signed by the test CA."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST, "localhost").configure_cert(context)
    return context


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def password_file(tmp_path: Path) -> str:
    path = tmp_path / "smtp.password"
    path.write_text(SMTP_PASSWORD + "\n")
    return str(path)


def notice() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "node@passerelle.test"
    message["To"] = "boris@fsb.test"
    message["Subject"] = "A tip for you"
    message.set_content("Cell plans bombings of religious sites")
    return message


def settings_for(port: int, security: str, **more: str) -> NotifySettings:
    return NotifySettings(
        smtp_host=HOST,
        smtp_port=port,
        smtp_from="node@passerelle.test",
        smtp_security=security,
        timeout=10.0,
        **more,  # type: ignore[arg-type]
    )


@pytest.fixture
def starttls_server(server_context: ssl.SSLContext) -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    controller, port = start_smtp(mailbox, with_login=True, starttls=server_context)
    yield mailbox, port
    controller.stop()


@pytest.fixture
def smtps_server(server_context: ssl.SSLContext) -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    controller, port = start_smtp(mailbox, with_login=True, implicit_tls=server_context)
    yield mailbox, port
    controller.stop()


def test_starttls_delivers_and_logs_in_only_under_tls(
    starttls_server: tuple[Mailbox, int], ca_file: str, password_file: str
) -> None:
    mailbox, port = starttls_server
    settings = settings_for(
        port,
        "starttls",
        smtp_ca_file=ca_file,
        smtp_user=SMTP_USER,
        smtp_password_file=password_file,
    )
    send_email(settings, notice())
    assert mailbox.logins == [SMTP_USER]
    [received] = mailbox.messages
    assert received["Subject"] == "A tip for you"


def test_implicit_tls_delivers_and_logs_in(
    smtps_server: tuple[Mailbox, int], ca_file: str, password_file: str
) -> None:
    mailbox, port = smtps_server
    settings = settings_for(
        port, "ssl", smtp_ca_file=ca_file, smtp_user=SMTP_USER, smtp_password_file=password_file
    )
    send_email(settings, notice())
    assert mailbox.logins == [SMTP_USER]
    assert [m["To"] for m in mailbox.messages] == ["boris@fsb.test"]


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_a_certificate_from_an_unknown_ca_is_refused(
    starttls_server: tuple[Mailbox, int], smtps_server: tuple[Mailbox, int], security: str
) -> None:
    mailbox, port = starttls_server if security == "starttls" else smtps_server
    # No CA file: the system's CAs do not know the test CA.
    with pytest.raises(NotDelivered, match="SMTP failed: SSLCertVerificationError"):
        send_email(settings_for(port, security), notice())
    assert mailbox.messages == []
    assert mailbox.logins == []


def test_a_certificate_for_another_name_is_refused(
    ca: trustme.CA, ca_file: str, tmp_path: Path
) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("mail.elsewhere.test").configure_cert(context)
    mailbox = Mailbox()
    controller, port = start_smtp(mailbox, implicit_tls=context)
    try:
        with pytest.raises(NotDelivered, match="SMTP failed: SSLCertVerificationError"):
            send_email(settings_for(port, "ssl", smtp_ca_file=ca_file), notice())
    finally:
        controller.stop()
    assert mailbox.messages == []


def test_starttls_never_falls_back_to_plain_text(password_file: str, ca_file: str) -> None:
    mailbox = Mailbox()
    controller, port = start_smtp(mailbox, with_login=True)  # offers no STARTTLS
    try:
        settings = settings_for(
            port,
            "starttls",
            smtp_ca_file=ca_file,
            smtp_user=SMTP_USER,
            smtp_password_file=password_file,
        )
        with pytest.raises(NotDelivered, match="SMTP failed: SMTPNotSupportedError"):
            send_email(settings, notice())
    finally:
        controller.stop()
    assert mailbox.logins == []
    assert mailbox.messages == []


def test_a_server_that_requires_starttls_refuses_a_plain_sending(
    starttls_server: tuple[Mailbox, int],
) -> None:
    mailbox, port = starttls_server
    with pytest.raises(NotDelivered, match="SMTP failed"):
        send_email(settings_for(port, "none"), notice())
    assert mailbox.messages == []


def test_an_unreadable_ca_file_is_a_one_line_failure(
    starttls_server: tuple[Mailbox, int], tmp_path: Path
) -> None:
    _, port = starttls_server
    missing = str(tmp_path / "no-such-ca.pem")
    with pytest.raises(NotDelivered, match="PASSERELLE_SMTP_CA_FILE"):
        send_email(settings_for(port, "starttls", smtp_ca_file=missing), notice())


def test_the_ca_file_is_read_from_the_environment() -> None:
    settings = NotifySettings.from_env(
        {"PASSERELLE_SMTP_SECURITY": "ssl", "PASSERELLE_SMTP_CA_FILE": " /etc/relay-ca.pem "}
    )
    assert (settings.smtp_ca_file, settings.smtp_port) == ("/etc/relay-ca.pem", 465)
