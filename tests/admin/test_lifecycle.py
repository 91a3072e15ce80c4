"""The administration's lifecycle, on the command line and over REST: who may do what,
and the audit entry (who, what, before, after) every change and every refusal leaves."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from passerelle.audit import log as audit
from passerelle.policy import directory
from passerelle.policy.roles import Role
from passerelle.stix.timestamps import now_micros
from passerelle.web.sessions import Limits, resume_session, start_session
from tests.cli_runner import Run
from tests.world import World

LIMITS = Limits(idle_timeout=3_600_000_000, lifetime=86_400_000_000)


def entries(world: World, action: str) -> list[audit.Entry]:
    with world.database.read() as conn:
        return [e for e in audit.entries(conn) if e.action == action]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_admin(world: World, org: str, username: str) -> str:
    with world.database.write() as conn:
        token = directory.add_user(conn, org, username, Role.ADMIN)
    world.tokens[username] = token
    return token


def post(api: TestClient, world: World, who: str, path: str, body: Any = None) -> Any:
    return api.post(path, json=body or {}, headers=bearer(world.tokens[who]))


def test_the_bootstrap_then_only_admins(run: Run, world: World) -> None:
    # Bootstrap: no operator yet, the database file's holder sets the node up.
    assert run("org", "add", "ops", "--operator").exit_code == 0
    root = run("user", "add", "ops", "root", "--role", "admin")
    assert root.exit_code == 0
    # Now the node has an operator: nobody acts unnamed.
    unnamed = run("org", "add", "newcomer")
    assert unnamed.exit_code == 1
    assert "--user" in unnamed.output
    assert run("org", "add", "newcomer", "--user", "root").exit_code == 0
    # The operator sets up the first admin of an organisation that has none, then stops.
    assert run("user", "add", "dgsi", "dora", "--role", "admin", "--user", "root").exit_code == 0
    assert run("user", "add", "dgsi", "dan", "--user", "root").exit_code == 1
    assert run("user", "add", "dgsi", "dan", "--user", "dora").exit_code == 0
    # An organisation's admin is nobody elsewhere: not fsb's users, not fsb's settings.
    for attempt in (
        ("user", "disable", "boris", "--user", "dora"),
        ("user", "add", "fsb", "mole", "--user", "dora"),
        ("user", "token", "boris", "--user", "dora"),
        ("org", "client-add", "fsb", "dgsi", "--user", "dora"),
        ("org", "rename", "fsb", "FSB-2", "--user", "dora"),
        ("org", "set", "fsb", "--phone-region", "FR", "--user", "dora"),
        ("channel", "member", "fr-ru", "fsb", "r", "--user", "dora"),
        ("channel", "member", "private", "dgsi", "rw", "--user", "dora"),
        ("channel", "add", "mine", "--member", "fsb:rw", "--user", "dora"),
        ("user", "role", "boris", "admin", "--user", "alice"),
    ):
        refused = run(*attempt)
        assert refused.exit_code == 1, attempt
        assert "Traceback" not in refused.output
    assert run("user", "list", "--json").stdout.count('"boris"') == 1
    refusals = entries(world, "admin.refused")
    assert len(refusals) == 1 + 1 + 10  # the unnamed org add, dan by root, the attempts
    assert {e.username for e in refusals} >= {"(node operator)", "root", "dora", "alice"}
    assert all(e.detail["reason"] for e in refusals)
    added = entries(world, "admin.user-add")
    assert [(e.username, e.detail["user"]) for e in added] == [
        ("(node operator)", "root"),
        ("root", "dora"),
        ("dora", "dan"),
    ]
    assert added[1].detail["after"] == {"role": "admin", "purpose": ""}


def test_the_existing_register_commands_are_audited(run: Run, world: World) -> None:
    assert run("org", "add", "interpol").exit_code == 0
    assert run("user", "add", "interpol", "ivan").exit_code == 0
    assert run("user", "token", "ivan").exit_code == 0
    assert run("org", "client-add", "dgsi", "interpol").exit_code == 0
    created = run("channel", "add", "ops", "--member", "interpol:rw", "--member", "dgsi:r")
    assert created.exit_code == 0
    actions = ["admin.org-add", "admin.user-add", "admin.user-token", "admin.client-add"]
    for action in [*actions, "admin.channel-add"]:
        assert len(entries(world, action)) == 1, action
    channel = entries(world, "admin.channel-add")[0]
    assert channel.detail["after"]["members"] == {"interpol": "rw", "dgsi": "r"}
    assert channel.detail["channel"] == created.stdout.strip()


def test_disabling_stops_the_token_and_the_session_at_once(api: TestClient, world: World) -> None:
    make_admin(world, "dgsi", "dora")
    with world.database.write() as conn:
        session = start_session(conn, world.viewer("alice"), now_micros(), LIMITS)
    assert api.get("/api/tips/inbox", headers=bearer(world.tokens["alice"])).status_code == 200
    assert post(api, world, "dora", "/api/admin/users/alice/disable").status_code == 200
    assert api.get("/api/tips/inbox", headers=bearer(world.tokens["alice"])).status_code == 401
    with world.database.write() as conn:
        assert resume_session(conn, session, now_micros(), LIMITS) is None
    listed = api.get("/api/admin/organisation", headers=bearer(world.tokens["dora"])).json()
    assert {"username": "alice", "role": "liaison (disabled)"} in listed["users"]
    assert post(api, world, "dora", "/api/admin/users/alice/enable").status_code == 200
    assert api.get("/api/tips/inbox", headers=bearer(world.tokens["alice"])).status_code == 200
    [disabled] = entries(world, "admin.user-disable")
    assert (disabled.username, disabled.org_name) == ("dora", "dgsi")
    assert (disabled.detail["before"], disabled.detail["after"]) == (
        {"disabled": False},
        {"disabled": True},
    )
    # Nobody disables themself (nor gives up their own admin role).
    assert post(api, world, "dora", "/api/admin/users/dora/disable").status_code == 400


def test_roles_tokens_clients_and_names_over_rest(api: TestClient, world: World) -> None:
    make_admin(world, "dgsi", "dora")
    role = post(api, world, "dora", "/api/admin/users/alain/role", {"role": "auditor"})
    assert role.status_code == 200
    assert entries(world, "admin.user-role")[0].detail["before"] == {"role": "analyst"}
    old = world.tokens["alice"]
    rotated = post(api, world, "dora", "/api/admin/users/alice/token")
    assert rotated.status_code == 200
    assert api.get("/api/tips/inbox", headers=bearer(old)).status_code == 401
    new = rotated.json()["token"]
    assert api.get("/api/tips/inbox", headers=bearer(new)).status_code == 200
    added = post(api, world, "dora", "/api/admin/users", {"username": "dina", "role": "liaison"})
    assert added.status_code == 201
    assert added.json()["token"].startswith("psl_")
    clients = post(api, world, "dora", "/api/admin/organisation/clients", {"client": "cert"})
    assert clients.json()["clients"] == ["cert"]
    removed = post(api, world, "dora", "/api/admin/organisation/clients/remove", {"client": "cert"})
    assert removed.json()["clients"] == []
    renamed = post(api, world, "dora", "/api/admin/organisation/rename", {"name": "DGSI-FR"})
    assert renamed.json()["name"] == "DGSI-FR"
    with world.database.read() as conn:
        assert directory.find_organisation(conn, "DGSI-FR").id == world.viewer("alice").org_id
    [rename] = entries(world, "admin.org-rename")
    assert (rename.detail["before"], rename.detail["after"]) == (
        {"name": "dgsi"},
        {"name": "DGSI-FR"},
    )
    # A non-admin may do none of it, and the refusal is recorded.
    world.tokens["alice"] = new
    promote = post(api, world, "alice", "/api/admin/users/alain/role", {"role": "admin"})
    assert promote.status_code == 403
    assert api.get("/api/admin/organisation", headers=bearer(new)).status_code == 403
    assert len(entries(world, "admin.refused")) == 2


def test_channels_renamed_and_rights_only_lowered(api: TestClient, world: World, run: Run) -> None:
    make_admin(world, "dgsi", "dora")
    collection = world.collection("fr-ru")
    renamed = post(api, world, "dora", "/api/admin/channels/fr-ru/rename", {"title": "bilateral"})
    assert renamed.json() == {"channel": collection}
    listed = api.get("/api/admin/channels", headers=bearer(world.tokens["dora"])).json()
    titles = {c["title"]: c for c in listed}
    assert set(titles) == {"bilateral", "community", "dropbox"}
    assert titles["bilateral"]["collection_id"] == collection
    assert titles["bilateral"]["members"] == {"dgsi": "rw", "fsb": "rw"}
    # Raising dgsi's rights in dropbox (w only) is the operator's; lowering is dgsi's.
    raise_ = post(api, world, "dora", "/api/admin/channels/dropbox/rights", {"rights": "rw"})
    assert raise_.status_code == 403
    lower = post(api, world, "dora", "/api/admin/channels/community/rights", {"rights": "r"})
    assert lower.status_code == 200
    leave = post(api, world, "dora", "/api/admin/channels/bilateral/rights", {"rights": "-"})
    assert leave.status_code == 200
    members = [e.detail for e in entries(world, "admin.channel-member")]
    assert [(m["before"], m["after"]) for m in members] == [
        ({"rights": "rw"}, {"rights": "r"}),
        ({"rights": "rw"}, {"rights": "-"}),
    ]
    # Out of the channel, its admin no longer reaches it.
    gone = post(api, world, "dora", "/api/admin/channels/bilateral/rename", {"title": "x"})
    assert gone.status_code == 404
    # The operator (here the bootstrap) adds members back on the command line.
    assert run("channel", "member", "bilateral", "dgsi", "rw").exit_code == 0
    assert run("channel", "rename", "bilateral", "--alias", "").exit_code == 0
    listed = json_of(run("channel", "list", "--json").stdout)
    assert {c["title"]: c["members"] for c in listed}["bilateral"] == "dgsi:rw, fsb:rw"


def json_of(text: str) -> Any:
    import json

    return json.loads(text)


def test_passwords_and_links_on_the_command_line(run: Run, world: World) -> None:
    make_admin(world, "dgsi", "dora")
    make_admin(world, "fsb", "fred")
    new, newer = "a long enough phrase", "another long phrase"
    assert run("user", "password", "alice", "--password", new, user="dora").exit_code == 0
    mine = ("user", "password", "alice", "--password", newer, "--old-password", new)
    assert run(*mine, user="alice").exit_code == 0
    # The current password proves nothing for someone else; a wrong one is refused.
    for who in ("dora", "alice"):
        wrong = ("user", "password", "alice", "--password", new, "--old-password", "wrong one!")
        refused = run(*wrong, user=who)
        assert refused.exit_code == 1
        assert len(refused.output.strip().splitlines()) == 1
    # Another organisation's admin, a plain user on someone else: refused, audited.
    for who, target in (("fred", "alain"), ("alice", "alain")):
        assert run("user", "password", target, "--password", new, user=who).exit_code == 1
        assert run("user", "link", target, user=who).exit_code == 1
    linked = run("user", "link", "alain", "--valid", "1h", user="dora")
    assert linked.exit_code == 0
    token = linked.stdout.strip().rsplit("/", 1)[1]
    done = entries(world, "admin.user-password")
    assert [(e.username, e.detail.get("by")) for e in done] == [
        ("dora", None),
        ("alice", "themself"),
    ]
    refusals = [(e.username, e.detail["action"]) for e in entries(world, "admin.refused")]
    assert refusals == [
        ("alice", "admin.user-password"),
        ("fred", "admin.user-password"),
        ("fred", "admin.user-link"),
        ("alice", "admin.user-password"),
        ("alice", "admin.user-link"),
    ]
    with world.database.read() as conn:
        logged = str([e.detail for e in audit.entries(conn)])
    for secret in (new, newer, "wrong one!", token):
        assert secret not in logged
