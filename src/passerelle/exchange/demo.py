"""The demonstration node: two partner services living the scenario of DESIGN.md.

- Atlas warns Boreal of a seven-person cell, directed over Telegram, that plans to bomb
  religious sites in Boreal's second city; Boreal acknowledges, investigates, arrests
  seven and seizes explosives and weapons; the outcome flows back to Atlas.
- Years earlier, the other way round: Boreal warned Atlas about a radicalised man, with
  several spellings of his name; Atlas found no link and closed the tip, which put him on
  watch; months later a travel record with his phone number arrives, the watch hits, and
  Boreal is told.
- More tips in other states (received, acknowledged and overdue) and RFIs, so that every
  screen and command has something to show.

All of it is written through the same operations users call, on a clock set back in time.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from passerelle.core.context import Context
from passerelle.durations import DAY, HOUR
from passerelle.exchange import rfis, tips
from passerelle.keys.rules import KeyRules
from passerelle.objects.hooks import Hooks
from passerelle.objects.ingest import ingest
from passerelle.policy import directory
from passerelle.policy.directory import Membership
from passerelle.policy.roles import Role
from passerelle.settings import ExchangeSettings
from passerelle.stix.markings import TLP2_IDS, Tlp
from passerelle.stix.timestamps import micros_to_text
from passerelle.store.database import Database
from passerelle.store.schema import organisations

ATLAS = "Atlas Service"
BOREAL = "Boreal Service"
CHANNEL = "atlas-boreal"
USERS: tuple[tuple[str, str, Role], ...] = (
    (ATLAS, "anna", Role.LIAISON),
    (ATLAS, "adam", Role.ANALYST),
    (BOREAL, "bella", Role.LIAISON),
    (BOREAL, "bruno", Role.ANALYST),
    (ATLAS, "aude", Role.AUDITOR),
)
RADICAL_PHONE = "+33 6 12 34 56 78"
STORY_STARTS = 300 * DAY
_NAMESPACE = uuid.UUID("5b0d3f5e-8a57-4c1e-9a43-0c2f1d7e6a90")


@dataclass
class _Clock:
    now: int

    def __call__(self) -> int:
        return self.now


@dataclass
class Demo:
    """What the demo made: the users' tokens and a summary of the story."""

    tokens: dict[str, str] = field(default_factory=dict)
    created: bool = False
    story: list[str] = field(default_factory=list)


def _id(kind: str, name: str) -> str:
    return f"{kind}--{uuid.uuid5(_NAMESPACE, name)}"


def _sdo(kind: str, name: str, at: int, tlp: Tlp = Tlp.AMBER, **extra: Any) -> dict[str, Any]:
    stamp = micros_to_text(at)
    obj = {
        "type": kind,
        "spec_version": "2.1",
        "id": _id(kind, name),
        "created": stamp,
        "modified": stamp,
        "name": name,
        "object_marking_refs": [TLP2_IDS[tlp]],
    }
    obj.update(extra)
    return obj


def _report(name: str, at: int, refs: Sequence[dict[str, Any]], description: str) -> dict[str, Any]:
    return _sdo(
        "report",
        name,
        at,
        published=micros_to_text(at),
        description=description,
        object_refs=[r["id"] for r in refs],
    )


def exists(database: Database) -> bool:
    """Tell whether the demo organisations are already there."""
    with database.read() as conn:
        found = conn.execute(select(organisations.c.id).where(organisations.c.name == ATLAS))
        return found.first() is not None


def _refresh_tokens(database: Database) -> dict[str, str]:
    with database.write() as conn:
        return {name: directory.replace_token(conn, name) for _org, name, _role in USERS}


def build(database: Database, keys: KeyRules, hooks: Hooks, now: int) -> Demo:
    """Set up the demo on a database (once); on a second run only issue fresh tokens."""
    demo = Demo()
    if exists(database):
        demo.tokens = _refresh_tokens(database)
        return demo
    demo.created = True
    with database.write() as conn:
        for org in (ATLAS, BOREAL):
            directory.add_organisation(conn, org)
        for org, name, role in USERS:
            demo.tokens[name] = directory.add_user(conn, org, name, role)
        channel = directory.add_channel(
            conn,
            CHANNEL,
            [Membership(ATLAS, True, True), Membership(BOREAL, True, True)],
            description="Bilateral channel between Atlas and Boreal",
        )
    # Late enough that the watch the first closure starts (a year's term) is still live
    # on the day the demo is run, early enough that its hit comes months after.
    clock = _Clock(now - STORY_STARTS)

    def context(username: str) -> Context:
        with database.read() as conn:
            viewer = directory.viewer_by_name(conn, username, "demo scenario")
        return Context(database, viewer, keys, hooks, clock, ExchangeSettings())

    def post(username: str, items: list[dict[str, Any]]) -> None:
        result = ingest(database, hooks, context(username).viewer, channel, items, clock=clock)
        if result.failures:
            raise RuntimeError(f"demo data refused: {result.failures[0].message}")

    # 1. The failure, years earlier: Boreal warns Atlas; Atlas finds nothing and closes.
    man = _sdo(
        "identity",
        "Ruslan Daudov",
        clock.now,
        identity_class="individual",
        description="Also written Руслан Даудов, Rouslan Daoudov, Ruslan Dawdov.",
        contact_information=f"mobile {RADICAL_PHONE}",
    )
    warning = _report(
        "Radicalised man intends to join armed groups abroad",
        clock.now,
        [man],
        "Ruslan Daudov (Руслан Даудов) has radicalised and means to travel to join armed "
        "groups abroad. Several spellings of his name are in use.",
    )
    post("bella", [man, warning])
    old = tips.share(
        context("bella"),
        tips.ShareRequest(
            object_id=warning["id"],
            channel=CHANNEL,
            action_requested="Check whether he is on your territory; tell us what you find",
        ),
    )
    clock.now += 5 * HOUR
    tips.acknowledge(context("adam"), tips.AckRequest(tip_id=old.id))
    clock.now += 9 * DAY
    tips.close(
        context("adam"),
        tips.CloseRequest(
            tip_id=old.id,
            outcome="no_link_found",
            checked="national databases, border crossings under 'Daudov', phone subscriber records",
        ),
    )
    demo.story.append(
        f"Boreal's tip on Ruslan Daudov: Atlas found no link; he is on watch ({old.id})"
    )

    # 2. Months later, a travel record under another spelling carries his phone number.
    clock.now = now - 120 * DAY
    travel = _sdo(
        "identity",
        "Rouslan Daoudov",
        clock.now,
        identity_class="individual",
        description="Passenger on a flight to Istanbul, one-way ticket.",
        contact_information=f"phone {RADICAL_PHONE.replace(' ', '')}",
    )
    post("adam", [travel])
    demo.story.append(
        "a travel record under another spelling hit the watch by his phone number; Boreal "
        "was told, and Atlas's review queue proposes it as the same man"
    )

    # 3. The success: Atlas warns Boreal of the cell; Boreal arrests seven.
    clock.now = now - 20 * DAY
    cell = _sdo(
        "intrusion-set",
        "Cell directed over Telegram",
        clock.now,
        description="Seven people directed from abroad through a Telegram channel.",
    )
    telegram = _sdo(
        "infrastructure",
        "Telegram channel of the cell",
        clock.now,
        infrastructure_types=["command-and-control"],
    )
    cathedral = _sdo(
        "location", "Cathedral, Boreal's second city", clock.now, region="europe", country="ZZ"
    )
    plot = _report(
        "Cell plans bombings of religious sites",
        clock.now,
        [cell, telegram, cathedral],
        "A seven-person cell plans bombings of religious sites in your second city; "
        "a cathedral is named. Orders come over Telegram.",
    )
    post("anna", [cell, telegram, cathedral, plot])
    plot_tip = tips.share(
        context("anna"),
        tips.ShareRequest(
            object_id=plot["id"],
            channel=CHANNEL,
            ack_within="6h",
            outcome_within="14d",
            action_requested="Find and stop the cell",
        ),
    )
    clock.now += 2 * HOUR
    tips.acknowledge(context("bella"), tips.AckRequest(tip_id=plot_tip.id, owner="bruno"))
    clock.now += 4 * HOUR
    tips.investigate(context("bruno"), tips.TipRef(tip_id=plot_tip.id))
    clock.now += 3 * DAY
    tips.close(
        context("bruno"),
        tips.CloseRequest(
            tip_id=plot_tip.id,
            outcome="actioned",
            arrests=7,
            seizures="explosive components, automatic weapons",
            note="Cell dismantled before the attack. Our head of state thanked yours by phone.",
        ),
    )
    demo.story.append(f"Atlas's tip on the cell: actioned, 7 arrests ({plot_tip.id})")

    # 4. A tip Boreal acknowledged but has not closed: its outcome is overdue.
    clock.now = now - 16 * DAY
    recruiter = _sdo(
        "threat-actor", "Online recruiter 'Abu Musa'", clock.now, threat_actor_types=["terrorist"]
    )
    recruiting = _report(
        "Recruitment over messaging apps",
        clock.now,
        [recruiter],
        "A recruiter known as Abu Musa contacts teenagers in your country.",
    )
    post("anna", [recruiter, recruiting])
    late = tips.share(
        context("anna"), tips.ShareRequest(object_id=recruiting["id"], channel=CHANNEL)
    )
    clock.now += 20 * HOUR
    tips.acknowledge(context("bruno"), tips.AckRequest(tip_id=late.id))
    demo.story.append(f"Atlas's tip on a recruiter: acknowledged, outcome overdue ({late.id})")

    # 5. A fresh tip from Boreal, just received by Atlas.
    clock.now = now - 3 * HOUR
    courier = _sdo("identity", "Courier of the network", clock.now, identity_class="individual")
    funding = _report(
        "Funds moved through a courier",
        clock.now,
        [courier],
        "Cash moved across the border by a courier, monthly.",
    )
    post("bella", [courier, funding])
    fresh = tips.share(
        context("bella"), tips.ShareRequest(object_id=funding["id"], channel=CHANNEL)
    )
    demo.story.append(f"Boreal's tip on a courier: received, awaiting acknowledgement ({fresh.id})")

    # 6. RFIs: one answered, one open and urgent.
    clock.now = now - 10 * DAY
    asked = rfis.send_rfi(
        context("bella"),
        rfis.SendRfi(
            to=ATLAS,
            purpose="Travel history of the cell's members in the last two years",
            urgency="normal",
            about=cell["id"],
        ),
    )
    clock.now += 2 * DAY
    rfis.answer_rfi(context("anna"), rfis.AnswerRfi(rfi_id=asked.id, objects=[telegram["id"]]))
    clock.now = now - 2 * HOUR
    rfis.send_rfi(
        context("anna"),
        rfis.SendRfi(
            to=BOREAL,
            purpose="Identity of the courier's contact at the border",
            urgency="urgent",
            about=courier["id"],
        ),
    )
    demo.story.append("two RFIs: one answered, one urgent and open")
    return demo
