"""The review queue: links waiting for a person's decision, listed and decided only by the
organisation whose object they are about.

That organisation is the object's owner (``object_owners``), or, for a copy an
organisation keeps of an object it could not see, that organisation
(:func:`passerelle.policy.entities.review_items_of`); never whoever stored some version.
A decision reads only the versions of that object (the owner's, or the copy's) that the
person deciding may read: accepting teaches the entity their names, rejecting the last
proposal makes an entity of the newest of them. An object withheld from them under H3 is
decided only once they have acknowledged its restriction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from passerelle.audit import log as audit
from passerelle.core.context import Context
from passerelle.core.references import unknown
from passerelle.errors import Forbidden
from passerelle.objects.latest import bodies_of
from passerelle.policy.entities import (
    holder_of,
    readable_versions,
    review_items_of,
)
from passerelle.policy.viewer import Viewer
from passerelle.policy.workflow import require_worker
from passerelle.resolution.candidates import Candidate
from passerelle.resolution.entities.models import LinkRef, ListReview
from passerelle.resolution.links import (
    LINKED,
    SOURCE_NAME,
    SOURCE_REVIEW,
    Learnt,
    learn_names,
    new_entity,
    subject_names,
)
from passerelle.resolution.subjects import Subject, subject_of
from passerelle.resolution.views import (
    LinkView,
    entity_ref,
    known_entities,
    link_views,
    visible_links,
)
from passerelle.store.database import Database
from passerelle.store.entity_tables import entity_links


def list_review(ctx: Context, request: ListReview) -> list[LinkView]:
    """List the links waiting for your organisation's decision, oldest first."""
    viewer = ctx.viewer
    require_worker(viewer)
    with ctx.database.read() as conn:
        shown = visible_links(conn, viewer, review_items_of(viewer), request.limit)
        known = dict(known_entities(conn, viewer, sorted({row.entity_id for row in shown})))
        shown = [row for row in shown if row.entity_id in known]
        return link_views(
            conn, viewer, shown, {eid: group.display_name() for eid, group in known.items()}
        )


def _review_item(conn: Connection, viewer: Viewer, request: LinkRef) -> tuple[Any, Candidate]:
    """Return the review item the viewer names, and its entity's group as they see it."""
    object_id = request.object_id.strip()
    entity_id, group = entity_ref(conn, viewer, request.entity_id)
    shown = visible_links(
        conn,
        viewer,
        (entity_links.c.stix_id == object_id)
        & (entity_links.c.entity_id == entity_id)
        & review_items_of(viewer),
    )
    if not shown:
        raise unknown("review item", f"{object_id} {entity_id}")
    if shown[0].withheld:
        raise Forbidden(
            f"{object_id} is withheld until you acknowledge its H3 restriction "
            f"(passerelle acknowledge {object_id}); decide it then"
        )
    return shown[0], group


def _readable_thread(conn: Connection, viewer: Viewer, row: Any) -> list[tuple[str, Subject]]:
    """The versions of the item's object (the owner's, or the copy's) that the viewer may
    read, oldest first, with what each says."""
    versions = readable_versions(conn, viewer, [row.stix_id]).get(row.stix_id, set())
    said = []
    for version in sorted(v for v in versions if holder_of(v) == row.holder):
        body = bodies_of(conn, {row.stix_id: version}).get(row.stix_id)
        subject = subject_of(body) if isinstance(body, dict) else None
        if subject is not None:
            said.append((version, subject))
    return said


def _teach(
    database: Database,
    conn: Connection,
    entity_id: str,
    said: list[tuple[str, Subject]],
    source: str,
    linked_on: str,
    now: int,
) -> None:
    """Teach an entity the names of these versions of a linked object."""
    for version, subject in said:
        learn_names(
            database,
            conn,
            entity_id,
            subject.kind,
            subject_names(subject, source),
            now,
            source=Learnt(subject.stix_id, version, linked_on),
        )


def accept(ctx: Context, request: LinkRef) -> LinkView:
    """Accept a proposed link: the object is the entity; its names (in the versions you
    may read) become the entity's (source ``review``), and its other proposals are
    rejected."""
    viewer = ctx.viewer
    require_worker(viewer)
    now = ctx.now()
    with ctx.database.write() as conn:
        row, _group = _review_item(conn, viewer, request)
        _decide(conn, row, row.entity_id, "accepted", viewer, now)
        others = conn.execute(
            select(entity_links.c.entity_id).where(
                entity_links.c.stix_id == row.stix_id,
                entity_links.c.holder == row.holder,
                entity_links.c.status == "review",
                entity_links.c.entity_id != row.entity_id,
            )
        ).scalars()
        for other in list(others):
            _decide(conn, row, other, "rejected", viewer, now)
        said = _readable_thread(conn, viewer, row)
        _teach(ctx.database, conn, row.entity_id, said, SOURCE_REVIEW, row.version, now)
        audit.record(
            ctx.database,
            conn,
            viewer,
            "entity-review-accept",
            [row.stix_id, row.entity_id],
            {"score": row.score / 1000},
        )
        return _decided_view(conn, viewer, row, row.entity_id)


def reject(ctx: Context, request: LinkRef) -> LinkView:
    """Reject a proposed link; once no proposal of the object is left, the object (its
    newest version you may read) becomes an entity of its own."""
    viewer = ctx.viewer
    require_worker(viewer)
    now = ctx.now()
    with ctx.database.write() as conn:
        row, _group = _review_item(conn, viewer, request)
        _decide(conn, row, row.entity_id, "rejected", viewer, now)
        left = conn.execute(
            select(entity_links.c.entity_id).where(
                entity_links.c.stix_id == row.stix_id,
                entity_links.c.holder == row.holder,
                entity_links.c.status.in_(("review", *LINKED)),
            )
        ).first()
        made = None
        said = _readable_thread(conn, viewer, row) if left is None else []
        if said:
            version, subject = said[-1]
            made, _names = new_entity(ctx.database, conn, subject, version, now)
            _teach(ctx.database, conn, made, said[:-1], SOURCE_NAME, version, now)
        audit.record(
            ctx.database,
            conn,
            viewer,
            "entity-review-reject",
            [row.stix_id, row.entity_id],
            {"score": row.score / 1000, "new_entity": made},
        )
        return _decided_view(conn, viewer, row, row.entity_id)


def _decide(
    conn: Connection, row: Any, entity_id: str, status: str, viewer: Viewer, now: int
) -> None:
    conn.execute(
        entity_links.update()
        .where(
            entity_links.c.stix_id == row.stix_id,
            entity_links.c.holder == row.holder,
            entity_links.c.entity_id == entity_id,
        )
        .values(status=status, decided_by=viewer.user_id, decided_at=now)
    )


def _decided_view(conn: Connection, viewer: Viewer, row: Any, entity_id: str) -> LinkView:
    [decided] = visible_links(
        conn,
        viewer,
        (entity_links.c.stix_id == row.stix_id)
        & (entity_links.c.holder == row.holder)
        & (entity_links.c.entity_id == entity_id),
    )
    known = dict(known_entities(conn, viewer, [entity_id]))
    name = known[entity_id].display_name() if entity_id in known else ""
    return link_views(conn, viewer, [decided], {entity_id: name})[0]
