"""Storing a draft for review: the bundle intake printed, or an article the node reads."""

from __future__ import annotations

from typing import Any

import orjson

from passerelle.audit import log as audit
from passerelle.core.context import Context, new_id
from passerelle.errors import BadInput, Forbidden, PasserelleError
from passerelle.intake.review.elements import (
    draft_objects,
    kind_of,
    proposed_entity,
    report_elements,
    summary_of,
)
from passerelle.intake.review.models import DraftView, StoreDraft
from passerelle.intake.review.reading import (
    draft_view,
    element_rows,
    find_draft,
    original_objects,
)
from passerelle.intake.review.recognition import (
    carried,
    earlier_draft,
    fingerprint,
    recognised,
    require_same_channel,
    source_key,
    updated_bundle,
)
from passerelle.policy.posting import posting_refusal
from passerelle.policy.visibility import channel_for
from passerelle.policy.workflow import require_worker
from passerelle.resolution.aliases import load_alias_data
from passerelle.store.schema import intake_drafts
from passerelle.store.schema import intake_elements as elements


def store_draft(ctx: Context, request: StoreDraft) -> DraftView:
    """Store a draft for review, for a channel you may write into."""
    viewer = ctx.viewer
    require_worker(viewer)
    with ctx.database.read() as conn:
        channel = channel_for(conn, viewer, request.channel.strip())
        refused = posting_refusal(conn, viewer, channel.id, channel.title)
    if refused:
        raise Forbidden(refused)
    bundle = _bundle_of(ctx, request)
    report, others = draft_objects(bundle)
    found, url = fingerprint(report), source_key(report.get("x_passerelle_source_url"))
    now = ctx.now()
    draft_id = new_id("draft")
    with ctx.database.write() as conn:
        earlier = earlier_draft(conn, viewer, found, url)
        again: dict[str, Any] = {}
        if earlier is not None and not request.update:
            raise recognised(*earlier)
        if earlier is not None:
            require_same_channel(earlier[0], channel.id)
            bundle, again = _update_of(conn, earlier[0], bundle)
            report, others = draft_objects(bundle)
        names = {o["id"]: str(o.get("name", "")) for o in others if o.get("name")}
        published = report.get("published")
        conn.execute(
            intake_drafts.insert().values(
                id=draft_id,
                org_id=viewer.org_id,
                channel_id=channel.id,
                created_by=viewer.user_id,
                created=now,
                title=str(report.get("name", ""))[:1000],
                lang=str(report.get("x_passerelle_lang", ""))[:20],
                published=str(published)[:10] if isinstance(published, str) else None,
                source_url=str(report.get("x_passerelle_source_url", "")),
                bundle=orjson.dumps(bundle).decode(),
                state="open",
                fingerprint=found,
                replaces=earlier[0].id if earlier else None,
            )
        )
        everything = [report, *others, *report_elements(report)]
        present = {o["id"] for o in everything}
        rows = [
            _element_row(draft_id, number, obj, names, report, present, again.get(obj["id"]))
            for number, obj in enumerate(everything)
        ]
        conn.execute(elements.insert(), rows)
        detail: dict[str, Any] = {"channel": channel.title, "elements": len(rows) - 1}
        if earlier is not None:
            detail["updates"] = earlier[0].id
            detail["kept"] = sum(1 for r in rows if r["state"] != "pending") - 1
        audit.record(
            ctx.database, conn, viewer, "intake-draft-store", [draft_id, report["id"]], detail
        )
        return draft_view(conn, find_draft(conn, viewer, draft_id))


def _update_of(conn: Any, earlier: Any, bundle: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The bundle of an update and the earlier decisions found again; an earlier draft
    still under review is replaced by it."""
    rows = element_rows(conn, earlier.id)
    updated, again = updated_bundle(bundle, earlier, rows, original_objects(earlier))
    if earlier.state == "open":
        conn.execute(
            intake_drafts.update().where(intake_drafts.c.id == earlier.id).values(state="replaced")
        )
    return updated, again


def _element_row(
    draft_id: str,
    number: int,
    obj: dict[str, Any],
    names: dict[str, str],
    report: dict[str, Any],
    present: set[str],
    earlier: Any,
) -> dict[str, Any]:
    """The row of one element: pending (the report: accepted), or the decision an update
    keeps."""
    row: dict[str, Any] = {
        "draft_id": draft_id,
        "stix_id": obj["id"],
        "position": number,
        "kind": kind_of(obj),
        "summary": summary_of(obj, names),
        "state": "accepted" if obj is report else "pending",
        "corrected_body": None,
        "decided_by": None,
        "decided_at": None,
        "entity_id": proposed_entity(obj),
    }
    kept = carried(obj, earlier, present, report)
    if kept is not None:
        row.update(kept)
        if kept["corrected_body"]:
            row["summary"] = summary_of(orjson.loads(kept["corrected_body"]), names)
    return row


def _bundle_of(ctx: Context, request: StoreDraft) -> dict[str, Any]:
    if (request.bundle is None) == (request.text is None):
        raise BadInput("give the draft (bundle) or the article (text), one of the two")
    if request.bundle is not None:
        return request.bundle
    assert request.text is not None
    from datetime import date

    from passerelle.intake import INSTALL_HINT
    from passerelle.stix.markings import Tlp

    try:
        from passerelle.intake.pipeline import draft_of
    except ImportError as exc:  # pragma: no cover - the extra is missing
        raise PasserelleError(INSTALL_HINT) from exc
    try:
        day = date.fromisoformat(request.published) if request.published else None
    except ValueError as exc:
        raise BadInput(f"not a date: {request.published!r} (write it as YYYY-MM-DD)") from exc
    try:
        from passerelle.intake.node_linking import NodeLinker
        from passerelle.intake.pipeline import AliasLinker, Linker

        aliases = load_alias_data(ctx.keys.alias_dirs)
        linkers: list[Linker] = [NodeLinker(ctx.database, ctx.viewer), AliasLinker(aliases)]
        made = draft_of(request.text, aliases, lang=request.lang, published=day, linkers=linkers)
    except ImportError as exc:
        raise PasserelleError(INSTALL_HINT) from exc
    return made.bundle(Tlp.parse(request.tlp))
