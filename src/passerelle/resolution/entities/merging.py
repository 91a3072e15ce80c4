"""Merging entities and adding names to them: judgements of one organisation, which shape
its own view only (:mod:`passerelle.policy.entity_groups`).

An analyst of one service who decides that Daesh is the FSB changes what their service
sees, never what another service resolves, links or correlates: merges are pointers kept
per organisation, undone by unmerging, and names added by a user are seen by their
organisation alone. Knowledge every organisation of the node shares comes from the alias
files, which the node's operator keeps.
"""

from __future__ import annotations

from passerelle.audit import log as audit
from passerelle.core.context import Context, stamp
from passerelle.errors import BadInput, Conflict
from passerelle.policy.entity_groups import merge_of
from passerelle.policy.workflow import require_worker
from passerelle.resolution.entities.models import MAX_NAME, AddAlias, EntityRef, Merge
from passerelle.resolution.entities.reading import ready
from passerelle.resolution.links import learn_names
from passerelle.resolution.views import EntityView, entity_ref, entity_view, known_entities
from passerelle.store.entity_tables import entity_merges


def merge(ctx: Context, request: Merge) -> EntityView:
    """Merge an entity into another one it is the same as, for your organisation;
    ``unmerge`` undoes it."""
    viewer = ctx.viewer
    require_worker(viewer)
    aliases = ready(ctx)
    now = ctx.now()
    with ctx.database.write() as conn:
        entity_id, group = entity_ref(conn, viewer, request.entity_id)
        into_id, into = entity_ref(conn, viewer, request.into)
        if merge_of(conn, viewer.org_id, entity_id) is not None:
            raise Conflict(
                f"{entity_id} is already merged into {group.entity_id}: unmerge it first"
            )
        if into.entity_id == entity_id:
            raise Conflict(f"{entity_id} and {into_id} are already one entity")
        if into.kind != group.kind:
            raise BadInput(f"a {group.kind} cannot merge into a {into.kind}")
        conn.execute(
            entity_merges.insert().values(
                org_id=viewer.org_id,
                entity_id=entity_id,
                merged_into=into.entity_id,
                merged_by=viewer.user_id,
                merged_at=now,
            )
        )
        audit.record(
            ctx.database,
            conn,
            viewer,
            "entity-merge",
            [entity_id, into.entity_id],
            {"into": into.entity_id},
        )
        [(_id, merged)] = known_entities(conn, viewer, [into.entity_id])
        return entity_view(conn, viewer, into.entity_id, merged, aliases)


def unmerge(ctx: Context, request: EntityRef) -> EntityView:
    """Undo your organisation's merge: the entity stands alone again, with its names and
    links as before."""
    viewer = ctx.viewer
    require_worker(viewer)
    aliases = ready(ctx)
    with ctx.database.write() as conn:
        entity_id, _group = entity_ref(conn, viewer, request.entity_id)
        row = merge_of(conn, viewer.org_id, entity_id)
        if row is None:
            raise Conflict(f"{entity_id} is not merged into another entity")
        conn.execute(
            entity_merges.delete().where(
                entity_merges.c.org_id == viewer.org_id, entity_merges.c.entity_id == entity_id
            )
        )
        audit.record(
            ctx.database,
            conn,
            viewer,
            "entity-unmerge",
            [entity_id, row.merged_into],
            {"was_merged_into": row.merged_into, "merged_at": stamp(row.merged_at)},
        )
        [(_id, alone)] = known_entities(conn, viewer, [entity_id])
        return entity_view(conn, viewer, entity_id, alone, aliases)


def add_alias(ctx: Context, request: AddAlias) -> EntityView:
    """Add a name to an entity (source ``user``; your organisation sees it)."""
    viewer = ctx.viewer
    require_worker(viewer)
    name = " ".join(request.name.split())
    if not name:
        raise BadInput("give the name to add")
    if len(name) > MAX_NAME:
        raise BadInput(f"the name is too long ({len(name)} characters; at most {MAX_NAME})")
    aliases = ready(ctx)
    now = ctx.now()
    with ctx.database.write() as conn:
        entity_id, group = entity_ref(conn, viewer, request.entity_id)
        if any(n.name == name and n.entity_id == entity_id for n in group.names):
            raise Conflict(f"{entity_id} already has the name {name!r}")
        learn_names(
            ctx.database,
            conn,
            entity_id,
            group.kind,
            [(name, "user")],
            now,
            added_by=viewer.user_id,
        )
        audit.record(ctx.database, conn, viewer, "entity-alias", [entity_id], {"name": name})
        [(_id, grown)] = known_entities(conn, viewer, [entity_id])
        return entity_view(conn, viewer, entity_id, grown, aliases)
