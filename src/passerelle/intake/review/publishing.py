"""Publishing a reviewed draft: its accepted elements and its report, stored in its channel
through the ordinary write path; references to what was not accepted dropped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import orjson
from sqlalchemy import Connection, func, select

from passerelle.audit import log as audit
from passerelle.core.context import Context
from passerelle.errors import BadInput, Conflict, Forbidden
from passerelle.intake.review.elements import FACT_TYPE, date_of, entry_of
from passerelle.intake.review.models import DraftRef, Published
from passerelle.intake.review.reading import (
    draft_view,
    element_rows,
    find_draft,
    original_objects,
    require_open,
)
from passerelle.intake.review.speakers import heard_from
from passerelle.objects.ingest import store_all_or_nothing
from passerelle.policy.posting import posting_refusal
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import channel_for
from passerelle.policy.workflow import require_worker
from passerelle.resolution.aliases import ensure_loaded, load_alias_data
from passerelle.stix.timestamps import micros_to_text, text_to_micros
from passerelle.store.entity_tables import entities, entity_links
from passerelle.store.schema import intake_drafts

#: The states of an element that is published.
DECIDED: Final = ("accepted", "corrected")
_NOT_CONTENT_REFS: Final = frozenset(("created_by_ref", "object_marking_refs"))
#: The report's properties that hold elements (published only as reviewed) or the mark of
#: a draft.
_UNREVIEWED: Final = ("x_passerelle_draft", "x_passerelle_dates", "x_passerelle_facts")
FACT_PREFIX: Final = FACT_TYPE + "--"


def _resolved_refs(
    kept: dict[str, dict[str, Any]], mapping: dict[str, str], draft_ids: set[str], report_id: str
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Rewrite references to published ids; leave out what needs an unpublished element."""
    left_out: list[str] = []
    current = dict(kept)
    while True:
        out: dict[str, dict[str, Any]] = {}
        dropped = False
        for original_id, obj in current.items():
            fixed, why = _fixed(obj, mapping, draft_ids, {report_id, *current})
            if why:
                left_out.append(f"{mapping.get(original_id, original_id)}: {why}")
                dropped = True
            else:
                out[original_id] = fixed
        current = out
        if not dropped:
            return current, left_out


def _fixed(
    obj: dict[str, Any], mapping: dict[str, str], draft_ids: set[str], kept: set[str]
) -> tuple[dict[str, Any], str]:
    fixed: dict[str, Any] = {}
    for prop, value in obj.items():
        if prop in _NOT_CONTENT_REFS or not prop.endswith(("_ref", "_refs")):
            fixed[prop] = value
            continue
        if isinstance(value, str):
            if value not in draft_ids or value in kept:
                fixed[prop] = mapping.get(value, value)
            elif not prop.startswith("x_"):
                return obj, f"its {prop} {value} was not accepted"
        elif isinstance(value, list):
            refs = [mapping.get(v, v) for v in value if not (v in draft_ids and v not in kept)]
            if refs:
                fixed[prop] = refs
            elif not prop.startswith("x_"):
                return obj, f"none of its {prop} was accepted"
        else:
            fixed[prop] = value
    return fixed, ""


def publish_draft(ctx: Context, request: DraftRef) -> Published:
    """Publish a reviewed draft: store its accepted elements and its report in its channel."""
    viewer = ctx.viewer
    require_worker(viewer)
    with ctx.database.read() as conn:
        draft = find_draft(conn, viewer, request.draft_id)
        channel = channel_for(conn, viewer, draft.collection_id)
    now = ctx.now()
    aliases = load_alias_data(ctx.keys.alias_dirs)
    with ctx.writing([channel.id]) as write:
        conn = write.conn
        draft = find_draft(conn, viewer, request.draft_id)
        require_open(draft)
        refused = posting_refusal(conn, viewer, channel.id, channel.title)
        if refused:
            raise Forbidden(refused)
        rows = element_rows(conn, draft.id)
        if draft.replaces:  # an update: later than every version published before
            now = max(now, _last_published(conn, draft) + 1000)
        report, kept, left_out = _publishable(draft, rows, now)
        if draft.replaces:  # its objects found again are new versions
            kept = {k: _restamped(obj, now) for k, obj in kept.items()}
        ensure_loaded(ctx.database, conn, aliases, now)
        linked = _accepted_links(conn, viewer, rows, kept, draft.id, now)
        store_all_or_nothing(write, viewer, channel, [report, *kept.values()])
        conn.execute(
            intake_drafts.update()
            .where(intake_drafts.c.id == draft.id)
            .values(
                state="done", published_by=viewer.user_id, published_at=now, report_id=report["id"]
            )
        )
        stored = [report["id"], *(obj["id"] for obj in kept.values())]
        audit.record(
            ctx.database,
            conn,
            viewer,
            "intake-draft-publish",
            [draft.id, *stored],
            {"channel": channel.title, "left_out": left_out, "entity_links": linked},
        )
        view = draft_view(conn, find_draft(conn, viewer, draft.id))
    return Published(draft=view, report_id=report["id"], stored=stored, left_out=left_out)


def _publishable(
    draft: Any, rows: Sequence[Any], now: int
) -> tuple[dict[str, Any], dict[str, dict[str, Any]], list[str]]:
    """The report to publish, the accepted objects kept (by their id in the draft), and
    what was left out and why; refused while an element is pending or none was accepted."""
    pending = [r for r in rows if r.state == "pending"]
    if pending:
        raise Conflict(
            f"{len(pending)} element(s) of draft {draft.id} are still pending: "
            "accept, correct or reject each before publishing"
        )
    originals = original_objects(draft)
    bodies = {
        r.stix_id: orjson.loads(r.corrected_body) if r.corrected_body else originals[r.stix_id]
        for r in rows
        if r.state in DECIDED
    }
    dates = [
        date_of(bodies.pop(r.stix_id)) for r in rows if r.kind == "date" and r.stix_id in bodies
    ]
    entries = [
        entry_of(bodies.pop(r.stix_id))
        for r in rows
        if r.kind == "fact" and r.stix_id.startswith(FACT_PREFIX) and r.stix_id in bodies
    ]
    renamed = {r.stix_id for r in rows if r.kind == "entity" and r.state == "corrected"}
    for stix_id, body in bodies.items():
        speaker = body.get("x_passerelle_speaker_ref")
        if body.get("type") == "note" and speaker in renamed and speaker in bodies:
            bodies[stix_id] = heard_from(body, bodies[speaker])
    mapping = {stix_id: str(body["id"]) for stix_id, body in bodies.items()}
    report_row = next(r for r in rows if r.kind == "report")
    report = bodies.pop(report_row.stix_id)
    kept, left_out = _resolved_refs(bodies, mapping, set(originals), report_row.stix_id)
    if not kept:
        raise BadInput(f"nothing of draft {draft.id} was accepted: there is nothing to publish")
    if not any(r.kind == "date" for r in rows) and report.get("x_passerelle_dates"):
        unreviewed = len(report["x_passerelle_dates"])
        left_out.append(f"{unreviewed} date(s): the draft was stored before dates were reviewed")
    if not any(r.stix_id.startswith(FACT_PREFIX) for r in rows) and report.get(
        "x_passerelle_facts"
    ):
        unreviewed = len(report["x_passerelle_facts"])
        left_out.append(f"{unreviewed} fact(s): the draft was stored before they were reviewed")
    facts = [_entry_refs(e, mapping, set(kept)) for e in entries]
    report = _final_report(report, [obj["id"] for obj in kept.values()], now, dates, facts)
    return report, kept, left_out


def _entry_refs(entry: dict[str, Any], mapping: dict[str, str], kept: set[str]) -> dict[str, Any]:
    """A fact entry with its entity references as published: a corrected entity's new id,
    none for an entity that was not accepted (its text stays)."""
    fixed = dict(entry)
    for side in ("actor_ref", "target_ref"):
        ref = fixed.pop(side, None)
        if isinstance(ref, str) and ref in kept:
            fixed[side] = mapping.get(ref, ref)
    return fixed


def _last_published(conn: Connection, draft: Any) -> int:
    """When the organisation last published a draft of the same article (its report)."""
    objects = orjson.loads(draft.bundle)["objects"]
    report_id = next(o["id"] for o in objects if o.get("type") == "report")
    last = conn.execute(
        select(func.max(intake_drafts.c.published_at)).where(
            intake_drafts.c.org_id == draft.org_id, intake_drafts.c.report_id == report_id
        )
    ).scalar()
    return int(last or 0)


def _restamped(obj: dict[str, Any], now: int) -> dict[str, Any]:
    """Return an object of an update as a version newer than any published before."""
    modified = micros_to_text(now)
    created = obj.get("created")
    if isinstance(created, str) and text_to_micros(created) > now:
        modified = created
    return {**obj, "modified": modified}


def _final_report(
    report: dict[str, Any],
    refs: list[str],
    now: int,
    dates: list[dict[str, Any]],
    facts: list[dict[str, Any]],
) -> dict[str, Any]:
    """The report published: what was accepted, and only the dates and fact entries
    reviewed (accepted or corrected; none of a draft stored before they were reviewed)."""
    final = {k: v for k, v in report.items() if k not in _UNREVIEWED}
    final["object_refs"] = refs
    if facts:
        final["x_passerelle_facts"] = facts
    if dates:
        final["x_passerelle_dates"] = sorted(
            dates, key=lambda d: (d.get("start", 0), d.get("end", 0))
        )
    modified = micros_to_text(now)
    created = final.get("created")
    if isinstance(created, str) and text_to_micros(created) > now:
        modified = created
    final["modified"] = modified
    final["description"] = str(final.get("description", "")).replace(
        "Draft from an open source, for review.", "From an open source, reviewed."
    )
    return final


def _accepted_links(
    conn: Connection,
    viewer: Viewer,
    rows: Sequence[Any],
    kept: dict[str, dict[str, Any]],
    draft_id: str,
    now: int,
) -> list[str]:
    """Record the reviewed links of accepted entities to the entities intake proposed.

    Made before the objects are stored, so that storing them teaches those entities
    their names with source ``review`` (what :mod:`passerelle.resolution.linking` does
    for an accepted link).
    """
    from passerelle.resolution import SOURCE_REVIEW, explanation

    wanted = {
        str(kept[r.stix_id]["id"]): r.entity_id
        for r in rows
        if r.kind == "entity" and r.entity_id and r.stix_id in kept
    }
    if not wanted:
        return []
    known = set(
        conn.execute(select(entities.c.id).where(entities.c.id.in_(set(wanted.values())))).scalars()
    )
    by_id = {str(obj["id"]): obj for obj in kept.values()}
    made = []
    for stix_id, entity_id in sorted(wanted.items()):
        if entity_id not in known:
            continue
        name = str(by_id[stix_id].get("name", ""))
        text = explanation(
            name, name, SOURCE_REVIEW, None, [f"accepted in the review of {draft_id}"]
        )
        _accept_link(conn, viewer, stix_id, entity_id, text, now)
        made.append(f"{stix_id} {entity_id}")
    return made


def _accept_link(
    conn: Connection, viewer: Viewer, stix_id: str, entity_id: str, explained: str, now: int
) -> None:
    """Record the link of an object to an entity as accepted by the viewer."""
    existing = conn.execute(
        select(entity_links.c.status).where(
            entity_links.c.stix_id == stix_id, entity_links.c.entity_id == entity_id
        )
    ).first()
    if existing is None:
        conn.execute(
            entity_links.insert().values(
                stix_id=stix_id,
                entity_id=entity_id,
                score=1000,
                explanation=explained,
                status="accepted",
                created=now,
                decided_by=viewer.user_id,
                decided_at=now,
            )
        )
    else:
        conn.execute(
            entity_links.update()
            .where(entity_links.c.stix_id == stix_id, entity_links.c.entity_id == entity_id)
            .values(status="accepted", decided_by=viewer.user_id, decided_at=now)
        )
