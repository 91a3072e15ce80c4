"""``passerelle notify subscribe|unsubscribe|list``, locally and with ``--url``, and the
REST routes under them: each the caller's own, each audited, never a secret shown."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from fastapi.testclient import TestClient

from passerelle.audit.log import entries
from passerelle.cli import cli
from passerelle.cli.notify import KIND_CHOICES
from passerelle.notify import KINDS
from passerelle.settings import NotifySettings
from tests.cli_runner import Run
from tests.notify.receivers import SECRET
from tests.world import World

HOOK = "https://hooks.example/passerelle?token=not-for-the-log"


def secret_file(tmp_path: Path, text: str = SECRET) -> str:
    path = tmp_path / f"webhook-{len(text)}.secret"
    path.write_text(text + "\n")
    return str(path)


def actions(world: World, username: str) -> list[tuple[str, dict[str, object]]]:
    with world.database.read() as conn:
        return [
            (e.action, e.detail)
            for e in entries(conn, username=username)
            if e.action.startswith("notify")
        ]


def test_the_command_line_offers_every_kind() -> None:
    assert KIND_CHOICES == KINDS


def test_subscribe_list_unsubscribe_on_the_command_line(
    world: World, run: Run, tmp_path: Path
) -> None:
    made = run(
        "notify",
        "subscribe",
        "--kind",
        "tip-received",
        "--webhook",
        HOOK,
        "--secret-file",
        secret_file(tmp_path),
        user="boris",
    )
    assert made.exit_code == 0, made.output
    assert made.output.strip() == f"you will be told of tip-received by webhook at {HOOK}"
    mailed = run("notify", "subscribe", "--kind", "overdue", "--email", "b@fsb.test", user="boris")
    assert mailed.exit_code == 0, mailed.output
    listed = run("notify", "list", "--json", user="boris")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [(r["kind"], r["via"], r["address"]) for r in rows] == [
        ("overdue", "email", "b@fsb.test"),
        ("tip-received", "webhook", HOOK),
    ]
    assert SECRET not in listed.output
    # Another user sees none of boris's subscriptions.
    assert run("notify", "list", user="alice").output.strip() == "(none)"
    gone = run("notify", "unsubscribe", "--kind", "tip-received", user="boris")
    assert gone.exit_code == 0, gone.output
    assert gone.output.strip() == (
        "removed 1 subscription(s) to tip-received; 0 waiting notice(s) dropped"
    )
    log = actions(world, "boris")
    assert [action for action, _ in log] == [
        "notify-subscribe",
        "notify-subscribe",
        "notify-list",
        "notify-unsubscribe",
    ]
    assert log[0][1] == {"kind": "tip-received", "via": "webhook", "to": "https://hooks.example"}
    with world.database.read() as conn:
        text = json.dumps([e.as_dict() for e in entries(conn)])
    assert SECRET not in text
    assert "not-for-the-log" not in text


def test_bad_subscriptions_are_refused_in_one_line(world: World, run: Run, tmp_path: Path) -> None:
    cases = [
        (["--kind", "overdue"], "exactly one of --email ADDRESS or --webhook URL"),
        (["--kind", "overdue", "--email", "not-an-address"], "not an e-mail address"),
        (
            ["--kind", "overdue", "--webhook", "ftp://x/y", "--secret-file", secret_file(tmp_path)],
            "not a webhook URL",
        ),
        (["--kind", "overdue", "--webhook", HOOK], "a webhook needs --secret-file"),
        (
            [
                "--kind",
                "overdue",
                "--webhook",
                HOOK,
                "--secret-file",
                secret_file(tmp_path, "short"),
            ],
            "shorter than 16 characters",
        ),
        (
            ["--kind", "overdue", "--webhook", HOOK, "--secret-file", str(tmp_path / "none")],
            "cannot read the secret file",
        ),
    ]
    for args, message in cases:
        result = run("notify", "subscribe", *args, user="boris")
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    twice = ["notify", "subscribe", "--kind", "overdue", "--email", "b@fsb.test"]
    assert run(*twice, user="boris").exit_code == 0
    again = run(*twice, user="boris")
    assert again.exit_code != 0
    assert "already told of overdue" in again.output
    missing = run("notify", "unsubscribe", "--kind", "watch-hit", user="boris")
    assert missing.exit_code != 0
    assert "you are not told of watch-hit there" in missing.output


def remote(url: str, token: str, *args: str) -> Result:
    env = {"PASSERELLE_TOKEN": token, "PASSERELLE_USER": ""}
    return CliRunner().invoke(cli, [*args, "--url", url], env=env)


def test_subscriptions_over_the_rest_api_with_url(
    world: World, live_url: str, tmp_path: Path
) -> None:
    token = world.tokens["boris"]
    made = remote(
        live_url,
        token,
        "notify",
        "subscribe",
        "--kind",
        "rfi-received",
        "--webhook",
        HOOK,
        "--secret-file",
        secret_file(tmp_path),
    )
    assert made.exit_code == 0, made.output
    listed = remote(live_url, token, "notify", "list", "--json")
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.output)
    assert (row["kind"], row["via"], row["address"]) == ("rfi-received", "webhook", HOOK)
    gone = remote(live_url, token, "notify", "unsubscribe", "--kind", "rfi-received")
    assert gone.exit_code == 0, gone.output
    assert [a for a, _ in actions(world, "boris")] == [
        "notify-subscribe",
        "notify-list",
        "notify-unsubscribe",
    ]


def test_the_rest_routes_answer_for_the_caller_only(world: World, api: TestClient) -> None:
    boris = {"Authorization": f"Bearer {world.tokens['boris']}"}
    alice = {"Authorization": f"Bearer {world.tokens['alice']}"}
    path = "/api/notifications/subscriptions"
    made = api.post(path, json={"kind": "watch-hit", "email": "b@fsb.test"}, headers=boris)
    assert made.status_code == 201, made.text
    assert api.get(path, headers=alice).json() == []
    # alice cannot remove boris's subscription: there is none of hers to remove.
    refused = api.post(path + "/remove", json={"kind": "watch-hit"}, headers=alice)
    assert refused.status_code == 404
    assert [r["kind"] for r in api.get(path, headers=boris).json()] == ["watch-hit"]
    bad = api.post(path, json={"kind": "everything", "email": "b@fsb.test"}, headers=boris)
    assert bad.status_code == 400
    assert api.get(path).status_code == 401


def test_notification_settings_are_read_from_the_environment(tmp_path: Path) -> None:
    env = {
        "PASSERELLE_NOTIFY_INTERVAL": "2m",
        "PASSERELLE_NOTIFY_DEADLINE_NEAR": "6h",
        "PASSERELLE_SMTP_HOST": "mail.example",
        "PASSERELLE_SMTP_SECURITY": "starttls",
        "PASSERELLE_SMTP_FROM": "node@example",
        "PASSERELLE_SMTP_USER": "node",
        "PASSERELLE_SMTP_PASSWORD_ENV": "MAIL_PASSWORD",
        "MAIL_PASSWORD": "hunter2-never-shown",
    }
    read = NotifySettings.from_env(env)
    assert (read.interval, read.deadline_near) == (120_000_000, 6 * 3600_000_000)
    assert (read.smtp_host, read.smtp_port, read.smtp_security) == ("mail.example", 587, "starttls")
    assert read.smtp_password == "hunter2-never-shown"
    assert "hunter2" not in repr(read)
    assert NotifySettings.from_env({}).interval == 30_000_000
    assert NotifySettings.from_env({"PASSERELLE_SMTP_SECURITY": "ssl"}).smtp_port == 465
