"""The access matrix for the administration's REST endpoints (``/api/admin``), and for
producers' grants (``/api/grants``).

Every person of the matrix world (tests/access_world.py: an admin, analyst, liaison,
auditor and node account in each of producer, member, client and outsider) reads both
administration views, and attacks every organisation's users, clients and channels it is
not: only an admin of an organisation sees or changes anything, only of that
organisation, and each refusal is in the audit log. Expectations come from the world's
description, never from the code under test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from passerelle.audit.log import entries
from passerelle.policy import directory
from passerelle.policy.roles import Role
from passerelle.store.database import Database
from tests.access_world import (
    CHANNEL,
    OWN_CHANNEL,
    PEOPLE,
    Person,
    Probe,
    Relation,
    open_probe,
    sees,
)

ORGS = ("producer", "member", "client", "outsider")
# The channels each organisation is a member of, by the world's description.
CHANNELS_OF = {
    "producer": {CHANNEL},
    "member": {CHANNEL},
    "client": set(),
    "outsider": {OWN_CHANNEL},
}
# Every change an admin could ask for, aimed at someone else's user, client or channel.
VICTIM_CHANNEL = {
    "producer": OWN_CHANNEL,
    "member": OWN_CHANNEL,
    "client": CHANNEL,
    "outsider": CHANNEL,
}


@pytest.fixture
def probe(database: Database, database_url: str) -> Iterator[Probe]:
    with open_probe(database, database_url) as found:
        yield found


def _as(probe: Probe, person: Person) -> dict[str, str]:
    return {"Authorization": f"Bearer {probe.world.tokens[person.username]}"}


def _register(probe: Probe) -> Any:
    with probe.world.database.read() as conn:
        users = directory.list_users(conn)
        clients = {org: directory.clients_of(conn, org) for org in ORGS}
        members = {
            title: directory.channel_members_of(conn, channel.id)
            for title, channel in probe.world.channels.items()
        }
    return users, clients, members


def test_only_an_organisations_admins_read_its_administration(probe: Probe) -> None:
    wrong = []
    for person in PEOPLE:
        org = probe.client.get("/api/admin/organisation", headers=_as(probe, person))
        channels = probe.client.get("/api/admin/channels", headers=_as(probe, person))
        if person.role is not Role.ADMIN:
            if (org.status_code, channels.status_code) != (403, 403):
                wrong.append(f"{person}: {org.status_code} {channels.status_code}")
            continue
        users = {u["username"] for u in org.json()["users"]}
        expected = {p.username for p in PEOPLE if p.org == person.org}
        if org.json()["name"] != person.org or users != expected:
            wrong.append(f"{person}: organisation view {org.json()}")
        clients = org.json()["clients"]
        if clients != (["client"] if person.org == "member" else []):
            wrong.append(f"{person}: clients {clients}")
        titles = {c["title"] for c in channels.json()}
        if titles != CHANNELS_OF[person.org]:
            wrong.append(f"{person}: channels {titles}")
    assert wrong == []


def _attacks(probe: Probe, person: Person) -> list[tuple[str, dict[str, Any]]]:
    """The changes a person could ask for about another organisation: against the admin
    of each other organisation (one of them for a non-admin, who may change nothing)."""
    victims = [
        p.username
        for p in PEOPLE
        if p.org != person.org and p.role is Role.ADMIN and not p.username.endswith("-named")
    ]
    if person.role is not Role.ADMIN:
        victims = victims[:1]
    found: list[tuple[str, dict[str, Any]]] = []
    for victim in victims:
        base = f"/api/admin/users/{victim}"
        found += [
            (f"{base}/disable", {}),
            (f"{base}/enable", {}),
            (f"{base}/role", {"role": "admin"}),
            (f"{base}/token", {}),
            (f"{base}/password", {"password": "a long enough phrase"}),
            (f"{base}/password", {"password": "a long enough phrase", "old_password": "x"}),
            (f"{base}/link", {"valid": "1h"}),
        ]
    channel = VICTIM_CHANNEL[person.org]
    found += [
        (f"/api/admin/channels/{channel}/rename", {"title": "taken"}),
        (f"/api/admin/channels/{channel}/rights", {"rights": "r"}),
        ("/api/admin/organisation/clients/remove", {"client": "client"}),
    ]
    return found


def test_nobody_changes_another_organisation(probe: Probe) -> None:
    before = _register(probe)
    wrong = []
    asked = 0
    for person in PEOPLE:
        for path, body in _attacks(probe, person):
            if person.org == "member" and person.role is Role.ADMIN and "clients" in path:
                continue  # member's own client: its admin may withdraw it (not done here)
            answer = probe.client.post(path, json=body, headers=_as(probe, person))
            # Another's user or channel is not found; anything else is refused (an old
            # password for someone else's is bad input, refused before anything is read).
            allowed = {404} if "/users/" in path or "/channels/" in path else {403, 404}
            if "old_password" in body:
                allowed = {400}
            asked += 1
            if answer.status_code not in allowed:
                wrong.append(f"{person} {path}: {answer.status_code} {answer.text[:120]}")
    assert wrong == []
    assert _register(probe) == before
    with probe.world.database.read() as conn:
        refused = [e for e in entries(conn) if e.action == "admin.refused"]
    assert len(refused) == asked - sum(
        "old_password" in body for person in PEOPLE for _, body in _attacks(probe, person)
    )
    assert {e.username for e in refused} == {p.username for p in PEOPLE}


def _audit_reads(probe: Probe) -> list[str]:
    """Only auditors read the log over REST, and only their organisation's entries."""
    wrong = []
    for person in PEOPLE:
        shown = probe.client.get("/api/audit", headers=_as(probe, person))
        verified = probe.client.get("/api/audit/verify", headers=_as(probe, person))
        if person.role is not Role.AUDITOR:
            if (shown.status_code, verified.status_code) != (403, 403):
                wrong.append(f"{person}: audit {shown.status_code} {verified.status_code}")
            continue
        orgs = {row["organisation"] for row in shown.json()}
        if not orgs <= {person.org} or verified.json()["ok"] is not True:
            wrong.append(f"{person}: audit entries of {orgs}, {verified.json()}")
    return wrong


def test_grants_and_the_audit_log_over_rest(probe: Probe) -> None:
    wrong = _audit_reads(probe)
    for label in ("AMBER", "RED"):
        body = {"object_id": probe.world.id_of(label), "court": True}
        for person in PEOPLE:
            answer = probe.client.post("/api/grants", json=body, headers=_as(probe, person))
            if not sees(person, label):
                expected = 404  # as for an object that does not exist
            elif person.relation is Relation.PRODUCER and person.role in (
                Role.LIAISON,
                Role.ADMIN,
            ):
                expected = 200
            else:
                expected = 403
            if answer.status_code != expected:
                wrong.append(f"{person} {label}: {answer.status_code}, expected {expected}")
    assert wrong == []
    with probe.world.database.read() as conn:
        log = entries(conn)
    refused = [e for e in log if e.action == "grant-refused"]
    assert len(refused) == 2 * len(PEOPLE) - 4


def test_nobody_in_the_world_runs_the_node(probe: Probe) -> None:
    """The world has no operator organisation: every person, admins included, is refused
    the operator's routes with 403 (a channel or organisation is never reported missing),
    and a non-admin is refused its own organisation's phone region; each refusal audited."""
    before = _register(probe)
    with probe.world.database.read() as conn:
        names = {o.name for o in directory.list_organisations(conn)}
    operator_routes: list[tuple[str, dict[str, Any]]] = [
        ("/api/admin/organisations", {"name": "intruder", "operator": True}),
        ("/api/admin/channels", {"title": "backdoor", "members": {"outsider": "rw"}}),
        (f"/api/admin/channels/{CHANNEL}/members", {"organisation": "outsider", "rights": "r"}),
        (f"/api/admin/channels/{OWN_CHANNEL}/members", {"organisation": "member", "rights": "rw"}),
        ("/api/admin/channels/nowhere/members", {"organisation": "client", "rights": "r"}),
    ]
    wrong = []
    asked = 0
    for person in PEOPLE:
        routes = list(operator_routes)
        if person.role is not Role.ADMIN:
            routes.append(("/api/admin/organisation/region", {"phone_region": "FR"}))
        # Another organisation's phone region (named or not, existing or not).
        for other in ("producer", "outsider", "nowhere"):
            if other != person.org:
                body = {"phone_region": "FR", "organisation": other}
                routes.append(("/api/admin/organisation/region", body))
        for path, body in routes:
            answer = probe.client.post(path, json=body, headers=_as(probe, person))
            asked += 1
            if answer.status_code != 403:
                wrong.append(f"{person} {path}: {answer.status_code} {answer.text[:120]}")
    assert wrong == []
    assert _register(probe) == before
    with probe.world.database.read() as conn:
        assert {o.name for o in directory.list_organisations(conn)} == names
        refused = [e for e in entries(conn) if e.action == "admin.refused"]
    assert len(refused) == asked
    assert {e.username for e in refused} == {p.username for p in PEOPLE}
