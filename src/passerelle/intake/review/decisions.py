"""Deciding on the elements of a draft: accept, reject, or correct (then it is accepted)."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

import orjson

from passerelle.audit import log as audit
from passerelle.core.context import Context
from passerelle.core.limits import MAX_REASON
from passerelle.errors import BadInput
from passerelle.intake.model import LABEL_TYPES
from passerelle.intake.review.elements import (
    FACT_PROPERTIES,
    FACT_TYPE,
    kind_of,
    proposed_entity,
    summary_of,
)
from passerelle.intake.review.models import Correct, CorrectBody, Decide, Element, ElementState
from passerelle.intake.review.reading import (
    element_rows,
    element_view,
    find_draft,
    find_element,
    original_objects,
    require_open,
)
from passerelle.intake.review.speakers import respoken
from passerelle.keys.names import MAX_NAME
from passerelle.policy.workflow import require_worker
from passerelle.stix.validation import InvalidObject, validate_object
from passerelle.store.schema import intake_drafts
from passerelle.store.schema import intake_elements as elements

# A date's granularity by the length of its value (YYYY, YYYY-MM, YYYY-MM-DD).
DATE_GRANULARITY: Final = {4: "year", 7: "month", 10: "day"}

# Properties every object keeps when a correction changes its label (and type).
_COMMON: Final = (
    "id",
    "spec_version",
    "created",
    "modified",
    "created_by_ref",
    "object_marking_refs",
    "extensions",
    "x_passerelle_mentions",
)


def _decide(
    ctx: Context,
    draft_ref: str,
    element_ref: str,
    state: ElementState,
    reason: str,
    corrected: dict[str, Any] | None = None,
    entity_id: str | None = None,
    added: dict[str, Any] | None = None,
) -> Element:
    viewer = ctx.viewer
    with ctx.database.write() as conn:
        draft = find_draft(conn, viewer, draft_ref)
        require_open(draft)
        row = find_element(conn, draft, element_ref)
        if added is not None:
            append_element(ctx, conn, draft, added)
            draft = find_draft(conn, viewer, draft.id)
        if row.kind == "report" and state == "rejected":
            raise BadInput(
                "the report is always published with what was accepted: correct it instead"
            )
        values: dict[str, Any] = {
            "state": state,
            "decided_by": viewer.user_id,
            "decided_at": ctx.now(),
            "corrected_body": None,
        }
        if corrected is not None:
            originals = original_objects(draft)
            names = {k: str(o.get("name", "")) for k, o in originals.items() if o.get("name")}
            values["corrected_body"] = orjson.dumps(corrected).decode()
            values["summary"] = summary_of(corrected, names)
            values["entity_id"] = entity_id
        else:
            originals = original_objects(draft)
            names = {k: str(o.get("name", "")) for k, o in originals.items() if o.get("name")}
            values["entity_id"] = proposed_entity(originals[row.stix_id])
            values["summary"] = summary_of(originals[row.stix_id], names)
        conn.execute(
            elements.update()
            .where(elements.c.draft_id == draft.id, elements.c.stix_id == row.stix_id)
            .values(**values)
        )
        detail: dict[str, Any] = {"element": row.stix_id}
        if reason.strip():
            detail["reason"] = reason.strip()[:MAX_REASON]
        if corrected is not None:
            detail["corrected"] = values["summary"]
        if added is not None:
            detail["added"] = added["id"]
        action = {"accepted": "accept", "rejected": "reject", "corrected": "correct"}[state]
        audit.record(
            ctx.database, conn, viewer, f"intake-draft-{action}", [draft.id, row.stix_id], detail
        )
        fresh = find_element(conn, draft, str(row.position))
        return element_view(fresh, original_objects(draft))


def accept_element(ctx: Context, request: Decide) -> Element:
    """Accept an element of a draft as it is (undoing a correction or a rejection)."""
    require_worker(ctx.viewer)
    return _decide(ctx, request.draft_id, request.element, "accepted", request.reason)


def reject_element(ctx: Context, request: Decide) -> Element:
    """Reject an element of a draft: it will not be published."""
    require_worker(ctx.viewer)
    return _decide(ctx, request.draft_id, request.element, "rejected", request.reason)


def correct_element(ctx: Context, request: Correct) -> Element:
    """Correct an element of a draft (name, label or the whole object); it is accepted."""
    viewer = ctx.viewer
    require_worker(viewer)
    if (request.body, request.name, request.label, request.value) == (None,) * 4:
        raise BadInput("give the corrected name, label, value or object")
    with ctx.database.read() as conn:
        draft = find_draft(conn, viewer, request.draft_id)
        require_open(draft)
        row = find_element(conn, draft, request.element)
        current = (
            orjson.loads(row.corrected_body)
            if row.corrected_body
            else original_objects(draft)[row.stix_id]
        )
        added = None
        if row.kind == "quotation" and request.name is not None and request.body is None:
            if request.value is not None:
                raise BadInput("only a date has a value")
            rows, originals = element_rows(conn, draft.id), original_objects(draft)
            corrected, added = respoken(current, rows, originals, request.name, request.label)
            keeps_entity = False
        else:
            corrected, keeps_entity = _corrected(row.kind, current, request)
    entity_id = (row.entity_id or proposed_entity(current)) if keeps_entity else None
    if corrected.get("type") != "report" and kind_of(corrected) != row.kind:
        raise BadInput(f"a {row.kind} stays a {row.kind}: reject it instead")
    return _decide(
        ctx,
        request.draft_id,
        str(row.position),
        "corrected",
        request.reason,
        corrected,
        entity_id,
        added,
    )


def append_element(
    ctx: Context, conn: Any, draft: Any, obj: dict[str, Any], summary: str | None = None
) -> int:
    """Add an object the reviewer made to a draft, as a corrected element (last in order),
    and return its number; the draft's bundle holds it from now on, as it holds what
    intake found."""
    bundle = orjson.loads(draft.bundle)
    bundle["objects"].append(obj)
    conn.execute(
        intake_drafts.update()
        .where(intake_drafts.c.id == draft.id)
        .values(bundle=orjson.dumps(bundle).decode())
    )
    last = max(r.position for r in element_rows(conn, draft.id))
    conn.execute(
        elements.insert().values(
            draft_id=draft.id,
            stix_id=obj["id"],
            position=last + 1,
            kind=kind_of(obj),
            summary=summary if summary is not None else summary_of(obj, {}),
            state="corrected",
            corrected_body=orjson.dumps(obj).decode(),
            decided_by=ctx.viewer.user_id,
            decided_at=ctx.now(),
            entity_id=None,
        )
    )
    return int(last + 1)


def _corrected(
    kind: str, current: dict[str, Any], request: CorrectBody
) -> tuple[dict[str, Any], bool]:
    """Return the corrected object, and whether intake's entity link still holds."""
    if kind == "date" or request.value is not None:
        return _corrected_date(kind, current, request), False
    if current.get("type") == FACT_TYPE:
        return _corrected_entry(current, request), False
    if request.body is not None:
        if request.name is not None or request.label is not None:
            raise BadInput("give either the whole object or a name and label, not both")
        obj = dict(request.body)
        obj.setdefault("id", current["id"])
        if (
            obj["id"] != current["id"]
            and str(obj["id"]).split("--", 1)[-1] != current["id"].split("--", 1)[-1]
        ):
            raise BadInput("the corrected object keeps the element's id (its type may change)")
        for prop in ("spec_version", "created", "modified", "object_marking_refs", "extensions"):
            if prop in current:
                obj.setdefault(prop, current[prop])
        if kind == "report":
            obj["type"] = "report"
        keeps = obj.get("type") == current.get("type")
    else:
        obj = dict(current)
        keeps = True
        if request.label is not None:
            if kind != "entity":
                raise BadInput(
                    "only an entity has a label (a quotation's speaker: give its name with it)"
                )
            if request.label != current.get("x_passerelle_label"):
                obj = _relabelled(obj, request.label)
                keeps = False
        if request.name is not None:
            name = " ".join(request.name.split())
            if not name or len(name) > MAX_NAME:
                raise BadInput(f"give a name of 1 to {MAX_NAME} characters")
            if kind in ("entity", "report"):
                obj["name"] = name
            else:
                raise BadInput("a fact has no name: give the corrected object (STIX JSON)")
    try:
        validate_object(obj)
    except InvalidObject as exc:
        raise BadInput(f"the corrected object is not valid STIX 2.1: {exc.reason}") from exc
    return obj, keeps


def _corrected_entry(current: dict[str, Any], request: CorrectBody) -> dict[str, Any]:
    """Return a fact entry (no STIX object) corrected by its properties as JSON."""
    if request.body is None or (request.name, request.label) != (None, None):
        raise BadInput(
            "a fact is corrected by its properties as JSON (verb, label, actor_text, "
            "target_text...)"
        )
    unknown = sorted(set(request.body) - {*FACT_PROPERTIES, "type", "id"})
    if unknown:
        raise BadInput(f"a fact has no property {unknown[0][:40]!r}")
    fixed = {**current, **{k: v for k, v in request.body.items() if k not in ("type", "id")}}
    for prop in ("actor_ref", "target_ref"):
        if fixed.get(prop) != current.get(prop):
            raise BadInput(f"a fact's {prop} is kept (correct the entity it names instead)")
    if any(not isinstance(v, str | int | bool) for k, v in fixed.items() if v is not None):
        raise BadInput("a fact's properties are texts, numbers or true/false")
    return fixed


def _corrected_date(kind: str, current: dict[str, Any], request: CorrectBody) -> dict[str, Any]:
    """Return a date element with its value corrected (its granularity follows)."""
    if kind != "date":
        raise BadInput("only a date has a value")
    if request.value is None or (request.name, request.label, request.body) != (None,) * 3:
        raise BadInput("a date is corrected by its value alone (YYYY-MM-DD, YYYY-MM or YYYY)")
    value = request.value.strip()
    granularity = DATE_GRANULARITY.get(len(value))
    try:
        if granularity is None:
            raise ValueError(value)
        date.fromisoformat((value + "-01-01")[:10])
    except ValueError as exc:
        raise BadInput(
            f"not a date: {value[:40]!r} (write it YYYY-MM-DD, YYYY-MM or YYYY)"
        ) from exc
    return {**current, "value": value, "granularity": granularity}


def _relabelled(obj: dict[str, Any], label: str) -> dict[str, Any]:
    """Return an entity object as another label: its type and properties follow."""
    stix_type = LABEL_TYPES[label]
    fresh: dict[str, Any] = {k: obj[k] for k in _COMMON if k in obj}
    fresh["id"] = f"{stix_type}--{str(obj['id']).split('--', 1)[-1]}"
    fresh["type"] = stix_type
    fresh["name"] = obj.get("name", "")
    fresh["x_passerelle_label"] = label
    if label in ("person", "organization"):
        fresh["identity_class"] = "individual" if label == "person" else "organization"
    elif label == "location":
        fresh["region"] = "unknown"
    elif label == "group" and obj.get("aliases"):
        fresh["aliases"] = obj["aliases"]
    elif label == "platform":
        fresh["description"] = "Messaging service or platform named in the article"
    return fresh
