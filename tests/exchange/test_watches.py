"""Watches: adding, listing, ending and extending them; hits on new objects, and who sees
what of them (only the organisation that keeps a watch, only on objects one may see)."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from passerelle.app import create_app
from passerelle.cli import cli
from passerelle.core.context import parse_day, stamp
from passerelle.core.operations import REGISTRY
from passerelle.durations import DAY
from passerelle.errors import BadInput, Conflict, Forbidden, NotFound
from passerelle.exchange import feedback, watches
from passerelle.exchange.watches import (
    AddWatch,
    EndWatch,
    ExtendWatch,
    ListHits,
    ListWatches,
    WatchRef,
    inbox_notices,
    record_hits,
    report_pending,
    watch_subjects,
)
from passerelle.keys.names import ExactNames
from passerelle.keys.rules import KeyRules
from passerelle.objects.hooks import Hooks
from passerelle.objects.ingest import ingest
from passerelle.policy import directory
from passerelle.policy.roles import Role
from passerelle.settings import Settings
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from passerelle.store.database import Database
from passerelle.store.schema import audit_log, objects, tips, watch_hits, watch_keys
from passerelle.wiring import subscribe_features
from tests.exchange_support import START, ContextFor, FakeClock, contexts
from tests.live_server import LiveServer
from tests.stixgen import T0, identity, indicator, stix_id
from tests.taxii_client import Taxii
from tests.world import World

PHONE_TEXT = "+33 6 12 34 56 78"
PHONE_KEY = "phone:+33612345678"
T1 = "2026-02-01T00:00:00.000Z"


# -- helpers ------------------------------------------------------------------------------


def bearer(world: World, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[username]}"}


def post(api: TestClient, world: World, username: str, channel: str, *objs: Any) -> None:
    """Post objects over TAXII as a user; every one must be accepted."""
    taxii = Taxii(api, username, world.tokens[username])
    response = taxii.post_objects(world.collection(channel), list(objs))
    assert response.status_code == 202, response.text
    assert response.json()["success_count"] == len(objs), response.text


def mentioning(text: str, **extra: Any) -> dict[str, Any]:
    """Return an indicator whose description mentions the text."""
    return indicator(uuid.uuid4().int % 60000, description=text, **extra)


def red(obj: dict[str, Any], *recipients: str) -> dict[str, Any]:
    """Mark an object TLP:RED for the named users."""
    obj["object_marking_refs"] = [TLP2_IDS[Tlp.RED]]
    obj["extensions"] = {
        HANDLING_EXTENSION_ID: {"extension_type": "property-extension", "recipients": recipients}
    }
    return obj


def add_user(world: World, org: str, username: str, role: Role) -> None:
    with world.database.write() as conn:
        world.tokens[username] = directory.add_user(conn, org, username, role)


def watch_phone(ctx: ContextFor, username: str = "alice", **extra: Any) -> watches.Watch:
    return watches.add_watch(ctx(username), AddWatch(observable=PHONE_TEXT, **extra))


def hits_of(ctx: ContextFor, username: str = "alice") -> list[watches.Hit]:
    return watches.list_hits(ctx(username), ListHits())


def hit_rows(database: Database) -> list[Any]:
    with database.read() as conn:
        return list(conn.execute(select(watch_hits).order_by(watch_hits.c.id)))


def make_tip(world: World, clock: FakeClock, report: dict[str, Any]) -> str:
    """Record that fsb (boris) shared a stored object with dgsi as a tip in fr-ru."""
    tip_id = f"tip--{uuid.uuid4()}"
    boris = world.viewer("boris")
    with world.database.write() as conn:
        conn.execute(
            tips.insert().values(
                id=tip_id,
                stix_id=report["id"],
                version=conn.execute(
                    select(objects.c.version).where(objects.c.stix_id == report["id"])
                ).scalar(),
                channel_id=world.channels["fr-ru"].id,
                producer_org_id=boris.org_id,
                shared_by=boris.user_id,
                shared_at=clock(),
                ack_deadline=clock() + DAY,
                outcome_deadline=clock() + 14 * DAY,
                action_requested="",
            )
        )
    return tip_id


# -- adding, listing, showing ----------------------------------------------------------------


def test_a_watch_on_an_observable_is_listed_with_its_key(ctx: ContextFor, clock: FakeClock) -> None:
    made = watches.add_watch(ctx("alice"), AddWatch(observable="06 12 34 56 78"))
    assert made.id.startswith("watch--")
    assert (made.kind, made.label, made.keys) == ("observable", PHONE_KEY, [PHONE_KEY])
    assert (made.owner, made.created_by, made.state, made.hits) == ("alice", "alice", "active", 0)
    assert made.created == stamp(clock())
    assert made.until == stamp(clock() + watches.DEFAULT_TERM)
    assert watches.list_watches(ctx("alain"), ListWatches()) == [made]
    short = made.id.removeprefix("watch--")[:8]
    assert watches.show_watch(ctx("alain"), WatchRef(watch_id=short)) == made


def test_a_watch_on_a_name_normalises_it(ctx: ContextFor) -> None:
    made = watches.add_watch(ctx("alice"), AddWatch(name="  Dzhokhar TSARNAÏEV "))
    assert (made.kind, made.label, made.keys) == (
        "name",
        "Dzhokhar TSARNAÏEV",
        ["name:dzhokhar tsarnaiev"],
    )


def test_a_watch_on_a_subject_matches_its_id_names_and_observables(
    api: TestClient, world: World, ctx: ContextFor
) -> None:
    person = identity("Ivan Petrov", contact_information="tel. 06 12 34 56 78, @ivan_p")
    post(api, world, "boris", "fr-ru", person)
    made = watches.add_watch(ctx("alice"), AddWatch(subject=person["id"]))
    assert (made.kind, made.subject_id, made.label) == (
        "subject",
        person["id"],
        "identity Ivan Petrov",
    )
    assert made.keys == sorted(
        [f"ref:{person['id']}", "name:ivan petrov", PHONE_KEY, "handle:ivan_p"]
    )


def test_what_to_watch_is_exactly_one_thing(ctx: ContextFor) -> None:
    for request in (
        AddWatch(),
        AddWatch(name="  "),
        AddWatch(name="Petrov", observable=PHONE_TEXT),
        AddWatch(subject=stix_id("identity"), name="Petrov"),
    ):
        with pytest.raises(BadInput, match="exactly one of"):
            watches.add_watch(ctx("alice"), request)
    with pytest.raises(BadInput, match="cannot tell what"):
        watches.add_watch(ctx("alice"), AddWatch(observable="not a thing"))
    with pytest.raises(BadInput, match="no letter or digit"):
        watches.add_watch(ctx("alice"), AddWatch(name="..."))


def test_a_subject_must_be_visible_and_watchable(
    api: TestClient, world: World, ctx: ContextFor
) -> None:
    hidden = identity("Secret Person")
    post(api, world, "oscar", "private", hidden)
    unknown = stix_id("identity")
    with pytest.raises(NotFound) as seen_hidden:
        watches.add_watch(ctx("alice"), AddWatch(subject=hidden["id"]))
    with pytest.raises(NotFound) as seen_unknown:
        watches.add_watch(ctx("alice"), AddWatch(subject=unknown))
    hidden_says = seen_hidden.value.message.replace(hidden["id"], "X")
    assert hidden_says == seen_unknown.value.message.replace(unknown, "X")
    ip_indicator = indicator(1)
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": stix_id("report"),
        "created": T0,
        "modified": T0,
        "name": "A report",
        "published": T0,
        "object_refs": [ip_indicator["id"]],
    }
    post(api, world, "alice", "fr-ru", ip_indicator, report)
    for obj in (report, ip_indicator):
        with pytest.raises(BadInput, match="a watch follows a person or group"):
            watches.add_watch(ctx("alice"), AddWatch(subject=obj["id"]))


def test_the_owner_is_a_working_user_of_the_same_organisation(
    world: World, ctx: ContextFor
) -> None:
    made = watch_phone(ctx, owner="alain")
    assert (made.owner, made.created_by) == ("alain", "alice")
    add_user(world, "dgsi", "audrey", Role.AUDITOR)
    with pytest.raises(BadInput, match="auditor"):
        watches.add_watch(ctx("alice"), AddWatch(name="Petrov", owner="audrey"))
    with pytest.raises(NotFound) as other_org:
        watches.add_watch(ctx("alice"), AddWatch(name="Petrov", owner="boris"))
    with pytest.raises(NotFound) as nobody:
        watches.add_watch(ctx("alice"), AddWatch(name="Petrov", owner="nobody"))
    assert other_org.value.message.replace("boris", "X") == nobody.value.message.replace(
        "nobody", "X"
    )


def test_until_must_be_in_the_future(ctx: ContextFor, clock: FakeClock) -> None:
    with pytest.raises(BadInput, match="not in the future"):
        watch_phone(ctx, until="2027-01-10")
    with pytest.raises(BadInput, match="not a date"):
        watch_phone(ctx, until="soon")
    made = watch_phone(ctx, until="2027-03-01")
    assert made.until == stamp(parse_day("2027-03-01"))


def test_the_same_thing_is_not_watched_twice(ctx: ContextFor) -> None:
    made = watch_phone(ctx)
    with pytest.raises(Conflict, match=made.id):
        watches.add_watch(ctx("alain"), AddWatch(observable="0612345678"))
    watches.end_watch(ctx("alice"), EndWatch(watch_id=made.id, reason="done"))
    assert watch_phone(ctx).id != made.id


# -- ending and extending --------------------------------------------------------------------


def test_ending_a_watch_needs_a_reason_and_stops_it(
    api: TestClient, world: World, ctx: ContextFor, clock: FakeClock
) -> None:
    made = watch_phone(ctx)
    with pytest.raises(BadInput, match="reason"):
        watches.end_watch(ctx("alice"), EndWatch(watch_id=made.id, reason="  "))
    clock.advance(DAY)
    ended = watches.end_watch(ctx("alain"), EndWatch(watch_id=made.id, reason="cell arrested"))
    assert (ended.state, ended.ended, ended.keys) == ("ended", stamp(clock()), [])
    assert watches.list_watches(ctx("alice"), ListWatches()) == []
    assert watches.list_watches(ctx("alice"), ListWatches(all=True)) == [ended]
    post(api, world, "boris", "fr-ru", mentioning(PHONE_TEXT))
    assert hit_rows(world.database) == []
    with pytest.raises(Conflict, match="already ended"):
        watches.end_watch(ctx("alice"), EndWatch(watch_id=made.id, reason="again"))
    with pytest.raises(Conflict, match="add a new watch"):
        watches.extend_watch(ctx("alice"), ExtendWatch(watch_id=made.id, until="2028-01-01"))
    with world.database.read() as conn:
        entries = conn.execute(select(audit_log.c.action, audit_log.c.detail)).all()
    assert ("watch-end", '{"reason":"cell arrested"}') in [tuple(e) for e in entries]


def test_extending_a_watch_moves_its_end(ctx: ContextFor) -> None:
    made = watch_phone(ctx, until="2027-02-01")
    longer = watches.extend_watch(ctx("alain"), ExtendWatch(watch_id=made.id, until="2027-06-30"))
    assert longer.until == stamp(parse_day("2027-06-30"))
    with pytest.raises(BadInput, match="not in the future"):
        watches.extend_watch(ctx("alice"), ExtendWatch(watch_id=made.id, until="2026-12-31"))


def test_the_owner_is_warned_a_week_before_a_watch_expires(
    api: TestClient, world: World, ctx: ContextFor, clock: FakeClock
) -> None:
    made = watch_phone(ctx, until=stamp(START + 10 * DAY))
    alice, alain = world.viewer("alice"), world.viewer("alain")

    def notices(viewer: Any) -> watches.WatchNotices:
        with world.database.read() as conn:
            return inbox_notices(conn, viewer, clock())

    assert notices(alice).expiring == []
    clock.advance(2 * DAY)
    assert notices(alice).expiring == []
    clock.advance(DAY + 1)  # 7 days minus a microsecond before the end
    assert [w.id for w in notices(alice).expiring] == [made.id]
    assert notices(alice).expiring[0].state == "expiring"
    assert notices(alain).expiring == []  # the owner is told, not the whole organisation
    assert watches.list_watches(ctx("alain"), ListWatches())[0].state == "expiring"

    clock.advance(7 * DAY)
    assert (notices(alice).expiring, [w.id for w in notices(alice).expired]) == ([], [made.id])
    assert watches.show_watch(ctx("alice"), WatchRef(watch_id=made.id)).state == "expired"
    post(api, world, "boris", "fr-ru", mentioning(f"call {PHONE_TEXT}"))
    assert hit_rows(world.database) == []  # an expired watch does not match

    renewed = watches.extend_watch(ctx("alice"), ExtendWatch(watch_id=made.id, until="2028-01-01"))
    assert renewed.state == "active"
    assert notices(alice).expired == []
    post(api, world, "boris", "fr-ru", mentioning(f"call {PHONE_TEXT}"))
    assert len(hit_rows(world.database)) == 1


# -- hits ------------------------------------------------------------------------------------


def test_an_object_posted_over_taxii_that_mentions_the_observable_hits(
    api: TestClient, world: World, ctx: ContextFor, clock: FakeClock
) -> None:
    made = watch_phone(ctx)
    clock.advance(DAY)
    unrelated = mentioning("call 06 99 99 99 99")
    hitting = mentioning("le chef appelle le 06.12.34.56.78 chaque soir")
    post(api, world, "boris", "fr-ru", unrelated, hitting)
    [hit] = hits_of(ctx)
    assert (hit.watch_id, hit.watch_label, hit.matched) == (made.id, PHONE_KEY, PHONE_KEY)
    assert (hit.object_id, hit.object_type, hit.at) == (hitting["id"], "indicator", stamp(clock()))
    assert (hit.report_state, hit.report_id) == ("none", None)
    assert hits_of(ctx, "alain") == [hit]
    assert watches.show_watch(ctx("alice"), WatchRef(watch_id=made.id)).hits == 1
    # the same envelope again adds no hit
    post(api, world, "boris", "fr-ru", hitting)
    assert len(hit_rows(world.database)) == 1
    # the inbox shows the hit for two weeks
    clock.advance(watches.RECENT - 1)
    with world.database.read() as conn:
        assert inbox_notices(conn, world.viewer("alain"), clock()).hits == [hit]
        assert inbox_notices(conn, world.viewer("alain"), clock() + 1).hits == []


def test_an_object_imported_through_ingest_hits_through_its_pattern(
    world: World, ctx: ContextFor, clock: FakeClock
) -> None:
    watches.add_watch(ctx("alice"), AddWatch(observable="Cell@Example.org"))
    obj = indicator(1, pattern="[email-addr:value = 'cell@example.org']")
    result = ingest(
        world.database,
        world.hooks,
        world.viewer("boris"),
        world.channels["fr-ru"],
        [obj],
        clock=clock,
    )
    assert len(result.successes) == 1
    [hit] = hits_of(ctx)
    assert (hit.object_id, hit.matched, hit.at) == (
        obj["id"],
        "email:cell@example.org",
        stamp(clock()),
    )


def test_a_name_watch_hits_names_and_aliases_but_not_other_spellings(
    api: TestClient, world: World, ctx: ContextFor
) -> None:
    watches.add_watch(ctx("alice"), AddWatch(name="Tsarnaïev"))
    same = identity("TSARNAIEV")
    actor = {
        "type": "threat-actor",
        "spec_version": "2.1",
        "id": stix_id("threat-actor"),
        "created": T0,
        "modified": T0,
        "name": "Cell 7",
        "aliases": ["tsarnaïev"],
    }
    other = identity("Tsarnaev")
    post(api, world, "boris", "fr-ru", same, actor, other)
    assert {h.object_id for h in hits_of(ctx)} == {same["id"], actor["id"]}


def test_entity_resolution_plugs_in_as_a_name_matcher(world: World, clock: FakeClock) -> None:
    class Transliterating:
        def keys(self, name: str, kind: str) -> set[str]:
            spelling = {"царнаев": "tsarnaev"}.get(name.casefold(), name.casefold())
            return ExactNames().keys(spelling, kind)

    keys = KeyRules(world.keys.phone_region, Transliterating(), world.keys.alias_dirs)
    node = dataclasses.replace(world, keys=keys, hooks=subscribe_features(keys))
    ctx = contexts(node, clock)
    watches.add_watch(ctx("alice"), AddWatch(name="Царнаев"))
    person = identity("Tsarnaev")
    stored = ingest(
        node.database, node.hooks, node.viewer("boris"), node.channels["fr-ru"], [person]
    )
    assert not stored.failures
    assert [h.object_id for h in hits_of(ctx)] == [person["id"]]


def test_no_hit_on_what_the_owner_may_not_see(
    api: TestClient, world: World, ctx: ContextFor
) -> None:
    watch_phone(ctx)
    post(api, world, "oscar", "private", mentioning(PHONE_TEXT))
    post(api, world, "boris", "fr-ru", red(mentioning(PHONE_TEXT), "boris"))
    assert hit_rows(world.database) == []
    named = red(mentioning(PHONE_TEXT), "alice")
    post(api, world, "boris", "fr-ru", named)
    assert [h.object_id for h in hits_of(ctx, "alice")] == [named["id"]]
    # alain, of the same organisation but not named, sees neither the hit nor its count
    assert hits_of(ctx, "alain") == []
    assert watches.list_watches(ctx("alain"), ListWatches())[0].hits == 0


def test_a_red_subject_is_not_revealed_to_colleagues(
    api: TestClient, world: World, ctx: ContextFor
) -> None:
    person = red(identity("Ivan Petrov"), "alice")
    post(api, world, "boris", "fr-ru", person)
    made = watches.add_watch(ctx("alice"), AddWatch(subject=person["id"]))
    assert made.label == "identity Ivan Petrov"
    [seen] = watches.list_watches(ctx("alain"), ListWatches())
    assert (seen.label, seen.keys) == (f"{person['id']} (hidden from you)", [])
    with pytest.raises(BadInput, match="alain may not see"):
        watches.add_watch(ctx("alice"), AddWatch(subject=person["id"], owner="alain"))


def test_an_object_newly_visible_to_the_owner_hits_once(
    api: TestClient, world: World, ctx: ContextFor
) -> None:
    watch_phone(ctx, "boris")
    obj = mentioning(PHONE_TEXT)
    post(api, world, "alice", "community", obj)  # fsb does not read the community channel
    assert hit_rows(world.database) == []
    post(api, world, "alice", "fr-ru", obj)  # the same version, now shared with fsb
    assert [h.object_id for h in hits_of(ctx, "boris")] == [obj["id"]]
    post(api, world, "alice", "dropbox", obj)
    assert len(hit_rows(world.database)) == 1


def test_a_version_the_owner_already_saw_does_not_hit_but_a_new_version_does(
    api: TestClient, world: World, ctx: ContextFor
) -> None:
    person = identity("Ivan Petrov", modified=T0)
    post(api, world, "alice", "fr-ru", person)
    watches.add_watch(ctx("alice"), AddWatch(subject=person["id"]))
    post(api, world, "alice", "community", person)  # shared again: nothing new
    assert hit_rows(world.database) == []
    newer = {**person, "modified": T1, "description": "moved to Lyon"}
    post(api, world, "alice", "fr-ru", newer)  # only the producer adds versions
    [hit] = hits_of(ctx)
    assert (hit.object_id, hit.matched) == (person["id"], f"ref:{person['id']} name:ivan petrov")
    assert hit.version == "2026-02-01T00:00:00.000000Z"
    relation = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": stix_id("relationship"),
        "created": T1,
        "modified": T1,
        "relationship_type": "related-to",
        "source_ref": person["id"],
        "target_ref": person["id"],
    }
    post(api, world, "boris", "fr-ru", relation)
    assert [h.object_id for h in hits_of(ctx)] == [relation["id"], person["id"]]


def test_workflow_feedback_never_hits(
    api: TestClient, world: World, ctx: ContextFor, clock: FakeClock
) -> None:
    watch_phone(ctx)
    note = mentioning(PHONE_TEXT)
    note["extensions"] = {
        HANDLING_EXTENSION_ID: {
            "extension_type": "property-extension",
            "feedback": {"kind": "tip-state", "state": "closed"},
        }
    }
    post(api, world, "boris", "fr-ru", note)
    assert hit_rows(world.database) == []


def test_record_hits_ignores_duplicates_and_costs_one_query_without_watches(
    world: World, ctx: ContextFor, clock: FakeClock
) -> None:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "watch" in statement:
            statements.append(statement)

    obj = mentioning(PHONE_TEXT)
    event.listen(world.database.engine, "before_cursor_execute", count)
    try:
        ingest(
            world.database,
            world.hooks,
            world.viewer("boris"),
            world.channels["fr-ru"],
            [obj],
            clock=clock,
        )
    finally:
        event.remove(world.database.engine, "before_cursor_execute", count)
    # one look-up of watch keys in the transaction, one of pending reports after it
    assert len(statements) == 2, statements
    assert "watch_keys" in statements[0]
    assert "watch_hits" in statements[1]

    watch_phone(ctx)  # a new watch looks back: the stored object hits at once
    assert [(row.stix_id, row.report_state) for row in hit_rows(world.database)] == [
        (obj["id"], "none")
    ]
    placed = [(obj["id"], "2026-01-01T00:00:00.000000Z", json.dumps(obj))]
    with world.database.write() as conn:
        first = record_hits(world.database, conn, placed, clock(), world.keys)
        again = record_hits(world.database, conn, placed, clock(), world.keys)
    assert (first, again) == ([], [])
    assert len(hit_rows(world.database)) == 1


# -- watches from tips, and reporting back ---------------------------------------------------


def shared_tip(
    api: TestClient, world: World, clock: FakeClock
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """fsb shares a report on a person, an address and an IP address with dgsi."""
    person = identity("Ivan Petrov", contact_information=PHONE_TEXT)
    address = {
        "type": "email-addr",
        "spec_version": "2.1",
        "id": stix_id("email-addr"),
        "value": "ivan@example.org",
    }
    ip = indicator(7)
    hidden = identity("Not For DGSI")
    post(api, world, "oscar", "private", hidden)
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": stix_id("report"),
        "created": T0,
        "modified": T0,
        "name": "Cell",
        "published": T0,
        "object_refs": [person["id"], address["id"], ip["id"]],
    }
    post(api, world, "boris", "fr-ru", person, address, ip, report)
    tip_id = make_tip(world, clock, report)
    with world.database.write() as conn:
        made = watch_subjects(
            conn,
            owner=world.viewer("alain"),
            created_by=world.viewer("alice"),
            subject_ids=[report["id"], person["id"], address["id"], ip["id"], hidden["id"]],
            source_tip_id=tip_id,
            until=None,
            now=clock(),
            rules=world.keys,
        )
    assert len(made) == 2
    return tip_id, person, address


def test_closing_a_tip_watches_its_persons_and_observables(
    api: TestClient, world: World, ctx: ContextFor, clock: FakeClock
) -> None:
    tip_id, person, address = shared_tip(api, world, clock)
    listed = watches.list_watches(ctx("alice"), ListWatches())
    assert {(w.subject_id, w.owner, w.created_by, w.source_tip_id) for w in listed} == {
        (person["id"], "alain", "alice", tip_id),
        (address["id"], "alain", "alice", tip_id),
    }
    assert {w.until for w in listed} == {stamp(clock() + watches.DEFAULT_TERM)}
    with world.database.write() as conn:
        again = watch_subjects(
            conn,
            owner=world.viewer("alain"),
            created_by=world.viewer("alice"),
            subject_ids=[person["id"]],
            source_tip_id=tip_id,
            until=None,
            now=clock(),
            rules=world.keys,
        )
    assert again == [w.id for w in listed if w.subject_id == person["id"]]
    # the tip's own objects, shared again, are nothing new (cert, which reads community,
    # is a client of dgsi: boris's TLP:AMBER may reach it)
    with world.database.write() as conn:
        directory.add_client(conn, "dgsi", "cert")
    post(api, world, "alice", "community", person)
    assert hit_rows(world.database) == []


def test_hits_of_a_tip_watch_are_reported_once_after_the_commit(
    api: TestClient,
    world: World,
    ctx: ContextFor,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shared_tip(api, world, clock)
    calls: list[int] = []

    def crash(_database: Database, _hooks: Hooks, hit_id: int, _now: int) -> None:
        calls.append(hit_id)
        raise RuntimeError("the partner's channel is locked")

    monkeypatch.setattr(feedback, "report_watch_hit", crash)
    post(api, world, "boris", "fr-ru", mentioning(f"new number of Ivan: {PHONE_TEXT}"))
    [hit] = hit_rows(world.database)
    assert (hit.report_state, calls) == ("pending", [hit.id])

    def sent(database: Database, _hooks: Hooks, hit_id: int, _now: int) -> None:
        calls.append(hit_id)
        with database.write() as conn:
            conn.execute(
                watch_hits.update().where(watch_hits.c.id == hit_id).values(report_state="sent")
            )

    monkeypatch.setattr(feedback, "report_watch_hit", sent)
    report_pending(world.database, world.hooks, clock())
    report_pending(world.database, world.hooks, clock())
    assert calls == [hit.id, hit.id]
    assert hits_of(ctx)[0].report_state == "sent"


def test_a_tip_watch_hit_goes_back_to_the_partner(
    api: TestClient, world: World, ctx: ContextFor, clock: FakeClock
) -> None:
    shared_tip(api, world, clock)
    clock.advance(DAY)
    news = mentioning(f"Ivan writes from ivan@example.org, {PHONE_TEXT}")
    post(api, world, "boris", "fr-ru", news)
    found = hits_of(ctx)
    assert len(found) == 2  # the person (by phone) and the address
    assert {h.report_state for h in found} == {"sent"}
    notes = Taxii(api, "boris", world.tokens["boris"]).all_objects(
        world.collection("fr-ru"), {"match[type]": "note"}
    )
    assert sorted(n["id"] for n in notes) == sorted(h.report_id for h in found)
    assert hits_of(ctx) == found  # the Notes themselves hit nothing


# -- who sees what ------------------------------------------------------------------------


def test_another_organisation_learns_nothing_of_a_watch(
    api: TestClient, world: World, ctx: ContextFor
) -> None:
    made = watch_phone(ctx)
    post(api, world, "boris", "fr-ru", mentioning(PHONE_TEXT))
    assert len(hits_of(ctx)) == 1
    unknown = f"watch--{uuid.uuid4()}"
    for user in ("carla", "boris"):
        other = ctx(user)
        assert watches.list_watches(other, ListWatches(all=True)) == []
        assert hits_of(ctx, user) == []
        with world.database.read() as conn:
            assert inbox_notices(conn, world.viewer(user), START).hits == []
        for reference in (made.id, made.id.removeprefix("watch--")[:8]):
            answers = []
            for ident in (reference, unknown):
                with pytest.raises(NotFound) as caught:
                    watches.show_watch(other, WatchRef(watch_id=ident))
                answers.append(caught.value.message.replace(ident, "X"))
                with pytest.raises(NotFound):
                    watches.list_hits(other, ListHits(watch_id=ident))
                with pytest.raises(NotFound):
                    watches.end_watch(other, EndWatch(watch_id=ident, reason="r"))
                with pytest.raises(NotFound):
                    watches.extend_watch(other, ExtendWatch(watch_id=ident, until="2028-01-01"))
            if reference == made.id:
                assert answers[0] == answers[1]
        known = api.get(f"/api/watches/{made.id}", headers=bearer(world, user))
        missing = api.get(f"/api/watches/{unknown}", headers=bearer(world, user))
        assert known.status_code == missing.status_code == 404
        said = known.json()["description"].replace(made.id, "X")
        assert said == missing.json()["description"].replace(unknown, "X")


def test_auditors_take_no_part(api: TestClient, world: World, ctx: ContextFor) -> None:
    watch_phone(ctx)
    add_user(world, "dgsi", "audrey", Role.AUDITOR)
    for operation in (
        lambda: watches.add_watch(ctx("audrey"), AddWatch(name="Petrov")),
        lambda: watches.list_watches(ctx("audrey"), ListWatches()),
        lambda: watches.list_hits(ctx("audrey"), ListHits()),
    ):
        with pytest.raises(Forbidden, match="auditors"):
            operation()
    assert api.get("/api/watches", headers=bearer(world, "audrey")).status_code == 403
    with world.database.read() as conn:
        assert inbox_notices(conn, world.viewer("audrey"), START) == watches.WatchNotices(
            hits=[], expiring=[], expired=[]
        )


# -- REST API and command line ------------------------------------------------------------


def test_every_watch_operation_has_its_route(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    served = {(method.upper(), path) for path, methods in paths.items() for method in methods}
    operations = [op for op in REGISTRY.values() if op.name.startswith("watch.")]
    assert {op.name for op in operations} == {
        "watch.add",
        "watch.list",
        "watch.show",
        "watch.hits",
        "watch.end",
        "watch.extend",
    }
    assert [op.name for op in operations if (op.method, op.path) not in served] == []
    assert paths["/api/watches"]["post"]["summary"] == "Add a watch"
    assert "description" in paths["/api/watches"]["post"]


def test_the_rest_api_serves_every_watch_function(
    api: TestClient, world: World, clock: FakeClock
) -> None:
    alice = bearer(world, "alice")
    created = api.post("/api/watches", json={"observable": PHONE_TEXT}, headers=alice)
    assert created.status_code == 201, created.text
    watch = created.json()
    assert (watch["label"], watch["state"]) == (PHONE_KEY, "active")
    assert api.get("/api/watches", headers=alice).json() == [watch]
    assert api.get(f"/api/watches/{watch['id']}", headers=alice).json() == watch
    post(api, world, "boris", "fr-ru", mentioning(PHONE_TEXT))
    [hit] = api.get("/api/watch-hits", params={"limit": 10}, headers=alice).json()
    assert (hit["watch_id"], hit["matched"]) == (watch["id"], PHONE_KEY)
    only = api.get("/api/watch-hits", params={"watch_id": watch["id"]}, headers=alice).json()
    assert only == [hit]
    longer = api.post(
        f"/api/watches/{watch['id']}/extend", json={"until": "2029-01-01"}, headers=alice
    )
    assert longer.json()["until"] == stamp(parse_day("2029-01-01"))
    ended = api.post(f"/api/watches/{watch['id']}/end", json={"reason": "done"}, headers=alice)
    assert ended.json()["state"] == "ended"
    assert api.get("/api/watches", headers=alice).json() == []
    everything = api.get("/api/watches", params={"all": "true"}, headers=alice).json()
    assert [w["id"] for w in everything] == [watch["id"]]
    bad = api.post("/api/watches", json={"observable": "what"}, headers=alice)
    assert bad.status_code == 400
    assert "cannot tell what" in bad.json()["description"]
    again = api.post(f"/api/watches/{watch['id']}/end", json={"reason": "x"}, headers=alice)
    assert again.status_code == 409
    assert api.get("/api/watches").status_code == 401


def test_the_command_line_adds_lists_ends_and_extends(world: World, run: Any) -> None:
    added = run("watch", "add", "--observable", "06 12 34 56 78", "--json", user="alice")
    assert added.exit_code == 0, added.output
    watch = json.loads(added.output)
    assert watch["label"] == PHONE_KEY
    table = run("watch", "list", user="alain")
    assert table.exit_code == 0
    assert table.output.splitlines()[0].split() == [
        "ID",
        "KIND",
        "LABEL",
        "OWNER",
        "UNTIL",
        "STATE",
        "HITS",
    ]
    assert watch["id"] in table.output
    assert PHONE_KEY in table.output
    assert json.loads(run("watch", "list", "--json", user="alice").output) == [watch]
    shown = run("watch", "show", watch["id"][7:19], user="alice")
    assert "matches:  phone:+33612345678" in shown.output
    assert run("watch", "hits", user="alice").output.strip() == "(none)"
    assert json.loads(run("watch", "hits", "--json", user="alice").output) == []
    extended = run("watch", "extend", watch["id"], "--until", "2099-12-31", user="alice")
    assert "until 2099-12-31" in extended.output
    ended = run("watch", "end", watch["id"], "--reason", "arrested", user="alice")
    assert ended.output.strip() == f"ended {watch['id']} ({PHONE_KEY})"
    assert run("watch", "list", user="alice").output.strip() == "(none)"
    assert watch["id"] in run("watch", "list", "--all", user="alice").output
    refused = run("watch", "add", "--observable", "nonsense", user="alice")
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: cannot tell what 'nonsense' is")
    assert len(refused.output.strip().splitlines()) == 1
    hidden = run("watch", "show", watch["id"], user="carla")
    assert (hidden.exit_code, hidden.output.strip()) == (1, f"Error: no watch {watch['id']!r}")
    assert run("watch", "--help").exit_code == 0
    for command in ("add", "list", "show", "hits", "end", "extend"):
        helped = run("watch", command, "--help")
        assert helped.exit_code == 0
        assert "--url" in helped.output


@pytest.fixture
def live(world: World, database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(database_url, tmp_path) as server:
        yield server


def test_the_command_line_works_against_a_running_node(world: World, live: LiveServer) -> None:
    runner = CliRunner()

    def remote(*args: str) -> Any:
        env = {"PASSERELLE_TOKEN": world.tokens["alice"], "PASSERELLE_USER": ""}
        result = runner.invoke(cli, [*args, "--url", live.base_url, "--json"], env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    watch = remote("watch", "add", "--name", "Ivan Petrov", "--until", "2099-01-01")
    assert remote("watch", "list", "--all") == [watch]
    assert remote("watch", "show", watch["id"]) == watch
    assert remote("watch", "hits", "--watch", watch["id"], "--limit", "5") == []
    assert remote("watch", "extend", watch["id"], "--until", "2099-06-01")["until"].startswith(
        "2099-06-01"
    )
    assert remote("watch", "end", watch["id"], "--reason", "done")["state"] == "ended"
    with world.database.read() as conn:
        assert conn.execute(select(watch_keys)).all() == []


def test_a_node_in_another_phone_region_keys_watches_and_hits_alike(
    world: World, clock: FakeClock
) -> None:
    """One source of settings: a node made with phone region RU reads a national number
    the same way when it makes the watch and when it matches what arrives."""
    settings = Settings(db_url="unused://", phone_region="RU")
    with TestClient(create_app(settings, world.database, clock=clock)) as client:
        alice = bearer(world, "alice")
        made = client.post("/api/watches", json={"observable": "8 912 345-67-89"}, headers=alice)
        assert made.status_code == 201, made.text
        assert made.json()["keys"] == ["phone:+79123456789"]
        posted = Taxii(client, "boris", world.tokens["boris"]).post_objects(
            world.collection("fr-ru"), [mentioning("his number: 8 (912) 345 67 89")]
        )
        assert posted.json()["success_count"] == 1
        [hit] = client.get("/api/watch-hits", headers=alice).json()
        assert hit["matched"] == "phone:+79123456789"
