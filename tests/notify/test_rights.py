"""Who is told of what: every user of the world subscribes to every kind, the workflow
runs, and each gets exactly the notices the policy allows, saying only what it allows.
An organisation without rights gets nothing; a TLP:RED tip reaches its named users only,
as a bare notice."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import select

from passerelle.durations import HOUR, MINUTE
from passerelle.errors import Forbidden
from passerelle.exchange import rfis, tips, watches
from passerelle.notify import KINDS
from passerelle.notify.models import Subscribe
from passerelle.notify.operations import subscribe
from passerelle.policy import directory
from passerelle.policy.roles import Role
from passerelle.stix.markings import Tlp
from passerelle.stix.timestamps import now_micros
from passerelle.store.notify_tables import notify_queue, notify_subscriptions
from passerelle.store.schema import users
from tests.exchange_support import ContextFor, FakeClock, cell_report, store
from tests.notify.conftest import Deliver
from tests.notify.receivers import Mailbox
from tests.stixgen import identity
from tests.world import World

EVERYONE = ("alice", "alain", "boris", "carla", "oscar")
# What each kind's notice may say beside the link's id (policy/notices.py).
ALLOWED_FACTS = {
    "tip-received": {"tip", "sender", "acknowledge_by", "outcome_by", "title"},
    "outcome-received": {"tip", "partner", "outcome"},
    "deadline-near": {"tip", "rfi", "side", "partner", "missing", "deadline"},
    "overdue": {"tip", "rfi", "side", "partner", "missing", "deadline"},
    "watch-hit": {"watch", "hit_at"},
    "rfi-received": {"rfi", "from", "urgency", "deadline"},
    "rfi-answered": {"rfi", "by", "state"},
}


def subscribe_all(ctx: ContextFor, people: tuple[str, ...]) -> None:
    for person in people:
        for kind in KINDS:
            subscribe(ctx(person), Subscribe(kind=kind, email=f"{person}@node.test"))


def queued(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    """Every notice queued: (recipient, kind, facts)."""
    query = (
        select(users.c.username, notify_queue.c.kind, notify_queue.c.notice)
        .join(notify_subscriptions, notify_subscriptions.c.id == notify_queue.c.subscription_id)
        .join(users, users.c.id == notify_subscriptions.c.user_id)
    )
    with world.database.read() as conn:
        return [(r.username, r.kind, orjson.loads(r.notice)) for r in conn.execute(query)]


def about(facts: dict[str, Any]) -> str:
    return str(facts.get("tip") or facts.get("rfi") or facts.get("watch"))


def test_each_user_is_told_exactly_what_the_rules_allow(
    world: World, ctx: ContextFor, clock: FakeClock, mailbox: Mailbox, deliver: Deliver
) -> None:
    # Objects are stored (and watch hits recorded) on the system clock: start the
    # workflow's clock just before it.
    clock.now = now_micros() - MINUTE
    subscribe_all(ctx, EVERYONE)
    watch = watches.add_watch(ctx("boris"), watches.AddWatch(name="Ivan Petrov"))
    first = cell_report()
    store(world, "alice", "fr-ru", first)  # names the watched man: a hit for fsb
    tip1 = tips.share(ctx("alice"), tips.ShareRequest(object_id=first[2]["id"], channel="fr-ru"))
    rfi = rfis.send_rfi(
        ctx("alice"), rfis.SendRfi(to="fsb", purpose="Who is Petrov?", urgency="normal")
    )
    tips.acknowledge(ctx("boris"), tips.AckRequest(tip_id=tip1.id))
    tips.close(ctx("boris"), tips.CloseRequest(tip_id=tip1.id, outcome="corroborated", note="Seen"))
    rfis.refuse_rfi(ctx("boris"), rfis.RefuseRfi(rfi_id=rfi.id, reason="Not ours to say"))
    second = [identity("Second subject")]
    store(world, "alice", "fr-ru", second)
    tip2 = tips.share(ctx("alice"), tips.ShareRequest(object_id=second[0]["id"], channel="fr-ru"))
    deliver()
    ack_deadline = 24 * HOUR
    clock.advance(ack_deadline - HOUR)
    deliver()
    clock.advance(2 * HOUR)
    deliver()

    got = sorted((who, kind, about(facts)) for who, kind, facts in queued(world))
    expected = []
    for dgsi in ("alice", "alain"):
        expected += [
            (dgsi, "outcome-received", tip1.id),
            (dgsi, "rfi-answered", rfi.id),
            (dgsi, "deadline-near", tip2.id),
            (dgsi, "overdue", tip2.id),
        ]
    expected += [
        ("boris", "tip-received", tip1.id),
        ("boris", "tip-received", tip2.id),
        ("boris", "watch-hit", watch.id),
        ("boris", "rfi-received", rfi.id),
        ("boris", "deadline-near", tip2.id),
        ("boris", "overdue", tip2.id),
    ]
    assert got == sorted(expected)
    for _who, kind, facts in queued(world):
        assert set(facts) <= ALLOWED_FACTS[kind], (kind, facts)
        text = orjson.dumps(facts).decode()
        for secret in ("Petrov", "Who is", "Not ours", "Seen", "912 345", "9123456789"):
            assert secret not in text, (kind, facts)
    # Every notice went out, and none to cert or the outsider.
    recipients = sorted({str(m["To"]) for m in mailbox.messages})
    assert recipients == ["alain@node.test", "alice@node.test", "boris@node.test"]
    assert len(mailbox.messages) == len(expected)


def test_a_red_tip_is_told_only_to_its_named_users_and_barely(
    world: World, ctx: ContextFor, clock: FakeClock, deliver: Deliver
) -> None:
    with world.database.write() as conn:
        directory.add_user(conn, "fsb", "bogdan", Role.ANALYST)
    subscribe_all(ctx, ("alice", "alain", "boris", "bogdan", "carla"))
    items = cell_report(Tlp.RED, recipients=("boris",))
    store(world, "alice", "fr-ru", items)
    tip = tips.share(ctx("alice"), tips.ShareRequest(object_id=items[2]["id"], channel="fr-ru"))
    tips.acknowledge(ctx("boris"), tips.AckRequest(tip_id=tip.id))
    tips.close(ctx("boris"), tips.CloseRequest(tip_id=tip.id, outcome="actioned", arrests=7))
    clock.advance(MINUTE)
    deliver()
    got = sorted((who, kind, facts.get("withheld", False)) for who, kind, facts in queued(world))
    assert got == [
        ("alain", "outcome-received", True),
        ("alice", "outcome-received", True),
        ("boris", "tip-received", True),
    ]


def test_auditors_may_not_subscribe(world: World, ctx: ContextFor) -> None:
    with world.database.write() as conn:
        directory.add_user(conn, "dgsi", "audrey", Role.AUDITOR)
    with pytest.raises(Forbidden):
        subscribe(ctx("audrey"), Subscribe(kind="tip-received", email="audrey@dgsi.test"))
