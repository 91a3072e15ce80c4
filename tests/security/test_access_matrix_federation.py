"""The access matrix for what leaves the node: every organisation of the matrix world as a
peer's organisation, every marked object and version, against the rules by hand.

A peer speaks for the producer; what may leave for it is what its organisation may see
(:func:`tests.access_world.sees` for a person of it who is no named recipient), except
TLP:RED, which leaves only when every named recipient is a user of the peer's
organisation (in this world they all belong to ``member``).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from passerelle.admin.erasure import ErasureRequest
from passerelle.core.context import Context
from passerelle.core.operations import REGISTRY, perform
from passerelle.errors import Forbidden
from passerelle.federation import outbox
from passerelle.federation.lookups import FederatedLookup
from passerelle.federation.peers import add_peer, audience, link_peer
from passerelle.federation.retraction import ERASE
from passerelle.objects.queries import ObjectFilter, object_entries
from passerelle.objects.removal import remove_from_channel
from passerelle.policy.departure import (
    PeerAudience,
    defaulted_refusal,
    departure_refusal,
    departure_refusals,
)
from passerelle.policy.directory import find_organisation
from passerelle.policy.erasure import ERASERS
from passerelle.policy.roles import Role
from passerelle.stix.markings import FORWARDING, HANDLING_EXTENSION_ID, Tlp
from passerelle.stix.timestamps import version_key
from passerelle.store.database import Database
from passerelle.store.federation_tables import federation_ledger, federation_retractions, peers
from passerelle.store.schema import audit_log
from tests.access_world import (
    CHANNEL,
    LABELS,
    MARKINGS,
    NAMED_RECIPIENTS,
    PEOPLE,
    PERSON,
    VERSIONS,
    AccessWorld,
    Person,
    Probe,
    Relation,
    build,
    handling,
    marked_indicator,
    open_probe,
    sees,
)
from tests.stixgen import T0, stix_id
from tests.web.support import session_client
from tests.world import NODE_HOOKS, NODE_KEYS

PEER_ORGS = ("member", "client", "outsider")


def may_leave(org: str, label: str) -> bool:
    """The rules by hand: TLP audience of the matrix channel for the whole organisation;
    an object whose TLP the channel's default gave here never leaves as such (its producer
    must set one: docs/federation.md, "A TLP defaulted here")."""
    marked = MARKINGS[label]
    if marked is None:
        return False
    tlp = marked
    if org == "member":
        return True  # a reading member; RED names only users of member
    if org == "client":
        return tlp <= Tlp.AMBER
    return False


def test_what_may_leave_for_each_organisation_follows_the_rules(database: Database) -> None:
    world = build(database)
    channel = world.channels[CHANNEL]
    wrong = []
    with database.read() as conn:
        producer = find_organisation(conn, "producer").id
        for org in PEER_ORGS:
            found = find_organisation(conn, org)
            peer = PeerAudience(found.id, found.name, producer, frozenset({channel.id}))
            keys = [(label, (world.id_of(label), version_key(stamp)))
                    for label in LABELS for stamp in VERSIONS.values()]  # fmt: skip
            # A push decides a batch at once: each version as it would be decided alone.
            batch = departure_refusals(conn, peer, channel.id, [key for _l, key in keys])
            for label, key in keys:
                reason = departure_refusal(conn, peer, channel.id, *key)
                if (reason == "") != may_leave(org, label):
                    wrong.append(f"{org} {label} {key[1]}: {reason or 'leaves'}")
                if batch[key] != reason:
                    wrong.append(f"{org} {label} {key[1]}: batch {batch[key]!r} != {reason!r}")
            if org == "member":
                # The producer is told what to do: set the TLP in a new version.
                unmarked = departure_refusal(conn, peer, channel.id, world.id_of("unmarked"),
                                             version_key(VERSIONS["v2"]))  # fmt: skip
                assert unmarked == defaulted_refusal(Tlp.AMBER)
                assert "object_marking_refs" in unmarked
            other = PeerAudience(
                found.id, found.name, found.id, frozenset({channel.id}), speaks_for=found.name
            )
            # A peer account that speaks for another organisation than the producer's
            # takes nothing of it.
            assert all(
                departure_refusal(conn, other, channel.id, world.id_of(label), version_key(s))
                for label in LABELS
                for s in VERSIONS.values()
            )
    assert wrong == []


def _forwarder(org: str) -> str:
    """The organisation whose node forwards the producer's objects to a peer of ``org``."""
    return "member" if org == "outsider" else "outsider"


def _forwarding_reasons(world: AccessWorld, stamp: str) -> dict[tuple[str, str], str]:
    """Why each matrix object may not be forwarded to a peer of each organisation by the
    node of another organisation ('' when it may)."""
    channel = world.channels[CHANNEL]
    found = {}
    with world.database.read() as conn:
        for org in PEER_ORGS:
            peer_org, by = find_organisation(conn, org), find_organisation(conn, _forwarder(org))
            peer = PeerAudience(peer_org.id, org, by.id, frozenset({channel.id}), by.name)
            for label in LABELS:
                found[(org, label)] = departure_refusal(
                    conn, peer, channel.id, world.id_of(label), version_key(stamp)
                )
    return found


def test_a_forwarded_object_leaves_only_with_its_producers_grant(database: Database) -> None:
    world = build(database)
    # Without a grant, nothing of the producer's leaves through another organisation's node.
    for stamp in VERSIONS.values():
        assert all(_forwarding_reasons(world, stamp).values())
    # A new version of each object granting each forwarder its peer: what the peer's
    # organisation may see leaves, except TLP:AMBER+STRICT (never forwarded).
    later = "2026-03-01T00:00:00.000Z"
    grants = [{"by": _forwarder(org), "to": org} for org in PEER_ORGS]
    newer = []
    for label in LABELS:
        obj = copy.deepcopy(world.latest(label))
        obj["modified"] = later
        extensions = obj.setdefault("extensions", {})
        handling = extensions.setdefault(HANDLING_EXTENSION_ID, {})
        handling.update({"extension_type": "property-extension", FORWARDING: grants})
        newer.append(obj)
    assert not world.post("producer-liaison", newer).failures
    wrong = [
        f"{org} {label}: {reason or 'leaves'}"
        for (org, label), reason in _forwarding_reasons(world, later).items()
        if (reason == "") != (may_leave(org, label) and MARKINGS[label] is not Tlp.AMBER_STRICT)
    ]
    assert wrong == []
    # The earlier versions carry no grant: still nothing of them.
    assert all(_forwarding_reasons(world, VERSIONS["v2"]).values())


def test_a_batch_is_decided_as_each_version_alone(database: Database) -> None:
    """``departure_refusals`` (push decides a whole batch at once, the common case in one
    query) says, for every organisation, marked object and version of the matrix, and for a
    peer account speaking for another organisation, exactly what ``departure_refusal`` says
    of that version alone."""
    world = build(database)
    channel = world.channels[CHANNEL]
    keys = [
        (world.id_of(label), version_key(stamp)) for label in LABELS for stamp in VERSIONS.values()
    ]
    with database.read() as conn:
        producer = find_organisation(conn, "producer").id
        for org in PEER_ORGS:
            found = find_organisation(conn, org)
            for speaks_for in (producer, found.id):
                peer = PeerAudience(found.id, found.name, speaks_for, frozenset({channel.id}))
                alone = {key: departure_refusal(conn, peer, channel.id, *key) for key in keys}
                assert departure_refusals(conn, peer, channel.id, keys) == alone
                if org == "member" and speaks_for == producer:
                    assert sum(not reason for reason in alone.values()) >= len(LABELS)


def _peers_with_ledger(world: AccessWorld, token_file: Path) -> dict[str, set[tuple[str, str]]]:
    """Register a peer of each organisation, linked to the matrix channel for push, and
    write in the ledger that it accepted every version the rules let leave for it; return
    what each received (stix_id, version)."""
    channel = world.channels[CHANNEL]
    got: dict[str, set[tuple[str, str]]] = {}
    with world.database.write() as conn:
        for org in PEER_ORGS:
            peer = add_peer(conn, f"{org}-peer", "http://127.0.0.1:9/taxii2/root/", org,
                            "producer", str(token_file), None, 1)  # fmt: skip
            link = link_peer(conn, peer.name, CHANNEL, "far", True, False, 1)
            rules = audience(conn, peer)
            got[org] = set()
            for label in LABELS:
                for stamp in VERSIONS.values():
                    key = (world.id_of(label), version_key(stamp))
                    if departure_refusal(conn, rules, channel.id, *key):
                        continue
                    got[org].add(key)
                    said = {"sent_at": 1, "status_id": "s", "result": "accepted"}
                    row = {"peer_id": peer.id, "link_id": link.id, **said}
                    conn.execute(
                        federation_ledger.insert().values(stix_id=key[0], version=key[1], **row)
                    )
    return got


def _owed(database: Database, kind: str) -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = {org: set() for org in PEER_ORGS}
    owed = federation_retractions.c
    with database.read() as conn:
        rows = conn.execute(
            select(
                peers.c.name, federation_retractions.c.stix_id, federation_retractions.c.versions
            )
            .join(peers, peers.c.id == owed.peer_id)
            .where(owed.kind == kind)
        )
        for name, stix_id, versions in rows:
            for version in versions.split(","):
                found[name.removesuffix("-peer")].add((stix_id, version))
    return found


def test_a_retraction_is_owed_only_to_a_peer_that_received_the_object(
    database: Database, tmp_path: Path
) -> None:
    world = build(database)
    token_file = tmp_path / "token"
    token_file.write_text("t\n")
    received = _peers_with_ledger(world, token_file)
    assert received["member"]
    assert received["client"]
    assert not received["outsider"]
    # A copy another organisation keeps (it cannot see the RED object) owes nothing.
    copied = world.post("member-liaison", [world.latest("RED")])
    assert not copied.failures
    assert _owed(database, "rectify") == {org: set() for org in PEER_ORGS}
    # A rectification of every object: owed to whoever received an earlier version.
    newer = [{**world.latest(label), "modified": "2026-03-01T00:00:00.000Z"} for label in LABELS]
    assert not world.post("producer-liaison", newer).failures
    rectified = _owed(database, "rectify")
    for org in PEER_ORGS:
        assert {i for i, _v in rectified[org]} == {i for i, _v in received[org]}, org
    # Every version taken out of the channel: an erasure of exactly what each received.
    channel = world.channels[CHANNEL]
    producer = world.viewer("producer-liaison")
    with database.write() as conn:
        entries = object_entries(conn, producer, channel, ObjectFilter(versions=("all",)))
        remove_from_channel(conn, NODE_HOOKS, producer, channel, entries, 2)
    assert _owed(database, ERASE) == received


def test_only_the_producers_node_may_erase_and_then_nobody_reads_it(
    database: Database, database_url: str
) -> None:
    with open_probe(database, database_url) as probe:
        for person in PEOPLE:
            if person.role is not Role.NODE or person.relation is Relation.PRODUCER:
                continue
            for label in LABELS:
                answer = probe.taxii(person).delete(probe.objects_url(label))
                expected = 403 if sees(person, label) else 404  # seen: refused; unseen: absent
                assert answer.status_code == expected, (person, label, answer.text)
        producer_node = next(
            p for p in PEOPLE if p.role is Role.NODE and p.relation is Relation.PRODUCER
        )
        for label in LABELS:
            assert probe.taxii(producer_node).delete(probe.objects_url(label)).status_code == 200
        erased = {probe.world.id_of(label) for label in LABELS}
        for person in (p for p in PEOPLE if p.role is Role.LIAISON):
            answer = probe.taxii(person).get(probe.objects_url(), {"match[version]": "all"})
            listed = answer.json().get("objects", []) if answer.status_code == 200 else []
            assert answer.status_code in (200, 404), (person, answer.text)
            assert erased.isdisjoint(o["id"] for o in listed), person
        for label in LABELS:
            answer = probe.taxii("producer-liaison").get(probe.objects_url(label))
            assert answer.status_code == 404, label
    with database.read() as conn:
        erasers = set(
            conn.execute(
                select(audit_log.c.username).where(audit_log.c.action == "erase")
            ).scalars()
        )
    assert erasers == {producer_node.username}


# Federated look-ups: what a peer's node account hears of each object, for its organisation.

_ORG_RELATION = {
    "producer": Relation.PRODUCER,
    "member": Relation.MEMBER,
    "client": Relation.CLIENT,
    "outsider": Relation.NON_MEMBER,
}


def _lookup(world: AccessWorld, person: Person, value: str, org: str) -> str:
    """What a look-up answers a person (as JSON), or 'forbidden'."""
    ctx = Context(world.database, world.viewer(person.username), NODE_KEYS, NODE_HOOKS)
    asked = FederatedLookup(value=value, asking_org=org, purpose="matrix")
    try:
        found = perform(REGISTRY["federation.lookup"], ctx, asked)
    except Forbidden:
        return "forbidden"
    return str(found.model_dump_json())


def test_a_federated_lookup_tells_each_organisation_only_what_it_may_know_exists(
    database: Database,
) -> None:
    world = build(database)
    nothing = '{"answer":"no-hit","holders":[],"suggested_rfis":[]}'
    wrong = []
    for person in PEOPLE:
        org = person.org
        # The organisation as a whole: never a named RED recipient, whoever its account is.
        whole = Person("", org, Role.LIAISON, _ORG_RELATION[org])
        for n, label in enumerate(LABELS):
            value = f"10.0.0.{n}"
            if person.role is not Role.NODE:
                expected = "forbidden"
            elif sees(whole, label):
                expected = "hit by producer"
            else:
                expected = nothing
            got = _lookup(world, person, value, org)
            if got.startswith('{"answer":"hit","holders":["producer"]'):
                got = "hit by producer"
            if got != expected:
                wrong.append(f"{person} {label}: expected {expected}, got {got}")
            # Never on behalf of another organisation.
            other = "outsider" if org != "outsider" else "member"
            if _lookup(world, person, value, other) != "forbidden":
                wrong.append(f"{person} {label}: answered for {other}")
        if person.role is Role.NODE and _lookup(world, person, "10.200.0.1", org) != nothing:
            wrong.append(f"{person}: a value nobody holds is not a plain no-hit")
    assert wrong == []
    assert PERSON["member-node-named"].relation is Relation.NAMED


# Erasure for data-protection reasons: the producer's admin or auditor, nobody else.


def _erase(world: AccessWorld, person: Person, stix_id: str) -> str:
    """What erasing an object answers a person: 'erased N' or 'forbidden: REASON'."""
    ctx = Context(world.database, world.viewer(person.username), NODE_KEYS, NODE_HOOKS)
    asked = ErasureRequest(object_id=stix_id, reason="data subject's request")
    try:
        done = perform(REGISTRY["objects.erase"], ctx, asked)
    except Forbidden as exc:
        return f"forbidden: {exc.message}"
    return f"erased {len(done.versions)}"


def _listed(probe: Probe, person: Person) -> set[str]:
    answer = probe.taxii(person).get(probe.objects_url(), {"match[version]": "all"})
    assert answer.status_code in (200, 404), answer.text
    return (
        {o["id"] for o in answer.json().get("objects", [])} if answer.status_code == 200 else set()
    )


def test_only_the_producers_admin_or_auditor_may_erase_for_data_protection(
    database: Database, database_url: str
) -> None:
    absent = "indicator--00000000-0000-4000-8000-000000000000"
    erasers = [p for p in PEOPLE if p.relation is Relation.PRODUCER and p.role in ERASERS]
    with open_probe(database, database_url) as probe:
        world = probe.world
        ids = {world.id_of(label) for label in LABELS}
        before = {p.username: _listed(probe, p) for p in PEOPLE if p.role is not Role.AUDITOR}
        assert before[PERSON["producer-liaison"].username] == ids
        for person in PEOPLE:
            if person in erasers:
                continue
            for label in LABELS:
                stix_id = world.id_of(label)
                said = _erase(world, person, stix_id)
                # The same refusal as for an id nobody holds: existence is not disclosed.
                assert said == _erase(world, person, absent).replace(absent, stix_id)
                assert said.startswith("forbidden: only an admin or auditor"), (person, label)
            # Over REST too, as an attacker would try.
            answer = probe.client.post(
                f"/api/objects/{world.id_of(LABELS[0])}/erase",
                json={"reason": "mine now"},
                headers={"Authorization": f"Bearer {world.tokens[person.username]}"},
            )
            assert answer.status_code == 403, (person, answer.text)
        # Nothing moved.
        assert {u: _listed(probe, PERSON[u]) for u in before} == before
        admin, auditor = erasers
        half = len(LABELS) // 2
        for person, labels in ((admin, LABELS[:half]), (auditor, LABELS[half:])):
            for label in labels:
                assert _erase(world, person, world.id_of(label)) == f"erased {len(VERSIONS)}"
        assert all(not _listed(probe, PERSON[u]) for u in before)
        for label in LABELS:
            assert probe.taxii("producer-liaison").get(probe.objects_url(label)).status_code == 404
    with database.read() as conn:
        refused = conn.execute(
            select(func.count()).where(
                audit_log.c.action == "refused", audit_log.c.detail.contains("objects.erase")
            )
        ).scalar_one()
        rows = conn.execute(
            select(audit_log.c.username, audit_log.c.detail).where(audit_log.c.action == "erase")
        ).all()
    others = len(PEOPLE) - len(erasers)
    assert refused == 2 * len(LABELS) * others + others
    assert sorted(r.username for r in rows) == sorted(
        [admin.username] * half + [auditor.username] * (len(LABELS) - half)
    )
    assert all("data subject's request" in r.detail and "data-protection" in r.detail for r in rows)


# Sightings, notes and opinions leave only if every object they refer to may leave.

_SDO = {"spec_version": "2.1", "created": T0, "modified": T0}


def _sdo(
    kind: str, tlp: Tlp | None, recipients: tuple[str, ...] = (), **props: Any
) -> dict[str, Any]:
    """Return an SDO of this type marked with this TLP (and RED recipients)."""
    return {"type": kind, "id": stix_id(kind), **_SDO, **props, **handling(tlp, recipients)}


def _observed(
    tlp: Tlp | None, address: str, recipients: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Return an IPv4 address (CLEAR) and observed-data of it marked with this TLP."""
    sco = {"type": "ipv4-addr", "spec_version": "2.1", "id": stix_id("ipv4-addr"),
           "value": address, **handling(Tlp.CLEAR)}  # fmt: skip
    seen = _sdo("observed-data", tlp, recipients, first_observed=T0, last_observed=T0,
                number_observed=1, object_refs=[sco["id"]])  # fmt: skip
    return [sco, seen]


def _referrers(world: AccessWorld) -> dict[tuple[str, str], dict[str, Any]]:
    """For each matrix label, a GREEN sighting naming an object of that label in each of its
    three reference properties (the others naming CLEAR objects), a note and an opinion of
    the label's indicator; stored, with the identities and observed-data they name."""
    clear_who = _sdo("identity", Tlp.CLEAR, name="Clear sensor", identity_class="system")
    clear_seen = _observed(Tlp.CLEAR, "198.51.100.1")
    anchor = marked_indicator(900, Tlp.CLEAR)
    stored = [clear_who, *clear_seen, anchor]
    made: dict[tuple[str, str], dict[str, Any]] = {}
    green = handling(Tlp.GREEN)
    for n, (label, tlp) in enumerate(MARKINGS.items()):
        red = NAMED_RECIPIENTS if tlp is Tlp.RED else ()
        who = _sdo("identity", tlp, red, name=f"Sensor {n}", identity_class="system")
        seen = _observed(tlp, f"198.51.100.{10 + n}", red)
        stored += [who, *seen]
        sighting = {"type": "sighting", "id": stix_id("sighting"), **_SDO, **green}
        made[(label, "sighting_of_ref")] = {
            **sighting, "sighting_of_ref": world.id_of(label),
            "where_sighted_refs": [clear_who["id"]], "observed_data_refs": [clear_seen[1]["id"]],
        }  # fmt: skip
        made[(label, "where_sighted_refs")] = {
            **sighting, "id": stix_id("sighting"), "sighting_of_ref": anchor["id"],
            "where_sighted_refs": [who["id"]], "observed_data_refs": [clear_seen[1]["id"]],
        }  # fmt: skip
        made[(label, "observed_data_refs")] = {
            **sighting, "id": stix_id("sighting"), "sighting_of_ref": anchor["id"],
            "where_sighted_refs": [clear_who["id"]], "observed_data_refs": [seen[1]["id"]],
        }  # fmt: skip
        made[(label, "note")] = _sdo("note", Tlp.GREEN, content="Seen twice",
                                     object_refs=[world.id_of(label)])  # fmt: skip
        made[(label, "opinion")] = _sdo("opinion", Tlp.GREEN, opinion="agree",
                                        object_refs=[world.id_of(label)])  # fmt: skip
    posted = world.post("producer-liaison", [*stored, *made.values()])
    assert not posted.failures, posted.failures[:3]
    return made


def test_a_sighting_note_or_opinion_leaves_only_if_every_referent_may(database: Database) -> None:
    world = build(database)
    made = _referrers(world)
    channel = world.channels[CHANNEL]
    wrong = []
    outcomes: set[tuple[str, bool]] = set()
    with database.read() as conn:
        producer = find_organisation(conn, "producer").id
        for org in PEER_ORGS:
            found = find_organisation(conn, org)
            peer = PeerAudience(found.id, found.name, producer, frozenset({channel.id}))
            keys = {case: (obj["id"], version_key(T0)) for case, obj in made.items()}
            said = departure_refusals(conn, peer, channel.id, list(keys.values()))
            for (label, field), key in keys.items():
                # GREEN itself must reach the organisation; a RED referent never lets a
                # referrer show a whole organisation what only named people may see.
                expected = (
                    may_leave(org, "GREEN")
                    and may_leave(org, label)
                    and MARKINGS[label] is not Tlp.RED
                )
                outcomes.add((field, said[key] == ""))
                if (said[key] == "") != expected:
                    wrong.append(f"{org} {field} -> {label}: {said[key] or 'leaves'}")
    assert wrong == []
    # Each kind of referrer was seen both leaving and kept back.
    assert outcomes == {
        (field, leaves)
        for field in ("sighting_of_ref", "where_sighted_refs", "observed_data_refs", "note",
                      "opinion")
        for leaves in (True, False)
    }  # fmt: skip


# What the producer's people read of their versions withheld from peers.


def _settle_departures(world: AccessWorld, token_file: Path) -> None:
    """Register a peer of each organisation speaking for the producer, linked for push,
    and settle its queued versions as a push would: withheld with the reason, or sent."""
    with world.database.write() as conn:
        for org in PEER_ORGS:
            peer = add_peer(conn, f"{org}-peer", "http://127.0.0.1:9/taxii2/root/", org,
                            "producer", str(token_file), None, 1)  # fmt: skip
            link = link_peer(conn, peer.name, CHANNEL, "far", True, False, 1)
            rows = outbox.pending(conn, link.id, 10_000)
            said = departure_refusals(
                conn, audience(conn, peer), link.channel_id, [(r.stix_id, r.version) for r in rows]
            )
            for row in rows:
                reason = said[(row.stix_id, row.version)]
                outbox.settle(conn, [row.id], outbox.WITHHELD if reason else outbox.SENT, reason)


def _withheld(probe: Probe, username: str, **asked: Any) -> dict[str, Any]:
    """What GET /api/federation/withheld answers a user (the REST path, as an attacker
    would call it)."""
    token = probe.world.tokens[username]
    answer = probe.client.get("/api/federation/withheld", params=asked, auth=(username, token))
    assert answer.status_code == 200, (username, answer.text)
    found: dict[str, Any] = answer.json()
    return found


def test_only_the_producers_people_read_its_withheld_versions(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("t\n")
    with open_probe(database, database_url) as probe:
        world = probe.world
        _settle_departures(world, token_file)
        unmarked = world.id_of("unmarked")
        nothing = {"withheld": [], "next": None}
        for person in PEOPLE:
            seen = _withheld(probe, person.username, limit=500)
            if person.relation is Relation.PRODUCER and person.role is not Role.NODE:
                rows = {(r["stix_id"], r["peer_org"]): r for r in seen["withheld"]}
                # The TLP defaulted here: the reason and the fix, for every peer.
                for org in PEER_ORGS:
                    row = rows[(unmarked, org)]
                    assert row["reason"] == defaulted_refusal(Tlp.AMBER)
                    assert "object_marking_refs" in row["hint"]
                    assert "url" not in row
                    assert "127.0.0.1" not in str(row)
                # Every reason the matrix gives has its own fix, not the catch-all.
                assert all("ask for a retry" not in r["hint"] for r in seen["withheld"])
                # RED is withheld from the client's peer (no named recipient there).
                assert rows[(world.id_of("RED"), "client")]["reason"].startswith("TLP:RED")
                assert {r["stix_id"] for r in seen["withheld"]} <= {world.id_of(x) for x in LABELS}
                one = _withheld(probe, person.username, object_id=unmarked, limit=1)
                assert len(one["withheld"]) == 1
                assert one["next"] is not None
                rest = _withheld(probe, person.username, object_id=unmarked, cursor=one["next"])
                assert len(rest["withheld"]) == len(PEER_ORGS) * len(VERSIONS) - 1
                assert one["withheld"][0] not in rest["withheld"]
            else:
                # The same answer as for nothing withheld, whatever the filters guess.
                assert seen == nothing, person
                for label in LABELS:
                    asked = {"object_id": world.id_of(label)}
                    assert _withheld(probe, person.username, **asked) == nothing, person
                assert _withheld(probe, person.username, cursor="999999999") == nothing
        for cursor in ("x'--", "99999999999999999999", "²", "-1"):
            bad = probe.client.get(
                "/api/federation/withheld",
                params={"cursor": cursor},
                auth=("producer-liaison", world.tokens["producer-liaison"]),
            )
            assert bad.status_code == 400, (cursor, bad.text)
            assert "cursor" in bad.text
        # The object page says it to the producer's people, and to nobody else.
        for username in ("producer-liaison", "member-liaison"):
            with session_client(probe.client.app, database, username) as web:  # type: ignore[arg-type]
                shown = web.get(f"/objects/{unmarked}")
            assert shown.status_code == 200, username
            told = "Not sent to" in shown.text and "object_marking_refs" in shown.text
            assert told is (username == "producer-liaison"), username
