"""Drafts under review: intake's draft reports stored for an analyst to accept, correct or
reject element by element, then published as intelligence; each an :class:`Operation`
that the REST API and the command line both call.

Rules:

- A draft is stored for a channel its user may write into (the posting rule of
  :func:`passerelle.policy.posting.posting_refusal`), and it is not intelligence: only its
  organisation sees it (:func:`passerelle.policy.drafts.drafts_kept_by` on every read);
  another organisation's draft answers exactly like an id that does not exist; auditors
  take no part.
- Each entity, quotation and fact of the draft is an element, ``pending`` until a person
  accepts, corrects (a new name, label or the whole STIX object; then it counts as
  accepted) or rejects it. The report itself is an element too, accepted from the start:
  it may be corrected (its title), not rejected.
- Publishing (``intake publish``) needs every element decided. It stores, in the draft's
  channel and through the ordinary write path (validation, handling rules, watches,
  correlation and entity resolution), only the accepted and corrected elements and the
  report, which then refers to them alone (and is no longer marked as a draft). A
  reference to an element that was not accepted is dropped from a list, or from an
  intake property (a quotation's speaker); an object whose required reference (a fact's
  subject or object) was not accepted is left out, and the answer says so. The markings
  stay as the draft had them.
- An accepted entity that intake linked to a known entity is linked to it as a reviewed
  link (``accepted``): its names become that entity's with source ``review``, seen by
  whoever may see the published object.
- Storing, accepting, correcting, rejecting and publishing are recorded in the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final, Literal

import orjson
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Select, func, select

from passerelle.audit import log as audit
from passerelle.core.context import Context, new_id, stamp
from passerelle.core.operations import Operation, register
from passerelle.core.references import find_record, unknown
from passerelle.errors import BadInput, Conflict, Forbidden, PasserelleError
from passerelle.objects.ingest import store_all_or_nothing
from passerelle.policy.drafts import drafts_kept_by
from passerelle.policy.posting import posting_refusal
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import channel_for
from passerelle.policy.workflow import require_worker
from passerelle.resolution.aliases import ensure_loaded, load_alias_data
from passerelle.stix.timestamps import micros_to_text, text_to_micros
from passerelle.stix.validation import InvalidObject, validate_object
from passerelle.store.schema import channels, entities, entity_links, intake_drafts, users
from passerelle.store.schema import intake_elements as elements

Kind = Literal["entity", "quotation", "fact", "report"]
ElementState = Literal["pending", "accepted", "rejected", "corrected"]
DraftState = Literal["open", "done"]

MAX_OBJECTS: Final = 2000
MAX_NAME: Final = 300
MAX_SUMMARY: Final = 160
ENTITY_TYPES: Final = frozenset(
    ("identity", "intrusion-set", "threat-actor", "location", "infrastructure")
)
LABEL_TYPES: Final = {
    "person": "identity",
    "organization": "identity",
    "group": "intrusion-set",
    "location": "location",
    "platform": "infrastructure",
}
DECIDED: Final = ("accepted", "corrected")
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
_NOT_CONTENT_REFS: Final = frozenset(("created_by_ref", "object_marking_refs"))
_POSITION: Final = re.compile(r"^\d{1,6}$")


# Requests -------------------------------------------------------------------------------


class StoreDraft(BaseModel):
    """Store a draft for review: the bundle intake made, or an article for the node to read."""

    channel: str = Field(description="The channel it will be published into (you must write).")
    bundle: dict[str, Any] | None = Field(
        default=None, description="The draft as `passerelle intake` printed it (a STIX bundle)."
    )
    text: str | None = Field(
        default=None,
        description="Or the article (plain text or HTML) for the node to read (needs the "
        "node's intake extra).",
    )
    lang: Literal["fr", "en", "ru"] | None = Field(
        default=None, description="With text: the article's language (default: detected)."
    )
    published: str | None = Field(
        default=None, description="With text: publication date, YYYY-MM-DD."
    )
    tlp: Literal["clear", "green", "amber", "amber+strict"] = Field(
        default="clear", description="With text: TLP marking of the draft."
    )


class ListDrafts(BaseModel):
    """Which drafts to list."""

    all: bool = Field(default=False, description="Include published drafts.")


class DraftRef(BaseModel):
    """One draft."""

    draft_id: str = Field(description="The draft: its full id, or 8+ characters of its uuid.")


class DecideBody(BaseModel):
    """Why (optional; kept in the audit log)."""

    reason: str = Field(default="", description="Why (kept in the audit log).")


class Decide(DecideBody):
    """Accept or reject one element of a draft."""

    draft_id: str = Field(description="The draft: its full id, or 8+ characters of its uuid.")
    element: str = Field(
        description="The element: its number in the draft, its STIX id or 8+ characters of "
        "its uuid."
    )


class CorrectBody(BaseModel):
    """A correction: a new name and/or label, or the whole object as STIX JSON."""

    name: str | None = Field(
        default=None,
        description="The right name (an entity, the report's title) or speaker (a quotation).",
    )
    label: Literal["person", "organization", "group", "location", "platform"] | None = Field(
        default=None, description="What an entity is (its STIX type follows)."
    )
    body: dict[str, Any] | None = Field(
        default=None, description="The corrected object as STIX 2.1 JSON (replaces it)."
    )
    reason: str = Field(default="", description="Why (kept in the audit log).")


class Correct(CorrectBody):
    """Correct one element of a draft; it is then accepted."""

    draft_id: str = Field(description="The draft: its full id, or 8+ characters of its uuid.")
    element: str = Field(
        description="The element: its number in the draft, its STIX id or 8+ characters of "
        "its uuid."
    )


# Responses ------------------------------------------------------------------------------


class Element(BaseModel):
    """One reviewable element of a draft."""

    number: int = Field(description="Its number in the draft (to name it in commands).")
    stix_id: str
    kind: Kind
    summary: str
    state: ElementState
    entity_id: str | None = Field(default=None, description="The known entity intake linked.")
    decided_by: str | None = None
    decided_at: str | None = None
    object: dict[str, Any] = Field(description="The object as it would be published.")


class DraftSummary(BaseModel):
    """A draft as its organisation lists it."""

    id: str
    title: str
    channel: str
    lang: str
    published: str | None = None
    source_url: str = ""
    created: str
    created_by: str
    state: DraftState = Field(description="open (under review) or done (published).")
    pending: int
    accepted: int = Field(description="Accepted or corrected elements.")
    rejected: int
    report_id: str | None = Field(default=None, description="The report stored on publishing.")


class DraftView(DraftSummary):
    """A draft with its elements."""

    elements: list[Element]


class Published(BaseModel):
    """What publishing a draft stored."""

    draft: DraftView
    report_id: str
    stored: list[str] = Field(description="The ids of the objects stored in the channel.")
    left_out: list[str] = Field(
        description="Accepted objects left out, and why (a reference to a rejected element)."
    )


# Elements of a bundle -------------------------------------------------------------------


def _kind(obj: dict[str, Any]) -> Kind:
    kind = obj.get("type")
    if kind == "report":
        return "report"
    if kind in ENTITY_TYPES:
        return "entity"
    if kind == "note":
        return "quotation"
    return "fact"


def _short(text: str, limit: int = MAX_SUMMARY) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _summary(obj: dict[str, Any], names: dict[str, str]) -> str:
    kind = _kind(obj)
    if kind == "report":
        return _short(str(obj.get("name", "")))
    if kind == "entity":
        label = obj.get("x_passerelle_label") or obj.get("type")
        return _short(f"{label} {obj.get('name', '')}")
    if kind == "quotation":
        speaker = obj.get("x_passerelle_speaker") or "(speaker unknown)"
        return _short(f"{speaker}: {obj.get('content', '')}")
    if obj.get("type") == "relationship":
        source = names.get(str(obj.get("source_ref")), str(obj.get("source_ref")))
        target = names.get(str(obj.get("target_ref")), str(obj.get("target_ref")))
        return _short(f"{source} {obj.get('relationship_type', '')} {target}")
    text = obj.get("name") or obj.get("description") or obj.get("content") or obj.get("id")
    return _short(f"{obj.get('type')} {text}")


def _draft_objects(bundle: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return (the report, the other objects) of a draft bundle, checked."""
    if bundle.get("type") != "bundle" or not isinstance(bundle.get("objects"), list):
        raise BadInput("the draft must be a STIX bundle, as `passerelle intake` prints it")
    found = bundle["objects"]
    if len(found) > MAX_OBJECTS:
        raise BadInput(f"the draft holds {len(found)} objects; at most {MAX_OBJECTS}")
    reports = [o for o in found if isinstance(o, dict) and o.get("type") == "report"]
    if len(reports) != 1 or not reports[0].get("x_passerelle_draft"):
        raise BadInput("the bundle is not an intake draft: it needs one draft report")
    seen: set[str] = set()
    for obj in found:
        try:
            validate_object(obj)
        except InvalidObject as exc:
            raise BadInput(f"the draft holds an invalid object: {exc.reason}") from exc
        if obj["id"] in seen:
            raise BadInput(f"the draft holds {obj['id']} twice")
        seen.add(obj["id"])
    report = reports[0]
    return report, [o for o in found if o is not report]


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


# Reading -------------------------------------------------------------------------------


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


def _resolve(conn: Connection, viewer: Viewer, reference: str) -> Any:
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


def _summary_view(row: Any, counts: dict[str, int]) -> dict[str, Any]:
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
    }


def _originals(row: Any) -> dict[str, dict[str, Any]]:
    bundle = orjson.loads(row.bundle)
    return {obj["id"]: obj for obj in bundle["objects"]}


def _element_rows(conn: Connection, draft_id: str) -> list[Any]:
    decider = users.alias("element_decider")
    return list(
        conn.execute(
            select(elements, decider.c.username.label("decider_name"))
            .outerjoin(decider, decider.c.id == elements.c.decided_by)
            .where(elements.c.draft_id == draft_id)
            .order_by(elements.c.position)
        )
    )


def _element_view(row: Any, originals: dict[str, dict[str, Any]]) -> Element:
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


def _view(conn: Connection, row: Any) -> DraftView:
    counts = _counts(conn, [row.id]).get(row.id, {})
    originals = _originals(row)
    return DraftView(
        **_summary_view(row, counts),
        elements=[_element_view(e, originals) for e in _element_rows(conn, row.id)],
    )


def _element(conn: Connection, draft: Any, reference: str) -> Any:
    """Return the element of a draft named by its number, STIX id or uuid prefix."""
    text = reference.strip().lower()
    rows = _element_rows(conn, draft.id)
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


def _open(row: Any) -> None:
    if row.state != "open":
        raise Conflict(f"draft {row.id} was published already")


# Operations ----------------------------------------------------------------------------


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
    report, others = _draft_objects(bundle)
    names = {o["id"]: str(o.get("name", "")) for o in others if o.get("name")}
    now = ctx.now()
    draft_id = new_id("draft")
    published = report.get("published")
    with ctx.database.write() as conn:
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
            )
        )
        rows = [
            {
                "draft_id": draft_id,
                "stix_id": obj["id"],
                "position": number,
                "kind": _kind(obj),
                "summary": _summary(obj, names),
                "state": "accepted" if obj is report else "pending",
                "corrected_body": None,
                "decided_by": None,
                "decided_at": None,
                "entity_id": _proposed_entity(obj),
            }
            for number, obj in enumerate([report, *others])
        ]
        conn.execute(elements.insert(), rows)
        audit.record(
            ctx.database,
            conn,
            viewer,
            "intake-draft-store",
            [draft_id, report["id"]],
            {"channel": channel.title, "elements": len(others)},
        )
        return _view(conn, _resolve(conn, viewer, draft_id))


def _proposed_entity(obj: dict[str, Any]) -> str | None:
    value = obj.get("x_passerelle_entity_id")
    if _kind(obj) == "entity" and isinstance(value, str) and value.startswith("entity--"):
        return value[:64]
    return None


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
        return [DraftSummary(**_summary_view(r, counts.get(r.id, {}))) for r in rows]


def show_draft(ctx: Context, request: DraftRef) -> DraftView:
    """Show a draft of your organisation with its elements."""
    require_worker(ctx.viewer)
    with ctx.database.read() as conn:
        return _view(conn, _resolve(conn, ctx.viewer, request.draft_id))


def _decide(
    ctx: Context,
    draft_ref: str,
    element_ref: str,
    state: ElementState,
    reason: str,
    corrected: dict[str, Any] | None = None,
    entity_id: str | None = None,
) -> Element:
    viewer = ctx.viewer
    with ctx.database.write() as conn:
        draft = _resolve(conn, viewer, draft_ref)
        _open(draft)
        row = _element(conn, draft, element_ref)
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
            originals = _originals(draft)
            names = {k: str(o.get("name", "")) for k, o in originals.items() if o.get("name")}
            values["corrected_body"] = orjson.dumps(corrected).decode()
            values["summary"] = _summary(corrected, names)
            values["entity_id"] = entity_id
        else:
            originals = _originals(draft)
            names = {k: str(o.get("name", "")) for k, o in originals.items() if o.get("name")}
            values["entity_id"] = _proposed_entity(originals[row.stix_id])
            values["summary"] = _summary(originals[row.stix_id], names)
        conn.execute(
            elements.update()
            .where(elements.c.draft_id == draft.id, elements.c.stix_id == row.stix_id)
            .values(**values)
        )
        detail: dict[str, Any] = {"element": row.stix_id}
        if reason.strip():
            detail["reason"] = reason.strip()[:4000]
        if corrected is not None:
            detail["corrected"] = values["summary"]
        action = {"accepted": "accept", "rejected": "reject", "corrected": "correct"}[state]
        audit.record(
            ctx.database, conn, viewer, f"intake-draft-{action}", [draft.id, row.stix_id], detail
        )
        fresh = _element(conn, draft, str(row.position))
        return _element_view(fresh, _originals(draft))


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
    if request.body is None and request.name is None and request.label is None:
        raise BadInput("give the corrected name, label or object")
    with ctx.database.read() as conn:
        draft = _resolve(conn, viewer, request.draft_id)
        _open(draft)
        row = _element(conn, draft, request.element)
        current = (
            orjson.loads(row.corrected_body)
            if row.corrected_body
            else _originals(draft)[row.stix_id]
        )
    corrected, keeps_entity = _corrected(row.kind, current, request)
    entity_id = (row.entity_id or _proposed_entity(current)) if keeps_entity else None
    if corrected.get("type") != "report" and _kind(corrected) != row.kind:
        raise BadInput(f"a {row.kind} stays a {row.kind}: reject it instead")
    return _decide(
        ctx, request.draft_id, str(row.position), "corrected", request.reason, corrected, entity_id
    )


def _corrected(
    kind: str, current: dict[str, Any], request: CorrectBody
) -> tuple[dict[str, Any], bool]:
    """Return the corrected object, and whether intake's entity link still holds."""
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
                raise BadInput("only an entity has a label")
            if request.label != current.get("x_passerelle_label"):
                obj = _relabelled(obj, request.label)
                keeps = False
        if request.name is not None:
            name = " ".join(request.name.split())
            if not name or len(name) > MAX_NAME:
                raise BadInput(f"give a name of 1 to {MAX_NAME} characters")
            if kind in ("entity", "report"):
                obj["name"] = name
            elif kind == "quotation":
                obj["x_passerelle_speaker"] = name
                obj["x_passerelle_speaker_kind"] = "person"
            else:
                raise BadInput("a fact has no name: give the corrected object (STIX JSON)")
    try:
        validate_object(obj)
    except InvalidObject as exc:
        raise BadInput(f"the corrected object is not valid STIX 2.1: {exc.reason}") from exc
    return obj, keeps


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


# Publishing ----------------------------------------------------------------------------


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
        draft = _resolve(conn, viewer, request.draft_id)
        channel = channel_for(conn, viewer, draft.collection_id)
    now = ctx.now()
    aliases = load_alias_data(ctx.keys.alias_dirs)
    with ctx.writing([channel.id]) as write:
        conn = write.conn
        draft = _resolve(conn, viewer, request.draft_id)
        _open(draft)
        refused = posting_refusal(conn, viewer, channel.id, channel.title)
        if refused:
            raise Forbidden(refused)
        rows = _element_rows(conn, draft.id)
        pending = [r for r in rows if r.state == "pending"]
        if pending:
            raise Conflict(
                f"{len(pending)} element(s) of draft {draft.id} are still pending: "
                "accept, correct or reject each before publishing"
            )
        originals = _originals(draft)
        bodies = {
            r.stix_id: orjson.loads(r.corrected_body) if r.corrected_body else originals[r.stix_id]
            for r in rows
            if r.state in DECIDED
        }
        mapping = {stix_id: str(body["id"]) for stix_id, body in bodies.items()}
        report_row = next(r for r in rows if r.kind == "report")
        report = bodies.pop(report_row.stix_id)
        kept, left_out = _resolved_refs(bodies, mapping, set(originals), report_row.stix_id)
        if not kept:
            raise BadInput(f"nothing of draft {draft.id} was accepted: there is nothing to publish")
        report = _final_report(report, [obj["id"] for obj in kept.values()], now, mapping)
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
        view = _view(conn, _resolve(conn, viewer, draft.id))
    return Published(draft=view, report_id=report["id"], stored=stored, left_out=left_out)


def _final_report(
    report: dict[str, Any], refs: list[str], now: int, mapping: dict[str, str]
) -> dict[str, Any]:
    final = {k: v for k, v in report.items() if k != "x_passerelle_draft"}
    final["object_refs"] = refs
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
                    explanation=text,
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
        made.append(f"{stix_id} {entity_id}")
    return made


STORE = register(Operation("intake.store", "POST", "/api/intake/drafts", StoreDraft, store_draft))
LIST = register(Operation("intake.list", "GET", "/api/intake/drafts", ListDrafts, list_drafts))
SHOW = register(
    Operation("intake.show", "GET", "/api/intake/drafts/{draft_id}", DraftRef, show_draft)
)
ACCEPT = register(
    Operation(
        "intake.accept",
        "POST",
        "/api/intake/drafts/{draft_id}/elements/{element}/accept",
        Decide,
        accept_element,
    )
)
REJECT = register(
    Operation(
        "intake.reject",
        "POST",
        "/api/intake/drafts/{draft_id}/elements/{element}/reject",
        Decide,
        reject_element,
    )
)
CORRECT = register(
    Operation(
        "intake.correct",
        "POST",
        "/api/intake/drafts/{draft_id}/elements/{element}/correct",
        Correct,
        correct_element,
    )
)
PUBLISH = register(
    Operation(
        "intake.publish", "POST", "/api/intake/drafts/{draft_id}/publish", DraftRef, publish_draft
    )
)
