"""The administration's commands with ``--url``: an admin acts on a running node for their
own organisation, under the rules of ``/api/admin``; anybody else is refused in one line,
and the refusal is in the audit log."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner, Result

from passerelle.audit import log as audit
from passerelle.cli import cli
from passerelle.policy import directory, register
from passerelle.policy.roles import Role
from tests.world import World


def remote(url: str, token: str, *args: str) -> Result:
    env = {"PASSERELLE_TOKEN": token, "PASSERELLE_USER": "", "PASSERELLE_DB": "unused://"}
    return CliRunner().invoke(cli, [*args, "--url", url], env=env)


def entries(world: World, action: str) -> list[audit.Entry]:
    with world.database.read() as conn:
        return [e for e in audit.entries(conn) if e.action == action]


def make_admin(world: World, org: str, username: str) -> str:
    with world.database.write() as conn:
        token = directory.add_user(conn, org, username, Role.ADMIN)
    world.tokens[username] = token
    return token


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def one_line_refusal(result: Result, *expected: str) -> None:
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    for text in expected:
        assert text in lines[0], lines[0]


def role_of(world: World, username: str) -> str:
    with world.database.read() as conn:
        return str(directory.viewer_by_name(conn, username).role.value)


def test_an_admin_manages_users_over_url(world: World, live_url: str) -> None:
    dora = make_admin(world, "dgsi", "dora")
    added = ok(remote(live_url, dora, "user", "add", "dgsi", "dina", "--role", "liaison"))
    token = added.stdout.strip().splitlines()[0]
    assert token.startswith("psl_")
    ok(remote(live_url, token, "tip", "inbox"))  # dina's token works at once
    ok(remote(live_url, dora, "user", "role", "alain", "auditor"))
    assert role_of(world, "alain") == "auditor"
    ok(remote(live_url, dora, "user", "disable", "alain"))
    one_line_refusal(remote(live_url, world.tokens["alain"], "tip", "inbox"))
    ok(remote(live_url, dora, "user", "enable", "alain"))
    ok(remote(live_url, world.tokens["alain"], "audit", "show"))
    rotated = ok(remote(live_url, dora, "user", "token", "alice")).stdout.strip()
    one_line_refusal(remote(live_url, world.tokens["alice"], "tip", "inbox"))
    ok(remote(live_url, rotated, "tip", "inbox"))
    listed = json.loads(ok(remote(live_url, dora, "user", "list", "--json")).stdout)
    assert {(u["username"], u["organisation"]) for u in listed} >= {
        ("dina", "dgsi"),
        ("alain", "dgsi"),
    }
    assert {u["organisation"] for u in listed} == {"dgsi"}
    actions = ("admin.user-add", "admin.user-role", "admin.user-disable", "admin.user-token")
    for action in actions:
        [entry] = entries(world, action)
        assert entry.username == "dora", action


def test_an_admin_manages_the_organisation_and_channels_over_url(
    world: World, live_url: str
) -> None:
    dora = make_admin(world, "dgsi", "dora")
    ok(remote(live_url, dora, "org", "client-add", "dgsi", "cert"))
    clients = json.loads(ok(remote(live_url, dora, "org", "clients", "dgsi", "--json")).stdout)
    assert clients == [{"client": "cert"}]
    ok(remote(live_url, dora, "org", "client-remove", "dgsi", "cert"))
    assert ok(remote(live_url, dora, "org", "clients", "dgsi")).stdout.strip() == "(none)"
    ok(remote(live_url, dora, "channel", "rename", "fr-ru", "--title", "bilateral"))
    listed = json.loads(ok(remote(live_url, dora, "channel", "list", "--json")).stdout)
    titles = {c["title"]: c["members"] for c in listed}
    assert titles == {
        "bilateral": "dgsi:rw, fsb:rw",
        "community": "cert:r, dgsi:rw",
        "dropbox": "cert:rw, dgsi:w",
    }
    ok(remote(live_url, dora, "channel", "member", "community", "dgsi", "r"))
    renamed = ok(remote(live_url, dora, "org", "rename", "dgsi", "DGSI-FR"))
    assert "'DGSI-FR'" in renamed.stdout
    [member] = entries(world, "admin.channel-member")
    assert (member.detail["before"], member.detail["after"]) == ({"rights": "rw"}, {"rights": "r"})
    assert len(entries(world, "admin.org-rename")) == 1


def test_over_url_an_admin_names_only_their_own_organisation(world: World, live_url: str) -> None:
    dora = make_admin(world, "dgsi", "dora")
    for args in (
        ("org", "client-add", "fsb", "dgsi"),
        ("user", "add", "fsb", "mole"),
        ("org", "rename", "fsb", "x"),
        ("channel", "member", "fr-ru", "fsb", "-"),
    ):
        one_line_refusal(remote(live_url, dora, *args), "your own organisation ('dgsi')")
    with world.database.read() as conn:
        assert directory.clients_of(conn, "fsb") == []
        assert "mole" not in {u["username"] for u in directory.list_users(conn)}
    # Raising one's own rights is the operator's, over --url too.
    one_line_refusal(remote(live_url, dora, "channel", "member", "dropbox", "dgsi", "rw"))


REFUSED_COMMANDS: list[tuple[str, ...]] = [
    ("user", "role", "alain", "admin"),
    ("user", "disable", "alain"),
    ("user", "token", "alain"),
    ("user", "add", "dgsi", "mole"),
    ("org", "client-add", "dgsi", "cert"),
    ("org", "rename", "dgsi", "x"),
    ("channel", "rename", "fr-ru", "--title", "x"),
    ("channel", "member", "community", "dgsi", "r"),
    ("channel", "list"),
    ("user", "list"),
]


@pytest.mark.parametrize("args", REFUSED_COMMANDS, ids=" ".join)
def test_a_non_admin_is_refused_over_url_and_the_refusal_is_audited(
    world: World, live_url: str, args: tuple[str, ...]
) -> None:
    before = len(entries(world, "admin.refused"))
    one_line_refusal(remote(live_url, world.tokens["alice"], *args), "only an admin of")
    refused = entries(world, "admin.refused")
    assert len(refused) == before + 1
    assert refused[-1].username == "alice"
    assert role_of(world, "alain") == "analyst"
    with world.database.read() as conn:
        assert directory.clients_of(conn, "dgsi") == []


def test_an_admin_of_one_organisation_cannot_reach_another_s_users(
    world: World, live_url: str
) -> None:
    dora = make_admin(world, "dgsi", "dora")
    answer: Any = remote(live_url, dora, "user", "disable", "boris")
    one_line_refusal(answer)
    ok(remote(live_url, world.tokens["boris"], "tip", "inbox"))


def test_only_the_operator_adds_an_organisation_over_url(world: World, live_url: str) -> None:
    with world.database.write() as conn:
        ops = directory.add_organisation(conn, "ops")
        register.set_operator(conn, ops.id, True)
    root = make_admin(world, "ops", "root")
    dora = make_admin(world, "dgsi", "dora")
    refused = remote(live_url, dora, "org", "add", "newcomer")
    one_line_refusal(refused, "operator")
    (entry,) = entries(world, "admin.refused")
    assert (entry.username, entry.detail["action"]) == ("dora", "admin.org-add")
    added = ok(remote(live_url, root, "org", "add", "newcomer"))
    assert "'newcomer' added" in added.output
    (done,) = entries(world, "admin.org-add")
    assert (done.username, done.detail["after"]) == ("root", {"operator": False})
