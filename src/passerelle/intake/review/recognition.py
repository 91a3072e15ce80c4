"""A republished article recognised: a draft of an article the organisation stored already,
as a draft or published, is refused unless it is stored as an update, which keeps the
reviewed decisions.

An article is the same when its text is, once normalised (Unicode NFKC, casefolded,
whitespace runs as one space: :func:`fingerprint`), or when its source URL is (trimmed,
without a trailing slash). An update is a new draft that replaces the last draft of the
article: the report keeps its id (published again, it is a new version of the published
report); each element found again (the same STIX id, else the same kind and summary as
intake made them) keeps its id and its decision (accepted, corrected, rejected) unless
its correction refers to something no longer found; what the reviewer added is carried
over; the rest arrives unreviewed (``pending``).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from typing import Any, Final

import orjson
from sqlalchemy import ColumnElement, Connection, false, or_, select

from passerelle.errors import BadInput, Conflict
from passerelle.intake.review.elements import (
    DATE_TYPE,
    FACT_TYPE,
    kind_of,
    report_elements,
    summary_of,
)
from passerelle.policy.drafts import drafts_kept_by
from passerelle.policy.viewer import Viewer
from passerelle.store.schema import intake_drafts

_NOT_CONTENT_REFS: Final = frozenset(("created_by_ref", "object_marking_refs"))
#: The element types whose ids follow from the report's (dates and fact entries).
_PLACED: Final = (DATE_TYPE, FACT_TYPE)


def fingerprint(report: dict[str, Any]) -> str | None:
    """Return the SHA-256 of a draft report's article text normalised, if it holds one."""
    text = report.get("x_passerelle_article_text")
    if not isinstance(text, str) or not text.strip():
        return None
    words = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(words.encode("utf-8")).hexdigest()


def source_key(url: Any) -> str:
    """Return a source URL as compared (trimmed, no trailing slash); empty if none."""
    return str(url or "").strip().rstrip("/")


def earlier_draft(
    conn: Connection, viewer: Viewer, found: str | None, url: str
) -> tuple[Any, str] | None:
    """Return the organisation's last draft of the same article and how it was
    recognised ("the same text" or "the same source URL"), or none."""
    same = []
    if found:
        same.append(intake_drafts.c.fingerprint == found)
    if url:
        same.append(intake_drafts.c.source_url.in_([url, url + "/"]))
    if not same:
        return None
    row = conn.execute(
        select(intake_drafts)
        .where(drafts_kept_by(viewer), or_(*same), intake_drafts.c.state != "replaced")
        .order_by(intake_drafts.c.created.desc(), intake_drafts.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return row, ("the same text" if found and row.fingerprint == found else "the same source URL")


def recognised(row: Any, how: str) -> Conflict:
    """Return the refusal that says which draft holds the article and what to do."""
    if row.state == "done":
        where = f"published as report {row.report_id} (draft {row.id})"
        then = "a new version of that report"
    else:
        where = f"stored as draft {row.id}, still under review"
        then = "a new draft that replaces it"
    return Conflict(
        f"this article ({how}) was {where}: review that draft, or store this one as an "
        f"update (--update; REST update: true; web: the update box), {then}, keeping the reviewed "
        "decisions"
    )


def same_article(
    conn: Connection, kept: ColumnElement[bool], draft: Any = None
) -> dict[str, list[str]]:
    """Return, for each draft ``kept`` selects (those of one organisation, by
    :func:`passerelle.policy.drafts.drafts_kept_by` or of a draft it found), the other
    drafts (not replaced) of the same article: drafts stored twice before updates existed.
    Given one ``draft``, only those of its article are read."""
    query = select(
        intake_drafts.c.id, intake_drafts.c.fingerprint, intake_drafts.c.source_url
    ).where(kept, intake_drafts.c.state != "replaced")
    if draft is not None:
        url = source_key(draft.source_url)
        query = query.where(
            or_(
                intake_drafts.c.fingerprint == (draft.fingerprint or ""),
                intake_drafts.c.source_url.in_([url, url + "/"]) if url else false(),
            )
        )
    rows = conn.execute(query).all()
    groups: dict[str, set[str]] = {}
    for row in rows:
        for key in (f"text:{row.fingerprint or ''}", f"url:{source_key(row.source_url)}"):
            if key not in ("text:", "url:"):
                groups.setdefault(key, set()).add(row.id)
    others: dict[str, set[str]] = {}
    for ids in groups.values():
        for draft_id in ids:
            others.setdefault(draft_id, set()).update(ids - {draft_id})
    return {k: sorted(v) for k, v in others.items() if v}


def _replaced(value: Any, renamed: dict[str, str]) -> Any:
    if isinstance(value, str):
        return renamed.get(value, value)
    if isinstance(value, list):
        return [_replaced(v, renamed) for v in value]
    if isinstance(value, dict):
        return {k: _replaced(v, renamed) for k, v in value.items()}
    return value


def _refs(obj: dict[str, Any]) -> set[str]:
    """The ids an object refers to (its content references)."""
    found: set[str] = set()
    for prop, value in obj.items():
        if prop in _NOT_CONTENT_REFS or not prop.endswith(("_ref", "_refs")):
            continue
        found.update(v for v in (value if isinstance(value, list) else [value]) if v)
    return {f for f in found if isinstance(f, str)}


def _signature(obj: dict[str, Any], names: dict[str, str]) -> tuple[str, str]:
    return kind_of(obj), " ".join(summary_of(obj, names).casefold().split())


def updated_bundle(
    bundle: dict[str, Any], earlier: Any, rows: Sequence[Any], originals: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the bundle of an update (the earlier draft's ids kept for what is found
    again, and what the reviewer added carried over), and the earlier element row of each
    of its elements found again, by its id in the update."""
    by_id = {r.stix_id: r for r in rows}
    earlier_report = next(r for r in rows if r.kind == "report")
    old_names = {k: str(o.get("name", "")) for k, o in originals.items() if o.get("name")}
    by_signature: dict[tuple[str, str], Any] = {}
    for row in rows:
        if row.stix_id in originals and not originals[row.stix_id].get("x_passerelle_added"):
            by_signature.setdefault(_signature(originals[row.stix_id], old_names), row)
    objects = bundle["objects"]
    names = {o["id"]: str(o.get("name", "")) for o in objects if o.get("name")}
    renamed: dict[str, str] = {}
    taken: set[str] = set()
    for obj in objects:
        if obj.get("type") == "report":
            renamed[obj["id"]] = earlier_report.stix_id
            continue
        match = by_id.get(obj["id"]) or by_signature.get(_signature(obj, names))
        if match is not None and match.stix_id not in taken and match.kind == kind_of(obj):
            taken.add(match.stix_id)
            renamed[obj["id"]] = match.stix_id
    fresh = [_replaced(obj, renamed) for obj in objects]
    report = next(o for o in fresh if o.get("type") == "report")
    found_again = {old: by_id[old] for old in renamed.values() if old in by_id}
    for element in report_elements(report):
        match = by_id.get(element["id"]) or by_signature.get(_signature(element, names))
        if match is not None and match.stix_id not in taken and match.kind == kind_of(element):
            taken.add(match.stix_id)
            found_again[element["id"]] = match
    present = {o["id"] for o in fresh}
    for obj in orjson.loads(earlier.bundle)["objects"]:
        if obj.get("x_passerelle_added") and obj["id"] not in present and _refs(obj) <= present:
            fresh.append(obj)
            present.add(obj["id"])
    found_again.update(
        {o["id"]: by_id[o["id"]] for o in fresh if o.get("x_passerelle_added") and o["id"] in by_id}
    )
    return {**bundle, "objects": fresh}, found_again


def carried(
    obj: dict[str, Any], row: Any, present: set[str], report: dict[str, Any]
) -> dict[str, Any] | None:
    """Return the decision an element found again keeps (state, correction, who and when),
    or none when its correction refers to what is no longer found (it is then pending)."""
    if row is None or row.state == "pending":
        return None
    corrected = orjson.loads(row.corrected_body) if row.corrected_body else None
    if corrected is not None:
        if obj.get("type") == "report":
            corrected = {**report, "name": corrected.get("name", report.get("name"))}
        elif obj.get("type") in _PLACED:
            corrected = {**corrected, "id": obj["id"]}
        if not _refs(corrected) <= present:
            return None
    return {
        "state": row.state,
        "corrected_body": orjson.dumps(corrected).decode() if corrected is not None else None,
        "decided_by": row.decided_by,
        "decided_at": row.decided_at,
        "entity_id": row.entity_id,
    }


def require_same_channel(earlier: Any, channel_id: int) -> None:
    """Refuse an update for another channel than the draft it updates."""
    if earlier.channel_id != channel_id:
        raise BadInput(
            f"draft {earlier.id} of this article is for another channel: update it there"
        )
