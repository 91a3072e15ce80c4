"""Reading drafts and their elements from the store, as their organisation alone sees
them, and the read operations (list, show)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

import orjson
from sqlalchemy import Connection, Select, func, select

from passerelle.core.context import Context, stamp
from passerelle.core.references import find_record, unknown
from passerelle.errors import BadInput, Conflict
from passerelle.intake.review.elements import report_elements
from passerelle.intake.review.models import DraftRef, DraftSummary, DraftView, Element, ListDrafts
from passerelle.intake.review.recognition import same_article
from passerelle.policy.drafts import drafts_kept_by
from passerelle.policy.viewer import Viewer
from passerelle.policy.workflow import require_worker
from passerelle.store.schema import channels, intake_drafts, users
from passerelle.store.schema import intake_elements as elements

_POSITION: Final = re.compile(r"^\d{1,6}$")


def _select_drafts(viewer: Viewer) -> Select[Any]:
    creator = users.alias("draft_creator")
    return (
        select(
            intake_drafts,
            channels.c.title.label("channel_title"),
            channels.c.collection_id.label("collection_id"),
            creator.c.username.label("creator_name"),
        )
        .join(channels, channels.c.id == intake_drafts.c.channel_id)
        .join(creator, creator.c.id == intake_drafts.c.created_by)
        .where(drafts_kept_by(viewer))
    )


def find_draft(conn: Connection, viewer: Viewer, reference: str) -> Any:
    """Return the draft the viewer means; another organisation's is never matched."""
    return find_record(
        conn, _select_drafts(viewer), intake_drafts.c.id, "draft", "draft", reference
    )


def _counts(conn: Connection, ids: Sequence[str]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    if not ids:
        return found
    rows = conn.execute(
        select(elements.c.draft_id, elements.c.state, func.count().label("n"))
        .where(elements.c.draft_id.in_(ids), elements.c.kind != "report")
        .group_by(elements.c.draft_id, elements.c.state)
    )
    for row in rows:
        found.setdefault(row.draft_id, {})[row.state] = row.n
    return found


def _summary_view(
    row: Any, counts: dict[str, int], same: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "channel": row.channel_title,
        "lang": row.lang,
        "published": row.published,
        "source_url": row.source_url,
        "created": stamp(row.created) or "",
        "created_by": row.creator_name,
        "state": row.state,
        "pending": counts.get("pending", 0),
        "accepted": counts.get("accepted", 0) + counts.get("corrected", 0),
        "rejected": counts.get("rejected", 0),
        "report_id": row.report_id,
        "replaces": row.replaces,
        "same_article": (same or {}).get(row.id, []),
    }


def original_objects(row: Any) -> dict[str, dict[str, Any]]:
    """Return the objects of a draft as intake made them, by id, with its dates."""
    bundle = orjson.loads(row.bundle)
    found = {obj["id"]: obj for obj in bundle["objects"]}
    for obj in bundle["objects"]:
        if obj.get("type") == "report":
            found.update((date["id"], date) for date in report_elements(obj))
    return found


def element_rows(conn: Connection, draft_id: str) -> list[Any]:
    """Return the elements of a draft in their order, with who decided each."""
    decider = users.alias("element_decider")
    return list(
        conn.execute(
            select(elements, decider.c.username.label("decider_name"))
            .outerjoin(decider, decider.c.id == elements.c.decided_by)
            .where(elements.c.draft_id == draft_id)
            .order_by(elements.c.position)
        )
    )


def element_view(row: Any, originals: dict[str, dict[str, Any]]) -> Element:
    """Return an element as answered: its object as it would be published."""
    body = orjson.loads(row.corrected_body) if row.corrected_body else originals[row.stix_id]
    return Element(
        number=row.position,
        stix_id=row.stix_id,
        kind=row.kind,
        summary=row.summary,
        state=row.state,
        entity_id=row.entity_id,
        decided_by=row.decider_name,
        decided_at=stamp(row.decided_at),
        object=body,
    )


def draft_view(conn: Connection, row: Any) -> DraftView:
    """Return a draft as answered, with its elements."""
    counts = _counts(conn, [row.id]).get(row.id, {})
    originals = original_objects(row)
    return DraftView(
        **_summary_view(row, counts, same_article(conn, intake_drafts.c.org_id == row.org_id, row)),
        elements=[element_view(e, originals) for e in element_rows(conn, row.id)],
    )


def find_element(conn: Connection, draft: Any, reference: str) -> Any:
    """Return the element of a draft named by its number, STIX id or uuid prefix."""
    text = reference.strip().lower()
    rows = element_rows(conn, draft.id)
    if _POSITION.match(text):
        found = [r for r in rows if r.position == int(text)]
    elif "--" in text:
        found = [r for r in rows if r.stix_id == text]
    else:
        if len(text) < 8:
            raise BadInput(
                f"element {reference.strip()[:80]!r}: give its number, its STIX id or at "
                "least 8 characters of its uuid"
            )
        found = [r for r in rows if r.stix_id.split("--", 1)[-1].startswith(text)]
    if not found:
        raise unknown("element", reference)
    if len(found) > 1:
        raise BadInput(f"element {reference.strip()[:80]!r} is ambiguous: give more of its id")
    return found[0]


def require_open(row: Any) -> None:
    """Refuse a draft that was published already, or replaced by an update."""
    if row.state == "replaced":
        raise Conflict(
            f"draft {row.id} was replaced by an update of the same article: review that one"
        )
    if row.state != "open":
        raise Conflict(f"draft {row.id} was published already")


def list_drafts(ctx: Context, request: ListDrafts) -> list[DraftSummary]:
    """List your organisation's drafts, newest first; published ones only with ``all``."""
    viewer = ctx.viewer
    require_worker(viewer)
    with ctx.database.read() as conn:
        query = _select_drafts(viewer)
        if not request.all:
            query = query.where(intake_drafts.c.state == "open")
        rows = conn.execute(
            query.order_by(intake_drafts.c.created.desc(), intake_drafts.c.id)
        ).all()
        counts = _counts(conn, [r.id for r in rows])
        same = same_article(conn, drafts_kept_by(viewer))
        return [DraftSummary(**_summary_view(r, counts.get(r.id, {}), same)) for r in rows]


def show_draft(ctx: Context, request: DraftRef) -> DraftView:
    """Show a draft of your organisation with its elements."""
    require_worker(ctx.viewer)
    with ctx.database.read() as conn:
        return draft_view(conn, find_draft(conn, ctx.viewer, request.draft_id))
