"""What each step of a tip's lifecycle records and sends back to the producer.

An effect runs inside the step's write transaction, after the receipt's state was checked
and before anything is written: it returns the :class:`Change` to make, or raises to
refuse the request. The table that says which effect each step has is in
:mod:`passerelle.exchange.tips.lifecycle`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, select

from passerelle.core.context import Context, stamp
from passerelle.errors import BadInput
from passerelle.exchange import feedback
from passerelle.exchange.feedback import FeedbackMarking, TipRecord
from passerelle.exchange.tips.contents import visible_contents
from passerelle.exchange.tips.models import AckRequest, CloseRequest, State, TipRef
from passerelle.exchange.watches import watch_subjects
from passerelle.policy.directory import viewer_by_id
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.store.schema import users


@dataclass(frozen=True)
class Step:
    """A step of the lifecycle under way, inside its write transaction."""

    ctx: Context
    conn: Connection
    record: TipRecord
    receipt: Any
    marking: FeedbackMarking
    target: State
    now: int


@dataclass(frozen=True)
class Change:
    """What a step records on the receipt, sends back to the producer and audits."""

    values: dict[str, Any]
    feedback: list[dict[str, Any]]
    audit: dict[str, Any]


RequestT_contra = TypeVar("RequestT_contra", bound=TipRef, contravariant=True)


class Effect(Protocol[RequestT_contra]):
    """What a step records and sends back, for the request that asked for it."""

    def __call__(self, step: Step, request: RequestT_contra, /) -> Change:
        """Return the change to make; raise to refuse the request."""
        ...


def state_detail(
    record: TipRecord, org_name: str, state: str, now: int, **extra: Any
) -> dict[str, Any]:
    """Return the structured feedback of a receipt reaching a state (empty extras left out)."""
    detail: dict[str, Any] = {
        "tip": record.id,
        "kind": "tip-state",
        "organisation": org_name,
        "state": state,
        "at": stamp(now),
    }
    detail.update({k: v for k, v in extra.items() if v not in (None, "")})
    return detail


def _owner(conn: Connection, viewer: Viewer, username: str | None) -> tuple[int, str]:
    if not username or username == viewer.username:
        return viewer.user_id, viewer.username
    row = conn.execute(
        select(users.c.id, users.c.role).where(
            users.c.username == username, users.c.org_id == viewer.org_id
        )
    ).first()
    if row is None or row.role == Role.AUDITOR.value:
        raise BadInput(f"no user {username!r} in your organisation who could own a tip")
    return row.id, username


def acknowledged(step: Step, request: AckRequest) -> Change:
    """Name the tip's owner; tell the producer who is on it."""
    owner_id, owner_name = _owner(step.conn, step.ctx.viewer, request.owner)
    org = step.ctx.viewer.org_name
    item = feedback.note(
        step.marking,
        [step.record.stix_id],
        f"Acknowledged: {org} is on it",
        f"{org} acknowledged this tip on {stamp(step.now)}; its owner is {owner_name}.",
        state_detail(step.record, org, step.target, step.now, owner=owner_name),
        step.now,
    )
    return Change({"owner_id": owner_id}, [item], {"owner": owner_name})


def investigating(step: Step, _request: TipRef) -> Change:
    """Tell the producer that the investigation started."""
    org = step.ctx.viewer.org_name
    item = feedback.note(
        step.marking,
        [step.record.stix_id],
        f"Investigating: {org}",
        f"{org} started investigating this tip on {stamp(step.now)}.",
        state_detail(step.record, org, step.target, step.now),
        step.now,
    )
    return Change({}, [item], {})


def check_outcome(request: CloseRequest) -> None:
    """Refuse an outcome that lacks what it must say, or says what belongs to another."""
    if request.outcome != "actioned" and (request.arrests is not None or request.seizures.strip()):
        raise BadInput("arrests and seizures belong to the 'actioned' outcome")
    if request.outcome == "actioned" and not (
        request.arrests or request.seizures.strip() or request.note.strip()
    ):
        raise BadInput("an 'actioned' outcome says what was done: --arrests, --seizures or --note")
    if request.outcome == "no_link_found" and not request.checked.strip():
        raise BadInput("a 'no_link_found' outcome must say what was checked (--checked)")
    if (
        request.outcome == "no_link_found"
        and not request.watch
        and not request.no_watch_reason.strip()
    ):
        raise BadInput(
            "closing with no_link_found puts the tip's subjects on watch; "
            "to leave them unwatched, give a reason (--no-watch REASON)"
        )


def _outcome_text(org: str, request: CloseRequest) -> str:
    parts = [f"{org} closed this tip: {request.outcome.replace('_', ' ')}."]
    if request.arrests is not None:
        parts.append(f"Arrests: {request.arrests}.")
    if request.seizures.strip():
        parts.append(f"Seized: {request.seizures.strip()}.")
    if request.checked.strip():
        parts.append(f"Checked: {request.checked.strip()}.")
    if request.note.strip():
        parts.append(request.note.strip())
    return " ".join(parts)


def _sightings(
    step: Step, contents: Sequence[tuple[str, str]], text: str, detail: dict[str, Any]
) -> list[dict[str, Any]]:
    """Return the Sightings an ``actioned`` outcome reports: of the threats the tip held,
    else of the tip's own object (unless that is itself a relationship or a sighting)."""
    threats = [i for i, kind in contents if kind in feedback.THREAT_TYPES]
    record = step.record
    if not threats and record.stix_id.split("--")[0] not in ("relationship", "sighting"):
        threats = [record.stix_id]
    return [feedback.sighting(step.marking, t, text, detail, step.now) for t in threats[:100]]


def _watch_contents(step: Step, contents: Sequence[tuple[str, str]]) -> list[str]:
    """Put the tip's subjects on watch for the receipt's owner (else the closing user)."""
    viewer, owner_id = step.ctx.viewer, step.receipt.owner_id
    owner = viewer if owner_id in (None, viewer.user_id) else viewer_by_id(step.conn, owner_id)
    return watch_subjects(
        step.conn,
        owner=owner,
        created_by=viewer,
        subject_ids=[i for i, _kind in contents],
        source_tip_id=step.record.id,
        until=None,
        now=step.now,
        rules=step.ctx.keys,
    )


def closed(step: Step, request: CloseRequest) -> Change:
    """Record the outcome; send back a Note and an Opinion (and Sightings if actioned), and
    put the subjects of a tip closed with no link found on watch unless declined."""
    org, record, now = step.ctx.viewer.org_name, step.record, step.now
    text = _outcome_text(org, request)
    structured = {
        "outcome": request.outcome,
        "arrests": request.arrests,
        "seizures": request.seizures.strip(),
        "checked": request.checked.strip(),
        "note": request.note.strip(),
    }
    detail = state_detail(record, org, step.target, now, **structured)
    items = [
        feedback.note(
            step.marking, [record.stix_id], f"Outcome: {request.outcome}", text, detail, now
        ),
        feedback.opinion(step.marking, record, request.outcome, text, detail, now),
    ]
    contents = visible_contents(step.conn, step.ctx.viewer, record)
    if request.outcome == "actioned":
        items += _sightings(step, contents, text, detail)
    values: dict[str, Any] = {**structured}
    values["watch_declined"] = "" if request.watch else request.no_watch_reason.strip()
    audit_detail: dict[str, Any] = {"outcome": request.outcome}
    if request.outcome == "no_link_found" and request.watch:
        audit_detail["watches"] = _watch_contents(step, contents)
    return Change(values, items, audit_detail)
