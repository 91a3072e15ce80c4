"""What a reviewer adds to a draft that intake missed: an entity (its name and label, where
the article names it or nowhere) and a fact (a relationship between two entities of the
draft). An added element counts as reviewed (``corrected``): it is published with the
others, and what refers to it follows its corrections as for any element."""

from __future__ import annotations

import uuid
from typing import Any, Final

import orjson

from passerelle.audit import log as audit
from passerelle.core.context import Context
from passerelle.core.limits import MAX_REASON
from passerelle.errors import BadInput
from passerelle.intake.model import LABEL_TYPES
from passerelle.intake.review.decisions import append_element
from passerelle.intake.review.elements import summary_of
from passerelle.intake.review.models import AddEntity, AddFact, Element
from passerelle.intake.review.reading import (
    element_view,
    find_draft,
    find_element,
    original_objects,
    require_open,
)
from passerelle.keys.names import MAX_NAME
from passerelle.policy.workflow import require_worker
from passerelle.stix.validation import InvalidObject, validate_object

#: The properties an added object takes from the draft's report: version, times, handling.
_INHERITED: Final = ("spec_version", "created", "modified", "object_marking_refs", "extensions")


def _report_of(draft: Any) -> dict[str, Any]:
    bundle = orjson.loads(draft.bundle)
    return next(o for o in bundle["objects"] if o.get("type") == "report")


def _span(report: dict[str, Any], start: int | None, end: int | None) -> dict[str, Any] | None:
    """Return the place in the article the offsets name ({start, end, text}), or none."""
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise BadInput("give both offsets (start and end) or neither")
    text = report.get("x_passerelle_article_text")
    if not isinstance(text, str):
        raise BadInput("the draft holds no article text: add it without offsets")
    if not 0 <= start < end <= len(text):
        raise BadInput(f"offsets {start}-{end} are outside the article (0-{len(text)})")
    return {"start": start, "end": end, "text": text[start:end]}


def _checked(obj: dict[str, Any]) -> dict[str, Any]:
    try:
        validate_object(obj)
    except InvalidObject as exc:
        raise BadInput(f"the added object is not valid STIX 2.1: {exc.reason}") from exc
    return obj


def entity_object(report: dict[str, Any], request: AddEntity) -> dict[str, Any]:
    """Return the STIX object of an entity the reviewer names, marked as the report is."""
    name = " ".join(request.name.split())
    if not name or len(name) > MAX_NAME:
        raise BadInput(f"give a name of 1 to {MAX_NAME} characters")
    stix_type = LABEL_TYPES[request.label]
    obj: dict[str, Any] = {k: report[k] for k in _INHERITED if k in report}
    obj.update(type=stix_type, id=f"{stix_type}--{uuid.uuid4()}", name=name)
    obj["x_passerelle_label"] = request.label
    obj["x_passerelle_added"] = True
    span = _span(report, request.start, request.end)
    if span is not None:
        obj["x_passerelle_mentions"] = [span]
    if request.label in ("person", "organization"):
        obj["identity_class"] = "individual" if request.label == "person" else "organization"
    elif request.label == "location":
        obj["region"] = "unknown"
    elif request.label == "platform":
        obj["description"] = "Messaging service or platform named in the article"
    return _checked(obj)


def _side(conn: Any, draft: Any, reference: str, role: str) -> Any:
    """Return the entity element a fact's side names; refuse anything else."""
    row = find_element(conn, draft, reference)
    if row.kind != "entity":
        raise BadInput(f"the {role} of a fact is an entity; element {row.position} is a {row.kind}")
    if row.state == "rejected":
        raise BadInput(f"the {role}, element {row.position}, was rejected: accept it first")
    return row


def fact_object(
    report: dict[str, Any], subject: Any, target: Any, request: AddFact
) -> dict[str, Any]:
    """Return the relationship of a fact the reviewer states between two entity elements
    (it refers to them by their ids in the draft; publishing follows their corrections)."""
    if subject.stix_id == target.stix_id:
        raise BadInput("a fact is between two different entities")
    obj: dict[str, Any] = {k: report[k] for k in _INHERITED if k in report}
    verb = " ".join(request.verb.split())
    obj.update(
        type="relationship",
        id=f"relationship--{uuid.uuid4()}",
        relationship_type=request.kind,
        source_ref=subject.stix_id,
        target_ref=target.stix_id,
        x_passerelle_added=True,
    )
    if verb:
        obj["x_passerelle_verb"] = verb
    span = _span(report, request.start, request.end)
    if span is not None:
        obj.update(x_passerelle_start=span["start"], x_passerelle_end=span["end"])
        obj["description"] = span["text"]
    return _checked(obj)


def _added(ctx: Context, draft_ref: str, make: Any, reason: str, action: str) -> Element:
    viewer = ctx.viewer
    require_worker(viewer)
    with ctx.database.write() as conn:
        draft = find_draft(conn, viewer, draft_ref)
        require_open(draft)
        obj = make(conn, draft, _report_of(draft))
        originals = original_objects(draft)
        names = {k: str(o.get("name", "")) for k, o in originals.items() if o.get("name")}
        number = append_element(ctx, conn, draft, obj, summary_of(obj, names))
        detail: dict[str, Any] = {"element": obj["id"], "added": summary_of(obj, names)}
        if reason.strip():
            detail["reason"] = reason.strip()[:MAX_REASON]
        audit.record(ctx.database, conn, viewer, action, [draft.id, obj["id"]], detail)
        draft = find_draft(conn, viewer, draft.id)
        return element_view(find_element(conn, draft, str(number)), original_objects(draft))


def add_entity(ctx: Context, request: AddEntity) -> Element:
    """Add an entity intake missed to a draft (it counts as reviewed)."""
    return _added(
        ctx,
        request.draft_id,
        lambda conn, draft, report: entity_object(report, request),
        request.reason,
        "intake-draft-add-entity",
    )


def add_fact(ctx: Context, request: AddFact) -> Element:
    """Add a fact intake missed, between two entities of a draft (it counts as reviewed)."""

    def make(conn: Any, draft: Any, report: dict[str, Any]) -> dict[str, Any]:
        subject = _side(conn, draft, request.subject, "subject")
        target = _side(conn, draft, request.object, "object")
        return fact_object(report, subject, target, request)

    return _added(ctx, request.draft_id, make, request.reason, "intake-draft-add-fact")
