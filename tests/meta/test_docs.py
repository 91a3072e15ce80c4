"""Every command and every setting is documented in the README."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from passerelle.cli import cli
from passerelle.settings import (
    AuditSettings,
    ClientSettings,
    ExchangeSettings,
    NotifySettings,
    Settings,
    WebSettings,
)

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def command_paths(group: click.Group, prefix: str = "passerelle") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            paths += command_paths(command, f"{prefix} {name}")
        else:
            paths.append(f"{prefix} {name}")
    return paths


def test_every_command_is_in_the_readme() -> None:
    missing = [path for path in command_paths(cli) if path.split(" ", 1)[1] not in README]
    assert missing == []


def test_every_setting_is_in_the_readme() -> None:
    env_names = {
        "db_url": "PASSERELLE_DB",
        "max_content_length": "PASSERELLE_MAX_CONTENT_LENGTH",
        "max_api_body_length": "PASSERELLE_MAX_API_BODY_LENGTH",
        "public_url": "PASSERELLE_PUBLIC_URL",
        "title": "PASSERELLE_TITLE",
        "contact": "PASSERELLE_CONTACT",
        "phone_region": "PASSERELLE_PHONE_REGION",
        "aliases_dir": "PASSERELLE_ALIASES_DIR",
        "sync_interval": "PASSERELLE_SYNC_INTERVAL",
    }
    configurable = {f.name for f in dataclasses.fields(Settings)} - {
        "default_page_size",
        "max_page_size",
        "exchange",
        "audit",
        "client",
        "web",
        "notify",
    }
    assert configurable == set(env_names)
    assert [name for name in env_names.values() if name not in README] == []


def test_every_web_setting_is_in_the_readme() -> None:
    assert {f.name for f in dataclasses.fields(WebSettings)} == {"idle_timeout", "lifetime"}
    assert "PASSERELLE_WEB_IDLE_TIMEOUT" in README
    assert "PASSERELLE_WEB_SESSION_LIFETIME" in README


def test_every_notify_setting_is_in_the_readme() -> None:
    env_names = {
        "interval": "PASSERELLE_NOTIFY_INTERVAL",
        "deadline_near": "PASSERELLE_NOTIFY_DEADLINE_NEAR",
        "smtp_host": "PASSERELLE_SMTP_HOST",
        "smtp_port": "PASSERELLE_SMTP_PORT",
        "smtp_from": "PASSERELLE_SMTP_FROM",
        "smtp_security": "PASSERELLE_SMTP_SECURITY",
        "smtp_ca_file": "PASSERELLE_SMTP_CA_FILE",
        "smtp_user": "PASSERELLE_SMTP_USER",
        "smtp_password_file": "PASSERELLE_SMTP_PASSWORD_FILE",
        "smtp_password": "PASSERELLE_SMTP_PASSWORD_ENV",
        "webhook_allow": "PASSERELLE_WEBHOOK_ALLOW",
    }
    fixed = {"timeout", "max_attempts", "retry_after", "retry_cap"}
    assert {f.name for f in dataclasses.fields(NotifySettings)} - fixed == set(env_names)
    assert [name for name in env_names.values() if name not in README] == []


def test_every_exchange_setting_is_in_the_readme() -> None:
    env_names = {
        "ack_within": "PASSERELLE_ACK_WITHIN",
        "outcome_within": "PASSERELLE_OUTCOME_WITHIN",
        "rfi_urgent_within": "PASSERELLE_RFI_URGENT_WITHIN",
        "rfi_normal_within": "PASSERELLE_RFI_NORMAL_WITHIN",
    }
    configurable = {f.name for f in dataclasses.fields(ExchangeSettings)} - {"watch_warning"}
    assert configurable == set(env_names)
    assert [name for name in env_names.values() if name not in README] == []


def test_every_audit_setting_is_in_the_readme() -> None:
    env_names = {
        "key_file": "PASSERELLE_AUDIT_KEY_FILE",
        "login_window": "PASSERELLE_LOGIN_WINDOW",
        "login_failures": "PASSERELLE_LOGIN_FAILURES",
    }
    assert {f.name for f in dataclasses.fields(AuditSettings)} == set(env_names)
    assert [name for name in env_names.values() if name not in README] == []
    read = AuditSettings.from_env(dict(zip(env_names.values(), (" k ", "90s", "7"), strict=True)))
    assert (read.key_file, read.login_window, read.login_failures) == ("k", 90_000_000, 7)


def test_every_client_setting_is_in_the_readme() -> None:
    env_names = {
        "user": "PASSERELLE_USER",
        "purpose": "PASSERELLE_PURPOSE",
        "url": "PASSERELLE_URL",
        "token": "PASSERELLE_TOKEN",
    }
    assert {f.name for f in dataclasses.fields(ClientSettings)} == set(env_names)
    assert [name for name in env_names.values() if name not in README] == []
    read = ClientSettings.from_env({name: f" {field} " for field, name in env_names.items()})
    assert (read.user, read.purpose, read.url, read.token) == ("user", "purpose", "url", "token")


def test_serve_options_are_in_the_readme() -> None:
    serve = cli.commands["serve"]
    for param in serve.params:
        # The flag as typed (--tls-cert), not the parameter's Python name (tls_cert).
        assert any(flag in README for flag in param.opts), param.opts
