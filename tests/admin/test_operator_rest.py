"""The node operator's administration over REST (organisations, channels, members), and
an organisation's phone region set by its own admin: each runs the command line's
actions, with the same audit entries; anyone else is refused with 403 and an
``admin.refused`` entry, before anything is looked up."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from passerelle.audit import log as audit
from passerelle.policy import directory, register
from passerelle.policy.regions import phone_regions
from passerelle.policy.roles import Role
from tests.world import World


def _entries(world: World, action: str) -> list[audit.Entry]:
    with world.database.read() as conn:
        return [e for e in audit.entries(conn) if e.action == action]


def _operator(world: World) -> None:
    """Add the operator organisation ``ops`` with its admin ``root``, and dgsi's admin."""
    with world.database.write() as conn:
        ops = directory.add_organisation(conn, "ops")
        register.set_operator(conn, ops.id, True)
        world.tokens["root"] = directory.add_user(conn, "ops", "root", Role.ADMIN)
        world.tokens["dora"] = directory.add_user(conn, "dgsi", "dora", Role.ADMIN)
        world.tokens["fred"] = directory.add_user(conn, "fsb", "fred", Role.ADMIN)


def _post(api: TestClient, world: World, who: str, path: str, body: dict[str, Any]) -> Any:
    return api.post(path, json=body, headers={"Authorization": f"Bearer {world.tokens[who]}"})


ASKS: list[tuple[str, dict[str, Any]]] = [
    ("/api/admin/organisations", {"name": "newcomer"}),
    ("/api/admin/channels", {"title": "trio", "members": {"dgsi": "rw", "fsb": "r"}}),
    ("/api/admin/channels/fr-ru/members", {"organisation": "cert", "rights": "r"}),
]
ACTIONS = ["admin.org-add", "admin.channel-add", "admin.channel-member"]
REGION = "/api/admin/organisation/region"


def test_the_operator_runs_the_node_over_rest(api: TestClient, world: World) -> None:
    _operator(world)
    answers = [_post(api, world, "root", path, body) for path, body in ASKS]
    assert [a.status_code for a in answers] == [201, 201, 200]
    assert answers[1].json()["members"] == {"dgsi": "rw", "fsb": "r"}
    with world.database.read() as conn:
        assert directory.find_organisation(conn, "newcomer").name == "newcomer"
        trio = register.find_channel(conn, "trio", None)
        cert = directory.find_organisation(conn, "cert")
        fr_ru = register.find_channel(conn, "fr-ru", None)
        assert register.rights_text(register.membership_of(conn, fr_ru.id, cert.id)) == "r"
    assert trio.title == "trio"
    for action in ACTIONS:
        (entry,) = _entries(world, action)
        assert entry.username == "root"
    (member,) = _entries(world, "admin.channel-member")
    assert member.detail["before"] == {"rights": "-"}
    assert member.detail["after"] == {"rights": "r"}
    # A channel never defaults to TLP:RED (as on the command line); a bad level is refused.
    for tlp in ("red", "purple"):
        body = {"title": "red", "members": {"dgsi": "rw"}, "default_tlp": tlp}
        assert _post(api, world, "root", "/api/admin/channels", body).status_code == 400
    # Taking a member out is the operator's too.
    out = _post(api, world, "root", ASKS[2][0], {"organisation": "cert", "rights": "-"})
    assert out.status_code == 200
    with world.database.read() as conn:
        assert register.membership_of(conn, fr_ru.id, cert.id) is None


def test_nobody_else_runs_the_node_over_rest(api: TestClient, world: World) -> None:
    _operator(world)
    with world.database.read() as conn:
        before = (directory.list_users(conn), phone_regions(conn))
    # dgsi's admin (a non-operator organisation), fsb's admin, a plain user: all refused.
    wrong = []
    for who in ("dora", "fred", "alice", "boris"):
        for path, body in ASKS:
            answer = _post(api, world, who, path, body)
            if answer.status_code != 403:
                wrong.append(f"{who} {path}: {answer.status_code}")
    assert wrong == []
    # A channel or organisation that does not exist is refused alike: nothing is told.
    ghost = _post(api, world, "dora", "/api/admin/channels/ghost/members", ASKS[2][1])
    assert ghost.status_code == 403
    with world.database.read() as conn:
        assert (directory.list_users(conn), phone_regions(conn)) == before
        assert {o.name for o in directory.list_organisations(conn)} >= {"ops"}
        assert "newcomer" not in {o.name for o in directory.list_organisations(conn)}
    refused = _entries(world, "admin.refused")
    assert len(refused) == 4 * len(ASKS) + 1
    assert {e.detail["action"] for e in refused} == set(ACTIONS)
    assert {e.username for e in refused} == {"dora", "fred", "alice", "boris"}
    for action in ACTIONS:
        assert _entries(world, action) == []


def test_an_admin_sets_only_its_own_phone_region(api: TestClient, world: World) -> None:
    _operator(world)
    done = _post(api, world, "fred", REGION, {"phone_region": "RU"})
    assert done.status_code == 200
    assert done.json() == {"organisation": "fsb", "phone_region": "RU"}
    (entry,) = _entries(world, "admin.org-set")
    assert (entry.username, entry.detail["before"], entry.detail["after"]) == (
        "fred",
        {"phone_region": ""},
        {"phone_region": "RU"},
    )
    # A plain user may not; an admin names no other organisation, existing or not.
    assert _post(api, world, "boris", REGION, {"phone_region": "FR"}).status_code == 403
    for other in ("dgsi", "ghost"):
        body = {"phone_region": "FR", "organisation": other}
        assert _post(api, world, "fred", REGION, body).status_code == 403
    with world.database.read() as conn:
        assert phone_regions(conn)["fsb"] == "RU"
        assert phone_regions(conn).get("dgsi", "") == ""
    refused = _entries(world, "admin.refused")
    assert [e.username for e in refused] == ["boris", "fred", "fred"]
    assert {e.detail["action"] for e in refused} == {"admin.org-set"}


def test_the_operator_sets_any_organisations_phone_region(api: TestClient, world: World) -> None:
    _operator(world)
    shown = api.get(
        "/api/admin/organisation", headers={"Authorization": f"Bearer {world.tokens['root']}"}
    )
    assert shown.json()["runs_node"] is True
    other = api.get(
        "/api/admin/organisation", headers={"Authorization": f"Bearer {world.tokens['fred']}"}
    )
    assert other.json()["runs_node"] is False
    # An organisation without an admin of its own (a partner's): the operator sets it.
    done = _post(api, world, "root", REGION, {"phone_region": "DE", "organisation": "cert"})
    assert done.json() == {"organisation": "cert", "phone_region": "DE"}
    ghost = _post(api, world, "root", REGION, {"phone_region": "RU", "organisation": "ghost"})
    assert ghost.status_code == 404
    # One with its own admin (fsb: fred) governs itself, as on the command line.
    assert (
        _post(api, world, "root", REGION, {"phone_region": "RU", "organisation": "fsb"}).status_code
        == 403
    )
    with world.database.read() as conn:
        assert phone_regions(conn)["cert"] == "DE"
        assert phone_regions(conn).get("fsb", "") == ""
    (entry,) = _entries(world, "admin.org-set")
    assert (entry.username, entry.detail["organisation"]) == ("root", "cert")
    assert [e.detail["action"] for e in _entries(world, "admin.refused")] == ["admin.org-set"] * 2
