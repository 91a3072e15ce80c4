"""Merge groups of entities, as each organisation has merged them.

A merge is one organisation's judgement that two entities are one real-world thing. It
shapes what that organisation's users see (resolve, entity views, correlation, the
candidates their writes are linked to) and nobody else's: an organisation never changes
what another sees. Knowledge every organisation of a node shares comes from the alias
files, which the node's operator keeps (``PASSERELLE_ALIASES_DIR``).

A group is followed along its whole chain (A into B into C is one group rooted at C), by
every feature alike; a cycle, which merging refuses, would end at the first entity met
again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from passerelle.store.chunks import chunked
from passerelle.store.entity_tables import entity_merges


def merge_of(conn: Connection, org_id: int, entity_id: str) -> Any:
    """Return the organisation's merge of an entity into another (None: not merged)."""
    return conn.execute(
        select(entity_merges).where(
            entity_merges.c.org_id == org_id, entity_merges.c.entity_id == entity_id
        )
    ).first()


def roots_of(conn: Connection, org_id: int, ids: Iterable[str]) -> dict[str, str]:
    """Return the root of each entity's merge group for an organisation (itself if not
    merged)."""
    wanted = set(ids)
    parent: dict[str, str] = {}
    frontier = set(wanted)
    while frontier:
        ordered, frontier = sorted(frontier), set()
        for chunk in chunked(ordered):
            rows = conn.execute(
                select(entity_merges.c.entity_id, entity_merges.c.merged_into).where(
                    entity_merges.c.org_id == org_id, entity_merges.c.entity_id.in_(chunk)
                )
            )
            for row in rows:
                parent[row.entity_id] = row.merged_into
                if row.merged_into not in parent:
                    frontier.add(row.merged_into)
    roots: dict[str, str] = {}
    for entity_id in wanted:
        node, seen = entity_id, {entity_id}
        while (up := parent.get(node)) is not None and up not in seen:
            seen.add(up)
            node = up
        roots[entity_id] = node
    return roots


def members_of(conn: Connection, org_id: int, roots: Iterable[str]) -> dict[str, str]:
    """Return every entity of the given merge groups for an organisation, mapped to its
    group's root."""
    member: dict[str, str] = {root: root for root in roots}
    frontier = set(member)
    while frontier:
        ordered, frontier = sorted(frontier), set()
        for chunk in chunked(ordered):
            rows = conn.execute(
                select(entity_merges.c.entity_id, entity_merges.c.merged_into).where(
                    entity_merges.c.org_id == org_id, entity_merges.c.merged_into.in_(chunk)
                )
            )
            for row in rows:
                if row.entity_id not in member:
                    member[row.entity_id] = member[row.merged_into]
                    frontier.add(row.entity_id)
    return member


def subtree_of(conn: Connection, org_id: int, entity_id: str) -> set[str]:
    """Return an entity and every entity the organisation merged into it, directly or not."""
    return set(members_of(conn, org_id, [entity_id]))
