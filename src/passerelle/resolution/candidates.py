"""Entities as a viewer sees them, found as candidates for a name and ranked against it.

An entity is known through the names the viewer may see (:mod:`passerelle.policy.entities`
decides); an entity merged into another counts as that one (the root of its merge group).
Candidates are found by one indexed look-up of blocking keys (:func:`find_candidates`) and
scored by :func:`passerelle.resolution.names.score`, vectorised over them (:func:`rank`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, cast

from sqlalchemy import Connection, select

from passerelle.objects.latest import latest_stored_bodies
from passerelle.policy.entities import link_object_visible, name_visible
from passerelle.policy.viewer import Viewer
from passerelle.resolution.links import LINKED, explanation
from passerelle.resolution.names import Facts, Kind, Scored, score
from passerelle.resolution.subjects import facts_of
from passerelle.store.chunks import chunked
from passerelle.store.schema import entities, entity_keys, entity_links, entity_names

# Objects read per candidate entity for its facts.
MAX_FACT_OBJECTS: Final = 20


@dataclass(frozen=True)
class NameRow:
    """One name of an entity as a viewer may see it."""

    id: int
    entity_id: str
    name: str
    source: str
    stix_id: str | None


@dataclass
class Candidate:
    """An entity (with what is merged into it) as a viewer sees it."""

    entity_id: str  # the root of its merge group
    kind: Kind
    canonical: str
    names: list[NameRow] = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)

    def display_name(self) -> str:
        """Return the name to show: its canonical name if visible, else its first name."""
        for row in self.names:
            if row.name == self.canonical:
                return row.name
        return self.names[0].name if self.names else ""


@dataclass(frozen=True)
class Match:
    """A candidate's score against a subject, with the name row that matched best."""

    candidate: Candidate
    scored: Scored
    query: str
    via: NameRow | None

    @property
    def score(self) -> float:
        """Return the score, 0 to 1."""
        return self.scored.score

    def explanation(self) -> str:
        """Return the stored explanation: what matched, from where, and why."""
        return explanation(
            self.query,
            self.scored.best_name,
            self.via.source if self.via else "",
            self.via.stix_id if self.via else None,
            self.scored.reasons,
        )


def roots_of(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """Return the root of each entity's merge group (itself when not merged)."""
    parent: dict[str, str | None] = {}
    frontier = set(ids)
    while frontier:
        ordered = sorted(frontier)
        frontier = set()
        for chunk in chunked(ordered):
            rows = conn.execute(
                select(entities.c.id, entities.c.merged_into).where(entities.c.id.in_(chunk))
            )
            for row in rows:
                parent[row.id] = row.merged_into
                if row.merged_into is not None and row.merged_into not in parent:
                    frontier.add(row.merged_into)
    roots: dict[str, str] = {}
    for entity_id in ids:
        node, seen = entity_id, set()
        while (up := parent.get(node)) is not None and node not in seen:
            seen.add(node)
            node = up
        roots[entity_id] = node
    return roots


def members_of(conn: Connection, roots: Iterable[str]) -> dict[str, str]:
    """Return every entity of the given merge groups, mapped to its group's root."""
    member: dict[str, str] = {root: root for root in roots}
    frontier = set(member)
    while frontier:
        ordered = sorted(frontier)
        frontier = set()
        for chunk in chunked(ordered):
            rows = conn.execute(
                select(entities.c.id, entities.c.merged_into).where(
                    entities.c.merged_into.in_(chunk)
                )
            )
            for row in rows:
                if row.id not in member:
                    member[row.id] = member[row.merged_into]
                    frontier.add(row.id)
    return member


def candidates_for(conn: Connection, viewer: Viewer, roots: Iterable[str]) -> dict[str, Candidate]:
    """Return the given merge groups as the viewer sees them; groups of which the viewer
    may see no name are left out."""
    member = members_of(conn, roots)
    ids = sorted(member)
    heads: dict[str, Any] = {}
    rows: list[Any] = []
    for chunk in chunked(ids):
        heads.update(
            {
                r.id: r
                for r in conn.execute(
                    select(entities.c.id, entities.c.kind, entities.c.name).where(
                        entities.c.id.in_(chunk)
                    )
                )
            }
        )
        rows += conn.execute(
            select(
                entity_names.c.id,
                entity_names.c.entity_id,
                entity_names.c.name,
                entity_names.c.source,
                entity_names.c.stix_id,
            )
            .where(entity_names.c.entity_id.in_(chunk), name_visible(viewer))
            .order_by(entity_names.c.id)
        ).all()
    found: dict[str, Candidate] = {}
    for row in rows:
        root = member[row.entity_id]
        head = heads.get(root)
        if head is None:
            continue
        candidate = found.get(root)
        if candidate is None:
            candidate = found[root] = Candidate(root, cast(Kind, head.kind), head.name)
        candidate.names.append(NameRow(row.id, row.entity_id, row.name, row.source, row.stix_id))
    _add_facts(conn, viewer, found, member)
    return found


def _add_facts(
    conn: Connection, viewer: Viewer, found: dict[str, Candidate], member: dict[str, str]
) -> None:
    """Give each candidate the facts of the objects linked to it that the viewer may see."""
    if not found:
        return
    ids = sorted(m for m, root in member.items() if root in found)
    linked: dict[str, list[str]] = {}
    for chunk in chunked(ids):
        rows = conn.execute(
            select(entity_links.c.entity_id, entity_links.c.stix_id).where(
                entity_links.c.entity_id.in_(chunk),
                entity_links.c.status.in_(LINKED),
                link_object_visible(viewer),
            )
        )
        for row in rows:
            objects_of = linked.setdefault(member[row.entity_id], [])
            if len(objects_of) < MAX_FACT_OBJECTS:
                objects_of.append(row.stix_id)
    bodies = latest_stored_bodies(conn, {s for ss in linked.values() for s in ss})
    for root, stix_ids in linked.items():
        facts = [facts_of(bodies[s]) for s in stix_ids if s in bodies]
        if facts:
            found[root].facts = Facts(
                frozenset().union(*(f.birth_dates for f in facts)),
                frozenset().union(*(f.nationalities for f in facts)),
                frozenset().union(*(f.identifiers for f in facts)),
            )


def find_candidates(
    conn: Connection, viewer: Viewer, keys: set[str], kind: Kind | None = None
) -> tuple[dict[str, Candidate], dict[str, set[str]]]:
    """Return the entities sharing a blocking key with ``keys``, as the viewer sees them,
    and the keys each shares; one indexed look-up on ``entity_keys``."""
    shared: dict[str, set[str]] = {}
    ordered = sorted(keys)
    for chunk in chunked(ordered):
        query = select(entity_keys.c.entity_id, entity_keys.c.key).where(
            entity_keys.c.key.in_(chunk)
        )
        for row in conn.execute(query):
            shared.setdefault(row.entity_id, set()).add(row.key)
    if not shared:
        return {}, {}
    roots = roots_of(conn, shared)
    by_root: dict[str, set[str]] = {}
    for entity_id, found_keys in shared.items():
        by_root.setdefault(roots[entity_id], set()).update(found_keys)
    found = candidates_for(conn, viewer, by_root)
    if kind is not None:
        found = {k: c for k, c in found.items() if c.kind == kind}
    return found, {root: by_root[root] for root in found}


def rank(
    queries: Sequence[str], facts: Facts, kind: Kind, candidates: Sequence[Candidate]
) -> list[Match]:
    """Score candidates against a subject's names, best first (each candidate's best)."""
    if not candidates:
        return []
    best: list[Match | None] = [None] * len(candidates)
    pool = [([n.name for n in c.names], c.facts) for c in candidates]
    for query in queries:
        for i, scored in enumerate(score(query, facts, pool, kind)):
            known = best[i]
            if known is None or scored.score > known.score:
                rows = candidates[i].names
                via = next((n for n in rows if n.name == scored.best_name), None)
                best[i] = Match(candidates[i], scored, query, via)
    return sorted(
        (m for m in best if m is not None), key=lambda m: (-m.score, m.candidate.entity_id)
    )
