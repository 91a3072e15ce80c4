"""The administration's commands with ``--url``: an admin acts on a running node for their
own organisation, under the rules of ``/api/admin``; anybody else is refused in one line,
and the refusal is in the audit log."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from passerelle.audit import log as audit
from passerelle.cli import cli
from passerelle.policy import directory, passwords, register
from passerelle.policy.regions import phone_regions
from passerelle.policy.roles import Role
from passerelle.store.schema import channels
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
    ):
        one_line_refusal(remote(live_url, dora, *args), "your own organisation ('dgsi')")
    # Another organisation's membership or phone region is the operator's (over --url too).
    one_line_refusal(remote(live_url, dora, "channel", "member", "fr-ru", "fsb", "-"), "operator")
    one_line_refusal(
        remote(live_url, dora, "org", "set", "fsb", "--phone-region", "FR"), "only an admin of"
    )
    with world.database.read() as conn:
        assert directory.clients_of(conn, "fsb") == []
        assert "mole" not in {u["username"] for u in directory.list_users(conn)}
        assert phone_regions(conn).get("fsb", "") == ""
        fr_ru = register.find_channel(conn, "fr-ru", None)
        fsb = directory.find_organisation(conn, "fsb")
        assert register.membership_of(conn, fr_ru.id, fsb.id) is not None
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
    ("org", "set", "dgsi", "--phone-region", "FR"),
    ("user", "password", "alain", "--password", "a long enough phrase"),
    ("user", "link", "alain"),
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


def _operator_root(world: World) -> str:
    with world.database.write() as conn:
        ops = directory.add_organisation(conn, "ops")
        register.set_operator(conn, ops.id, True)
    return make_admin(world, "ops", "root")


def test_the_operator_sets_regions_adds_channels_and_members_over_url(
    world: World, live_url: str
) -> None:
    root = _operator_root(world)
    dora = make_admin(world, "dgsi", "dora")
    ok(remote(live_url, root, "org", "set", "fsb", "--phone-region", "RU"))
    ok(remote(live_url, dora, "org", "set", "dgsi", "--phone-region", "FR"))
    with world.database.read() as conn:
        assert (phone_regions(conn)["fsb"], phone_regions(conn)["dgsi"]) == ("RU", "FR")
    regions = entries(world, "admin.org-set")
    assert [(e.username, e.detail["organisation"], e.detail["after"]) for e in regions] == [
        ("root", "fsb", {"phone_region": "RU"}),
        ("dora", "dgsi", {"phone_region": "FR"}),
    ]
    assert regions[0].detail["before"] == {"phone_region": ""}
    added = ok(
        remote(
            live_url, root, "channel", "add", "trio", "--member", "dgsi:rw", "--member", "cert:r"
        )
    )
    collection = added.stdout.strip()
    ok(remote(live_url, root, "channel", "member", "trio", "fsb", "w"))
    with world.database.read() as conn:
        trio = register.find_channel(conn, "trio", None)
        rights = {
            m.org_name: register.rights_text(m) for m in directory.channel_members_of(conn, trio.id)
        }
    assert trio.collection_id == collection
    assert rights == {"dgsi": "rw", "cert": "r", "fsb": "w"}
    (made,) = entries(world, "admin.channel-add")
    assert (made.username, made.detail["after"]["members"]) == ("root", {"dgsi": "rw", "cert": "r"})
    (member,) = entries(world, "admin.channel-member")
    assert (member.username, member.detail["before"], member.detail["after"]) == (
        "root",
        {"rights": "-"},
        {"rights": "w"},
    )
    # A member named oddly is refused before anything is asked.
    odd = remote(live_url, root, "channel", "add", "odd", "--member", "dgsi")
    one_line_refusal(odd, "ORG:rw")


@pytest.mark.parametrize(
    ("args", "told"),
    [
        (("channel", "add", "backdoor", "--member", "dgsi:rw"), "operator"),
        # Its own organisation into a channel it is not in: that channel is not found.
        (("channel", "member", "private", "dgsi", "rw"), "no channel 'private'"),
        (("channel", "member", "fr-ru", "cert", "r"), "operator"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else "",
)
def test_only_the_operator_adds_channels_and_members_over_url(
    world: World, live_url: str, args: tuple[str, ...], told: str
) -> None:
    dora = make_admin(world, "dgsi", "dora")
    one_line_refusal(remote(live_url, dora, *args), told)
    one_line_refusal(remote(live_url, world.tokens["alice"], *args), "only")
    refused = entries(world, "admin.refused")
    assert [e.username for e in refused] == ["dora", "alice"]
    assert entries(world, "admin.channel-add") == entries(world, "admin.channel-member") == []
    with world.database.read() as conn:
        titles = set(conn.execute(select(channels.c.title)).scalars())
    assert titles == {"fr-ru", "community", "private", "dropbox"}


def test_passwords_and_sign_in_links_over_url(world: World, live_url: str) -> None:
    dora = make_admin(world, "dgsi", "dora")
    new, newer = "a long enough phrase", "another long phrase"
    ok(remote(live_url, dora, "user", "password", "alice", "--password", new))
    mine = ("user", "password", "alice", "--password", newer, "--old-password", new)
    ok(remote(live_url, world.tokens["alice"], *mine))
    wrong = ("user", "password", "alice", "--password", new, "--old-password", "wrong guess!")
    one_line_refusal(remote(live_url, world.tokens["alice"], *wrong), "not your current")
    with world.database.write() as conn:
        assert passwords.viewer_by_password(conn, "alice", newer) is not None
    link = ok(remote(live_url, dora, "user", "link", "alain", "--valid", "30m")).stdout.strip()
    assert link.startswith(f"{live_url}/signin/link/")
    (issued,) = entries(world, "admin.user-link")
    assert (issued.username, issued.detail["after"]) == ("dora", {"sign_in_link": "30m"})
    with world.database.read() as conn:
        logged = json.dumps([e.detail for e in audit.entries(conn)])
    for secret in (new, newer, link.rsplit("/", 1)[1]):
        assert secret not in logged
    # Another organisation's admin reaches neither.
    fred = make_admin(world, "fsb", "fred")
    one_line_refusal(remote(live_url, fred, "user", "link", "alain"))
    one_line_refusal(remote(live_url, fred, "user", "password", "alain", "--password", new))
