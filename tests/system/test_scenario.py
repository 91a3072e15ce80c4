"""DESIGN.md's scenario end to end on one node with two organisations (dgsi and fsb)."""

from __future__ import annotations

from typing import Any

from passerelle.durations import DAY, HOUR
from passerelle.exchange import tips, watches
from passerelle.objects.ingest import ingest
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from tests.exchange_support import ContextFor, FakeClock, cell_report, feedback_seen_by, store
from tests.stixgen import T0, identity, stix_id
from tests.world import World

PHONE = "+33 6 12 34 56 78"


def _warning() -> list[dict[str, Any]]:
    """fsb's warning about a radicalised man, with several spellings of his name."""
    man = identity(
        "Ruslan Daudov",
        description="Also written Руслан Даудов, Rouslan Daoudov.",
        contact_information=f"mobile {PHONE}",
        object_marking_refs=[TLP2_IDS[Tlp.AMBER]],
    )
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": stix_id("report"),
        "created": T0,
        "modified": T0,
        "name": "Radicalised man intends to join armed groups abroad",
        "published": T0,
        "object_refs": [man["id"]],
        "object_marking_refs": [TLP2_IDS[Tlp.AMBER]],
    }
    return [man, report]


def test_success_then_the_failure_made_impossible(
    world: World, ctx: ContextFor, clock: FakeClock
) -> None:
    # A (dgsi) tips B (fsb) about the cell; B acts on it; the outcome flows back.
    plot = cell_report()
    store(world, "alice", "fr-ru", plot)
    tip = tips.share(ctx("alice"), tips.ShareRequest(object_id=plot[2]["id"], channel="fr-ru"))
    back = feedback_seen_by(world, "alice", tip.id)
    assert [f["extensions"][HANDLING_EXTENSION_ID]["feedback"]["state"] for f in back] == [
        "received"
    ]
    clock.advance(2 * HOUR)
    tips.acknowledge(ctx("boris"), tips.AckRequest(tip_id=tip.id))
    clock.advance(3 * DAY)
    tips.close(
        ctx("boris"),
        tips.CloseRequest(
            tip_id=tip.id,
            outcome="actioned",
            arrests=7,
            seizures="explosive components, automatic weapons",
        ),
    )
    receipt = tips.sent(ctx("alice"), tips.ListRequest(all=True))[0].receipts[0]
    assert (receipt.outcome, receipt.arrests) == ("actioned", 7)
    kinds = sorted(f["type"] for f in feedback_seen_by(world, "alice", tip.id))
    assert kinds == ["note", "note", "note", "opinion", "sighting"]

    # The reverse: B warns A about a man; A checks, finds nothing, closes.
    warning = _warning()
    store(world, "boris", "fr-ru", warning)
    old = tips.share(ctx("boris"), tips.ShareRequest(object_id=warning[1]["id"], channel="fr-ru"))
    tips.acknowledge(ctx("alice"), tips.AckRequest(tip_id=old.id, owner="alain"))
    closed = tips.close(
        ctx("alice"),
        tips.CloseRequest(
            tip_id=old.id, outcome="no_link_found", checked="border crossings under 'Daudov'"
        ),
    )
    # The subject is now on watch, owned by alain, however the file was closed.
    assert len(closed.receipts[0].watches) == 1
    watch_id = closed.receipts[0].watches[0]
    kept = watches.list_watches(ctx("alain"), watches.ListWatches())
    assert [(w.id, w.owner, w.source_tip_id) for w in kept] == [(watch_id, "alain", old.id)]
    assert watches.list_hits(ctx("alain"), watches.ListHits()) == []

    # Months later, a travel record under another spelling arrives with the same phone.
    clock.advance(150 * DAY)
    travel = identity(
        "Rouslan Daoudov",
        description="One-way ticket to Istanbul",
        contact_information="tel. 06 12 34 56 78",
        object_marking_refs=[TLP2_IDS[Tlp.AMBER]],
    )
    result = ingest(
        world.database,
        world.hooks,
        world.viewer("alain"),
        world.channels["community"],
        [travel],
        clock=clock,
    )
    assert result.failures == []
    hits = watches.list_hits(ctx("alain"), watches.ListHits())
    assert [(h.object_id, h.watch_id) for h in hits] == [(travel["id"], watch_id)]
    assert hits[0].matched == "phone:+33612345678"
    # The hit is in the owner's inbox and a Note went back to B.
    inbox = tips.inbox(ctx("alain"), tips.ListRequest())
    assert [h.object_id for h in inbox.watches.hits] == [travel["id"]]
    assert hits[0].report_state == "sent"
    told = [
        f
        for f in feedback_seen_by(world, "boris", old.id)
        if f["extensions"][HANDLING_EXTENSION_ID]["feedback"]["kind"] == "watch-hit"
    ]
    assert len(told) == 1
    assert told[0]["id"] == hits[0].report_id
    # The travel record sits in a channel fsb does not read: the Note says a hit came,
    # never what the record holds.
    assert told[0]["object_refs"] == [warning[1]["id"]]
    assert travel["id"] not in told[0]["content"]
    # Nobody else hears of it.
    assert feedback_seen_by(world, "carla", old.id) == []
    assert watches.list_hits(ctx("carla"), watches.ListHits()) == []
