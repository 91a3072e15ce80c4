"""Feedback that flows back to a tip's producer as STIX objects in the tip's channel.

A receipt on arrival, an acknowledgement, the start of an investigation and the outcome
are each a Note whose structured content rides in Passerelle's handling extension under
``feedback``; an outcome adds an Opinion, and ``actioned`` adds a Sighting of each threat
object the tip held. A watch hit that came from a partner's tip goes back as a Note too.

Feedback inherits the tip's handling rules. In a channel that other organisations also
read, it goes TLP:RED to the producer's named users (the person who shared the tip, and
the producer's own named recipients of a RED tip), so that a recipient never sees another
recipient's state.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, exists, select

from passerelle.objects.hooks import Hooks
from passerelle.objects.ingest import store_all_or_nothing
from passerelle.objects.writing import Write, writing
from passerelle.policy.actions import effective_tlp, restricts_onward_sharing
from passerelle.policy.directory import Channel, channel_row_to_channel, viewer_by_id
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import version_visible_anywhere
from passerelle.stix.markings import (
    FEEDBACK,
    HANDLING_EXTENSION_ID,
    TLP2_IDS,
    Handling,
    HandlingCode,
    Tlp,
    most_restrictive,
)
from passerelle.stix.timestamps import micros_to_text
from passerelle.store.database import Database
from passerelle.store.schema import (
    channel_members,
    channel_objects,
    channels,
    object_recipients,
    objects,
    organisations,
    tips,
    users,
    watch_hits,
    watches,
)

# Objects whose sighting an "actioned" outcome reports: the threats the tip was about.
THREAT_TYPES = frozenset(
    {
        "threat-actor",
        "intrusion-set",
        "campaign",
        "indicator",
        "malware",
        "tool",
        "infrastructure",
        "attack-pattern",
    }
)

# How each outcome reads as a STIX Opinion on the tip's object.
OPINIONS = {
    "actioned": "strongly-agree",
    "corroborated": "agree",
    "refuted": "strongly-disagree",
    "no_link_found": "neutral",
    "no_longer_relevant": "neutral",
}


@dataclass(frozen=True)
class TipRecord:
    """A tip as stored, with the names needed to write feedback about it."""

    id: str
    stix_id: str
    version: str
    channel_id: int
    producer_org_id: int
    shared_by: int
    sharer: str
    shared_at: int
    ack_deadline: int
    outcome_deadline: int
    action_requested: str


def tip_record(row: Any) -> TipRecord:
    """Build a TipRecord from a row of ``tips`` joined with the sharer's ``username``."""
    return TipRecord(
        row.id,
        row.stix_id,
        row.version,
        row.channel_id,
        row.producer_org_id,
        row.shared_by,
        row.sharer,
        row.shared_at,
        row.ack_deadline,
        row.outcome_deadline,
        row.action_requested,
    )


def load_tip(conn: Connection, tip_id: str) -> TipRecord | None:
    """Read a tip by id, without any policy: callers have already decided who may see it."""
    row = conn.execute(
        select(tips, users.c.username.label("sharer"))
        .join(users, users.c.id == tips.c.shared_by)
        .where(tips.c.id == tip_id)
    ).first()
    return None if row is None else tip_record(row)


@dataclass(frozen=True)
class FeedbackMarking:
    """The handling feedback carries: a TLP, handling codes and RED recipients."""

    tlp: Tlp
    codes: HandlingCode
    h3_text: str
    recipients: tuple[str, ...]

    def apply(self, obj: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
        """Mark a STIX object and attach the structured feedback in the extension."""
        extension: dict[str, Any] = {"extension_type": "property-extension", FEEDBACK: detail}
        if self.codes:
            extension["handling_codes"] = [code.name for code in HandlingCode if code in self.codes]
        if self.h3_text:
            extension["h3_text"] = self.h3_text
        if self.tlp is Tlp.RED:
            extension["recipients"] = list(self.recipients)
        obj["object_marking_refs"] = [TLP2_IDS[self.tlp]]
        obj["extensions"] = {HANDLING_EXTENSION_ID: extension}
        return obj


def _placed_tlp(conn: Connection, tip: TipRecord) -> Tlp:
    placed = conn.execute(
        select(channel_objects.c.tlp).where(
            channel_objects.c.stix_id == tip.stix_id,
            channel_objects.c.version == tip.version,
            channel_objects.c.channel_id == tip.channel_id,
        )
    ).scalar()
    own = effective_tlp(conn, tip.stix_id, tip.version)
    strictest = most_restrictive(
        Handling(tlp=None if placed is None else Tlp(placed)), Handling(tlp=own)
    ).tlp
    return Tlp.AMBER if strictest is None else strictest


def feedback_marking(conn: Connection, tip: TipRecord, from_org_id: int) -> FeedbackMarking:
    """Work out the handling of feedback from one receiving organisation on a tip."""
    row = conn.execute(
        select(objects.c.handling_codes, objects.c.h3_text).where(
            objects.c.stix_id == tip.stix_id, objects.c.version == tip.version
        )
    ).one()
    tlp = _placed_tlp(conn, tip)
    others_read = conn.execute(
        select(
            exists().where(
                channel_members.c.channel_id == tip.channel_id,
                channel_members.c.can_read.is_(True),
                channel_members.c.org_id.not_in([tip.producer_org_id, from_org_id]),
            )
        )
    ).scalar()
    recipients: tuple[str, ...] = ()
    if tlp is Tlp.RED or others_read:
        named = conn.execute(
            select(object_recipients.c.username)
            .join(users, users.c.username == object_recipients.c.username)
            .where(
                object_recipients.c.stix_id == tip.stix_id,
                object_recipients.c.version == tip.version,
                users.c.org_id == tip.producer_org_id,
            )
        ).scalars()
        recipients = tuple(dict.fromkeys([tip.sharer, *named]))
        tlp = Tlp.RED
    return FeedbackMarking(tlp, HandlingCode(row.handling_codes), row.h3_text, recipients)


def _base(kind: str, now: int) -> dict[str, Any]:
    moment = micros_to_text(now)
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--{uuid.uuid4()}",
        "created": moment,
        "modified": moment,
    }


def note(
    marking: FeedbackMarking,
    refs: Sequence[str],
    abstract: str,
    content: str,
    detail: dict[str, Any],
    now: int,
) -> dict[str, Any]:
    """Build a feedback Note about the referred objects."""
    obj = _base("note", now) | {
        "abstract": abstract[:250],
        "content": content,
        "object_refs": list(refs),
    }
    return marking.apply(obj, detail)


def opinion(
    marking: FeedbackMarking,
    tip: TipRecord,
    outcome: str,
    explanation: str,
    detail: dict[str, Any],
    now: int,
) -> dict[str, Any]:
    """Build the Opinion an outcome gives of the tip's object."""
    obj = _base("opinion", now) | {
        "opinion": OPINIONS[outcome],
        "explanation": explanation,
        "object_refs": [tip.stix_id],
    }
    return marking.apply(obj, detail)


def sighting(
    marking: FeedbackMarking, threat_id: str, description: str, detail: dict[str, Any], now: int
) -> dict[str, Any]:
    """Build the Sighting an ``actioned`` outcome reports of one threat object."""
    moment = micros_to_text(now)
    obj = _base("sighting", now) | {
        "sighting_of_ref": threat_id,
        "count": 1,
        "first_seen": moment,
        "last_seen": moment,
        "description": description,
    }
    return marking.apply(obj, detail)


def channel_of(conn: Connection, channel_id: int) -> Channel:
    """Return a channel by its row id."""
    return channel_row_to_channel(
        conn.execute(select(channels).where(channels.c.id == channel_id)).one()
    )


def author_for(conn: Connection, org_id: int, acting: Viewer) -> Viewer:
    """Return who places feedback of an organisation: the acting user when they belong to it.

    A receipt is written on arrival, when nobody of the receiving organisation has acted
    yet: its producer is that organisation and the placement is recorded under the user
    whose sharing caused it.
    """
    if acting.org_id == org_id:
        return acting
    name = conn.execute(
        select(organisations.c.name).where(organisations.c.id == org_id)
    ).scalar_one()
    return Viewer(acting.user_id, acting.username, org_id, name, Role.LIAISON, acting.purpose)


def post(
    write: Write,
    author: Viewer,
    tip: TipRecord,
    items: Sequence[dict[str, Any]],
) -> list[str]:
    """Store feedback objects in the tip's channel (the write holds its lock)."""
    channel = channel_of(write.conn, tip.channel_id)
    store_all_or_nothing(write, author, channel, items)
    return [item["id"] for item in items]


def _hit_report(
    conn: Connection, hit: Any, tip: TipRecord, owner: Viewer
) -> tuple[FeedbackMarking | None, bool, str]:
    """Decide whether (and how) a watch hit may be told to the tip's producer."""
    sharer = viewer_by_id(conn, tip.shared_by)
    # The version that hit, not any version: an older one the partner sees says nothing
    # about whether they may learn of this one.
    partner_sees = version_visible_anywhere(conn, sharer, hit.stix_id, hit.version)
    row = conn.execute(
        select(objects.c.producer_org_id, objects.c.handling_codes).where(
            objects.c.stix_id == hit.stix_id, objects.c.version == hit.version
        )
    ).one()
    tlp = effective_tlp(conn, hit.stix_id, hit.version)
    own = row.producer_org_id == owner.org_id
    if not partner_sees and not (
        own and not restricts_onward_sharing(tlp, HandlingCode(row.handling_codes))
    ):
        return None, False, "the matching object's handling rules do not allow telling the partner"
    marking = feedback_marking(conn, tip, owner.org_id)
    # The report tells of the matching object too, so the stricter TLP of the two applies;
    # only the TLP: handling codes and RED recipients stay those of the tip's feedback.
    strictest = most_restrictive(Handling(tlp=marking.tlp), Handling(tlp=tlp)).tlp
    level = marking.tlp if strictest is None else strictest
    if level is Tlp.RED:
        marking = FeedbackMarking(
            level, marking.codes, marking.h3_text, marking.recipients or (tip.sharer,)
        )
    else:
        marking = FeedbackMarking(level, marking.codes, marking.h3_text, ())
    return marking, partner_sees, ""


def report_watch_hit(database: Database, hooks: Hooks, hit_id: int, now: int) -> None:
    """Tell the partner whose tip started a watch that it hit, if the rules allow.

    Runs in its own transaction and only on a hit still 'pending', so calling it again
    after a crash never sends a second Note.
    """
    with database.read() as conn:
        found = conn.execute(
            select(watch_hits, watches.c.source_tip_id, watches.c.owner_id, watches.c.label)
            .join(watches, watches.c.id == watch_hits.c.watch_id)
            .where(watch_hits.c.id == hit_id, watch_hits.c.report_state == "pending")
        ).first()
        tip = load_tip(conn, found.source_tip_id) if found and found.source_tip_id else None
    if found is None:
        return
    pending = and_(watch_hits.c.id == hit_id, watch_hits.c.report_state == "pending")
    if tip is None:
        with database.write() as conn:
            conn.execute(watch_hits.update().where(pending).values(report_state="none"))
        return
    with writing(database, hooks, now, [tip.channel_id]) as write:
        conn = write.conn
        if conn.execute(select(watch_hits.c.id).where(pending)).first() is None:
            return
        owner = viewer_by_id(conn, found.owner_id)
        marking, partner_sees, reason = _hit_report(conn, found, tip, owner)
        if marking is None:
            conn.execute(
                watch_hits.update()
                .where(pending)
                .values(report_state="withheld", report_reason=reason)
            )
            return
        refs = [tip.stix_id, found.stix_id] if partner_sees else [tip.stix_id]
        seen = micros_to_text(found.at)
        detail = {
            "tip": tip.id,
            "kind": "watch-hit",
            "organisation": owner.org_name,
            "watch": found.label,
            "matched": found.matched,
            "at": seen,
        }
        if partner_sees:
            detail["object"] = found.stix_id
        content = (
            f"{owner.org_name} closed your tip with no link found and kept its subject on watch "
            f"({found.label}). New information matching it arrived on {seen[:10]}"
            + (f": {found.stix_id}." if partner_sees else ".")
        )
        item = note(marking, refs, f"Watch hit on your tip: {found.label}", content, detail, now)
        note_id = post(write, owner, tip, [item])[0]
        conn.execute(
            watch_hits.update().where(pending).values(report_state="sent", report_id=note_id)
        )
