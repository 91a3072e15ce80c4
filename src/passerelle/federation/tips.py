"""The exchange loop across nodes: a tip shared to an organisation that lives on a peer's
node arrives in that organisation's inbox there, and the feedback its people send back
updates the receipt on the sender's node.

Three listeners of object writes, each inside the write transaction:

- :func:`announce_tips` (sender's node): when sharing writes the receipt of an
  organisation that a peer speaks for, in a channel pushed to that peer, it places a
  tip announcement beside it: a Note of the tip's producer carrying the tip's id,
  deadlines and requested action in the handling extension (``feedback``, kind
  ``tip-shared``). The receipt Note itself is the receiving organisation's, so the rules of
  departure keep it here; the announcement is the producer's own and leaves like any of its
  objects, if and only if the rules of departure let it (the policy module decides).
- :func:`open_arriving_tips` (receiving node): an announcement written by a peer's node account
  opens the tip there: a tip row under that account and a receipt for the named
  organisation, which writes its receipt Note as sharing does on one node.
- :func:`apply_arriving_feedback` (sender's node): a state Note (acknowledged, investigating,
  closed with its outcome) or a watch-hit Note written by a peer's node account updates the
  receipt of that peer's organisation, and only that one, of a tip its organisation
  received from here; anything else is left as an ordinary object.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select

from passerelle.audit import log as audit
from passerelle.errors import Forbidden
from passerelle.exchange import feedback
from passerelle.exchange.feedback import TipRecord, channel_of, load_tip
from passerelle.exchange.partners import WATCH_HIT_EVENT
from passerelle.exchange.tips.lifecycle import receive, set_recipient
from passerelle.exchange.tips.models import OUTCOMES
from passerelle.federation.peers import Peer, audience, find_peer
from passerelle.objects.hooks import ObjectsStored, StoredVersion
from passerelle.objects.ingest import Refused, store_all_or_nothing
from passerelle.policy.actions import effective_tlp
from passerelle.policy.departure import departure_refusal
from passerelle.policy.directory import viewer_by_id
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.stix.markings import FEEDBACK, HANDLING_EXTENSION_ID, Tlp
from passerelle.stix.timestamps import micros_to_text, text_to_micros
from passerelle.store.federation_tables import peer_links, peers
from passerelle.store.schema import (
    channel_members,
    channel_objects,
    object_recipients,
    organisations,
    tip_events,
    tip_receipts,
    tip_recipients,
    tips,
    users,
)

_log = logging.getLogger(__name__)
# What an announcement may name as the person who shared a tip on the sender's node.
_USERNAME = re.compile(r"[\w.@+-]{1,100}")

SHARED = "tip-shared"
STATE = "tip-state"
WATCH_HIT = "watch-hit"
# The order of a receipt's states: feedback never moves a receipt back.
_RANK = {"received": 0, "acknowledged": 1, "investigating": 2, "closed": 3}
_STAMPS = {
    "acknowledged": "acknowledged_at",
    "investigating": "investigating_at",
    "closed": "closed_at",
}


def feedback_detail(version: StoredVersion) -> Mapping[str, Any] | None:
    """Return the structured feedback a Note carries (None for any other object)."""
    return _detail(version.obj) if version.obj.get("type") == "note" else None


def _org_id(conn: Connection, name: object) -> int | None:
    if not isinstance(name, str):
        return None
    found = conn.execute(select(organisations.c.id).where(organisations.c.name == name)).scalar()
    return None if found is None else int(found)


def _micros(text: object, default: int) -> int:
    try:
        return text_to_micros(str(text))
    except ValueError:
        return default


# -- the sender's node: announcing -------------------------------------------------------


def announce_tips(event: ObjectsStored) -> None:
    """Place a tip announcement beside each receipt written here for a peer's organisation."""
    if event.writer.role is Role.NODE:
        return
    for version in event.new:
        detail = feedback_detail(version)
        if detail is None or detail.get("kind") != STATE or detail.get("state") != "received":
            continue
        org_id = _org_id(event.conn, detail.get("organisation"))
        if org_id is None or org_id != event.writer.org_id:
            continue  # a receipt is written by (for) the receiving organisation
        pushed = _peers_pushed_to(event.conn, event.channel_id, org_id)
        if not pushed:
            continue
        tip = load_tip(event.conn, str(detail["tip"])[:64])
        if tip is not None and _just_received(event, tip, org_id):
            _require_departure(event.conn, pushed, tip, str(detail["organisation"]))
            _announce(event, tip, org_id, str(detail["organisation"]))


def _just_received(event: ObjectsStored, tip: TipRecord, org_id: int) -> bool:
    """Tell whether this is the receipt Note that sharing writes: placed in the tip's
    channel under its sharer's account, for an organisation whose receipt was opened in
    this very transaction (no event recorded yet). A Note written to look like one, by
    anybody, announces nothing."""
    if tip.channel_id != event.channel_id or tip.shared_by != event.writer.user_id:
        return False
    receipt = event.conn.execute(
        select(tip_receipts.c.state).where(
            tip_receipts.c.tip_id == tip.id, tip_receipts.c.org_id == org_id
        )
    ).scalar()
    recorded = event.conn.execute(
        select(tip_events.c.id).where(tip_events.c.tip_id == tip.id, tip_events.c.org_id == org_id)
    ).first()
    return receipt == "received" and recorded is None


def _peers_pushed_to(conn: Connection, channel_id: int, org_id: int) -> list[Peer]:
    """Return the peers that speak for this organisation and receive this channel."""
    names = conn.execute(
        select(peers.c.name)
        .join(peer_links, peer_links.c.peer_id == peers.c.id)
        .where(
            peer_links.c.channel_id == channel_id,
            peer_links.c.push.is_(True),
            peers.c.org_id == org_id,
        )
        .distinct()
    ).scalars()
    return [find_peer(conn, name) for name in sorted(names)]


def _require_departure(conn: Connection, pushed: list[Peer], tip: TipRecord, org: str) -> None:
    """Refuse the sharing, whole, when the rules keep the tip's object here for a peer
    that speaks for a receiving organisation: it could never reach that organisation."""
    for peer in pushed:
        refusal = departure_refusal(conn, audience(conn, peer), tip.channel_id, tip.stix_id,
                                    tip.version)  # fmt: skip
        if refusal:
            raise Forbidden(
                f"{org} works on the node of peer {peer.name!r}; this tip may not leave for it "
                f"({refusal}); nothing was shared"
            )


def _announce(event: ObjectsStored, tip: TipRecord, org_id: int, org_name: str) -> None:
    conn = event.conn
    marking = feedback.feedback_marking(conn, tip, org_id)
    if marking.tlp is Tlp.RED:
        # Only the receiving organisation's people: those the tip names, else its node
        # account(s) here, so that the rules of departure can let it reach that node.
        named = _users_of(conn, org_id, tip)
        marking = feedback.FeedbackMarking(Tlp.RED, marking.codes, marking.h3_text, named)
    detail = {
        "tip": tip.id,
        "kind": SHARED,
        "organisation": org_name,
        "object": tip.stix_id,
        "version": tip.version,
        "shared_at": micros_to_text(tip.shared_at),
        "ack_deadline": micros_to_text(tip.ack_deadline),
        "outcome_deadline": micros_to_text(tip.outcome_deadline),
        "action_requested": tip.action_requested,
        "sharer": tip.sharer,
    }
    item = feedback.note(
        marking,
        [tip.stix_id],
        f"Tip for {org_name}",
        f"{event.writer.username} shared this tip with {org_name} for action"
        + (f": {tip.action_requested}" if tip.action_requested else "."),
        detail,
        event.now,
    )
    sharer = viewer_by_id(conn, tip.shared_by)
    feedback.post(event.write, sharer, tip, [item])


def _users_of(conn: Connection, org_id: int, tip: TipRecord) -> tuple[str, ...]:
    named = conn.execute(
        select(object_recipients.c.username)
        .join(users, users.c.username == object_recipients.c.username)
        .where(
            object_recipients.c.stix_id == tip.stix_id,
            object_recipients.c.version == tip.version,
            users.c.org_id == org_id,
        )
    ).scalars()
    found = tuple(named)
    if found:
        return found
    nodes = conn.execute(
        select(users.c.username).where(users.c.org_id == org_id, users.c.role == Role.NODE.value)
    ).scalars()
    return tuple(nodes)


# -- the receiving node: a tip arrives ---------------------------------------------------


def open_arriving_tips(event: ObjectsStored) -> None:
    """Open the tips that a peer's node account announced, in the named organisation."""
    if event.writer.role is not Role.NODE:
        return
    for version in event.new:
        detail = feedback_detail(version)
        if detail is not None and detail.get("kind") == SHARED:
            refusal = _open(event, detail)
            if refusal:
                _log.warning("tip announcement %s not opened: %s", version.stix_id, refusal)


def _open(event: ObjectsStored, detail: Mapping[str, Any]) -> str:
    conn, node = event.conn, event.writer
    tip_id = str(detail["tip"])[:64]
    org_name = detail.get("organisation")
    org_id = _org_id(conn, org_name)
    if org_id is None or org_id == node.org_id:
        return f"no receiving organisation {str(org_name)[:80]!r} here"
    reads = conn.execute(
        select(channel_members.c.org_id).where(
            channel_members.c.channel_id == event.channel_id,
            channel_members.c.org_id == org_id,
            channel_members.c.can_read.is_(True),
        )
    ).first()
    if reads is None:
        return f"{org_name!r} does not read the channel"
    if conn.execute(select(tips.c.id).where(tips.c.id == tip_id)).first() is not None:
        return "already open"
    if not _placed_here(event, str(detail.get("object", "")), str(detail.get("version", ""))):
        return "the tip's object is not in the channel"
    now = event.now
    record = TipRecord(
        tip_id, str(detail["object"]), str(detail["version"]), event.channel_id,
        node.org_id, node.user_id, node.username, _micros(detail.get("shared_at"), now),
        _micros(detail.get("ack_deadline"), now), _micros(detail.get("outcome_deadline"), now),
        str(detail.get("action_requested", ""))[:2000],
    )  # fmt: skip
    conn.execute(
        tips.insert().values(
            id=record.id, stix_id=record.stix_id, version=record.version,
            channel_id=record.channel_id, producer_org_id=record.producer_org_id,
            shared_by=record.shared_by, shared_at=record.shared_at,
            ack_deadline=record.ack_deadline, outcome_deadline=record.outcome_deadline,
            action_requested=record.action_requested, sharer_name=_person(detail.get("sharer")),
        )
    )  # fmt: skip
    receive(event.write, node, record, org_id, str(org_name), now)
    audit.record(event.database, conn, node, "tip-arrived", [record.stix_id],
                 {"tip": record.id, "to": org_name, "from": node.org_name})  # fmt: skip
    return ""


def _person(name: object) -> str:
    """The sharer an announcement names, shown as a person of the node's organisation and
    never taken for a user here; '' when it names none that reads as a username."""
    return name if isinstance(name, str) and _USERNAME.fullmatch(name) else ""


def _placed_here(event: ObjectsStored, stix_id: str, version: str) -> bool:
    found = event.conn.execute(
        select(channel_objects.c.stix_id).where(
            channel_objects.c.channel_id == event.channel_id,
            channel_objects.c.stix_id == stix_id,
            channel_objects.c.version == version,
            channel_objects.c.producer_org_id == event.writer.org_id,
        )
    ).first()
    return found is not None


# -- the sender's node: feedback arrives -------------------------------------------------


def apply_arriving_feedback(event: ObjectsStored) -> None:
    """Record the feedback a peer's node account sent for its own organisation: the state
    of that node's recipient, the organisation's receipt when it went further, and, when it
    arrived in another channel than the tip's, its placement in the tip's channel (where
    feedback given here is placed), if it fits there under the rules feedback given here
    follows."""
    if event.writer.role is not Role.NODE:
        return
    elsewhere: dict[str, tuple[TipRecord, list[StoredVersion]]] = {}
    for version in event.new:
        detail = _detail(version.obj)
        if detail is None or detail.get("kind") not in (STATE, WATCH_HIT):
            continue
        if detail.get("organisation") != event.writer.org_name:
            continue  # a node reports for its own organisation only
        tip = load_tip(event.conn, str(detail["tip"])[:64])
        if tip is None or tip.producer_org_id == event.writer.org_id:
            continue
        receipt = event.conn.execute(
            select(tip_receipts).where(
                tip_receipts.c.tip_id == tip.id, tip_receipts.c.org_id == event.writer.org_id
            )
        ).first()
        if receipt is None:
            continue  # its organisation never received this tip from here
        if version.obj.get("type") == "note":
            _apply(event, tip, receipt, detail, version.stix_id)
        if tip.channel_id != event.channel_id:
            elsewhere.setdefault(tip.id, (tip, []))[1].append(version)
    for tip, versions in elsewhere.values():
        _bring_to_tip_channel(event, tip, versions)


def _apply(
    event: ObjectsStored, tip: TipRecord, receipt: Any, detail: Mapping[str, Any], note_id: str
) -> None:
    conn, node = event.conn, event.writer
    at = _micros(detail.get("at"), event.now)
    if detail.get("kind") == WATCH_HIT:
        _event(conn, tip, node.org_id, WATCH_HIT_EVENT, node.user_id, at, note_id)
        return
    state = detail.get("state")
    if state not in _RANK:
        return
    values = _state_values(conn, node.org_id, str(state), at, detail, node.user_id)
    _set_remote_recipient(conn, tip.id, node, at, values)
    _event(conn, tip, node.org_id, str(state), node.user_id, at, note_id)
    if _RANK[str(state)] > _RANK.get(receipt.state, 0):
        # The organisation's receipt is the furthest of its recipients' states.
        conn.execute(
            tip_receipts.update()
            .where(tip_receipts.c.tip_id == tip.id, tip_receipts.c.org_id == node.org_id)
            .values(**values)
        )


def _state_values(
    conn: Connection, org_id: int, state: str, at: int, detail: Mapping[str, Any], node_id: int
) -> dict[str, Any]:
    if state == "received":
        return {"state": state, "received_at": at}
    values: dict[str, Any] = {"state": state, _STAMPS[state]: at}
    if state == "acknowledged":
        values["owner_id"] = _owner(conn, org_id, detail.get("owner"), node_id)
    if state == "closed":
        values.update(_outcome(detail))
    return values


def _set_remote_recipient(
    conn: Connection, tip_id: str, node: Viewer, at: int, values: dict[str, Any]
) -> None:
    """Move the state of the recipient on the peer's node, never back (a late or repeated
    state changes nothing there); its first state opens it, received then."""
    now_at = conn.execute(
        select(tip_recipients.c.state).where(
            tip_recipients.c.tip_id == tip_id,
            tip_recipients.c.org_id == node.org_id,
            tip_recipients.c.node == node.username,
        )
    ).scalar()
    if now_at is None:
        set_recipient(conn, tip_id, node.org_id, node.username, {"received_at": at, **values})
    elif _RANK[values["state"]] > _RANK.get(now_at, 0):
        set_recipient(conn, tip_id, node.org_id, node.username, values)


def _detail(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    extensions = obj.get("extensions")
    handling = extensions.get(HANDLING_EXTENSION_ID) if isinstance(extensions, Mapping) else None
    detail = handling.get(FEEDBACK) if isinstance(handling, Mapping) else None
    if not isinstance(detail, Mapping) or not isinstance(detail.get("tip"), str):
        return None
    return detail


def _bring_to_tip_channel(
    event: ObjectsStored, tip: TipRecord, versions: list[StoredVersion]
) -> None:
    """Place feedback that arrived in another channel in the tip's own, as feedback given
    here is placed, when its handling fits there: at least as strict as the tip's feedback
    (TLP:RED naming only the tip's producer's people where others read that channel)."""
    conn = event.conn
    expected = feedback.feedback_marking(conn, tip, event.writer.org_id)
    org_id = event.writer.org_id
    fitting = [v for v in versions if _fits(conn, v, expected, tip, org_id)]
    unfit = [v for v in versions if v not in fitting]
    for version in unfit:
        _log.warning(
            "feedback %s on tip %s not placed in the tip's channel: its handling is looser "
            "than the tip's feedback there", version.stix_id, tip.id,
        )  # fmt: skip
    if not fitting:
        return
    event.database.lock_channels(conn, [tip.channel_id])
    try:
        store_all_or_nothing(
            event.write, event.writer, channel_of(conn, tip.channel_id),
            [dict(version.obj) for version in fitting],
        )  # fmt: skip
    except Refused as refused:
        _log.warning("feedback on tip %s not placed in the tip's channel: %s", tip.id, refused)


def _fits(
    conn: Connection,
    version: StoredVersion,
    expected: feedback.FeedbackMarking,
    tip: TipRecord,
    org_id: int,
) -> bool:
    tlp = effective_tlp(conn, version.stix_id, version.version)
    if tlp is None or tlp < expected.tlp:
        return False
    if tlp is not Tlp.RED:
        return True
    # Who it names must be people of the tip's producer (or, in a channel only the two
    # read, of the reporting organisation), known here.
    allowed = {tip.producer_org_id} if expected.tlp is Tlp.RED else {tip.producer_org_id, org_id}
    named = conn.execute(
        select(object_recipients.c.username, users.c.org_id)
        .outerjoin(users, users.c.username == object_recipients.c.username)
        .where(
            object_recipients.c.stix_id == version.stix_id,
            object_recipients.c.version == version.version,
        )
    ).all()
    return bool(named) and all(row.org_id in allowed for row in named)


def _owner(conn: Connection, org_id: int, name: object, default: int) -> int:
    """The owner named on the far node, when a user of that name and organisation is
    known here; else the peer's node account."""
    if isinstance(name, str):
        found = conn.execute(
            select(users.c.id).where(users.c.username == name, users.c.org_id == org_id)
        ).scalar()
        if found is not None:
            return int(found)
    return default


def _outcome(detail: Mapping[str, Any]) -> dict[str, Any]:
    outcome = detail.get("outcome")
    arrests = detail.get("arrests")
    return {
        "outcome": outcome if outcome in OUTCOMES else None,
        "arrests": arrests if isinstance(arrests, int) and arrests >= 0 else None,
        "seizures": str(detail.get("seizures", ""))[:2000],
        "checked": str(detail.get("checked", ""))[:2000],
        "note": str(detail.get("note", ""))[:4000],
    }


def _event(
    conn: Connection, tip: TipRecord, org_id: int, state: str, user_id: int, at: int, note: str
) -> None:
    conn.execute(
        tip_events.insert().values(
            tip_id=tip.id, org_id=org_id, state=state, user_id=user_id, at=at, feedback_ids=note
        )
    )
