"""Entities as a viewer sees them, found as candidates for a name and ranked against it.

An entity is known through the names the viewer may see, with the facts of the versions
of its linked objects they may read (:mod:`passerelle.policy.entities` decides); an
entity merged into another by the viewer's organisation counts as that one (the root of
its merge group, :mod:`passerelle.policy.entity_groups`). Candidates are found by one
indexed look-up of blocking keys (:func:`find_candidates`) and scored by
:func:`passerelle.resolution.names.score`, vectorised over them (:func:`rank`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, cast

from sqlalchemy import Connection, Select, bindparam, select

from passerelle.objects.latest import bodies_of
from passerelle.policy.entities import (
    LINKS,
    link_visible,
    name_visible,
    newest_of_thread,
    readable_versions,
)
from passerelle.policy.entity_groups import members_of, roots_of
from passerelle.policy.viewer import Viewer
from passerelle.resolution.links import LINKED, NameRow, explanation
from passerelle.resolution.names import Facts, Kind, Scored, name_keys, score
from passerelle.resolution.subjects import facts_of
from passerelle.store.chunks import chunked
from passerelle.store.entity_tables import entities, entity_keys, entity_links, entity_names

# Objects read per candidate entity for its facts.
MAX_FACT_OBJECTS: Final = 20


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


def candidates_for(conn: Connection, viewer: Viewer, roots: Iterable[str]) -> dict[str, Candidate]:
    """Return the given merge groups as the viewer sees them; groups of which the viewer
    may see no name are left out.

    A name carried by several versions of an object is one name (its first row).
    """
    member = members_of(conn, viewer.org_id, roots)
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
        rows += conn.execute(_names_of(viewer), {"ids": list(chunk)}).all()
    found: dict[str, Candidate] = {}
    seen: set[tuple[str, str, str, str | None]] = set()
    for row in sorted(rows, key=lambda r: int(r.id)):
        root = member[row.entity_id]
        head = heads.get(root)
        if head is None or (row.entity_id, row.name, row.source, row.stix_id) in seen:
            continue
        seen.add((row.entity_id, row.name, row.source, row.stix_id))
        candidate = found.get(root)
        if candidate is None:
            candidate = found[root] = Candidate(root, cast(Kind, head.kind), head.name)
        candidate.names.append(NameRow(row.id, row.entity_id, row.name, row.source, row.stix_id))
    _add_facts(conn, viewer, found, member)
    return found


# Statements built once per viewer, their cache keys with them: both cost more than
# running them (each holds the viewer's visibility rule).
@functools.lru_cache(maxsize=256)
def _names_of(viewer: Viewer) -> Select[Any]:
    return select(
        entity_names.c.id,
        entity_names.c.entity_id,
        entity_names.c.name,
        entity_names.c.source,
        entity_names.c.stix_id,
    ).where(entity_names.c.entity_id.in_(bindparam("ids", expanding=True)), name_visible(viewer))


@functools.lru_cache(maxsize=256)
def _links_of(viewer: Viewer) -> Select[Any]:
    return (
        select(entity_links.c.entity_id, entity_links.c.stix_id, entity_links.c.holder)
        .select_from(LINKS)
        .where(
            entity_links.c.entity_id.in_(bindparam("ids", expanding=True)),
            entity_links.c.status.in_(LINKED),
            link_visible(viewer),
        )
        .order_by(entity_links.c.stix_id, entity_links.c.holder)
    )


def _add_facts(
    conn: Connection, viewer: Viewer, found: dict[str, Candidate], member: dict[str, str]
) -> None:
    """Give each candidate the facts of its linked objects, each read from the newest
    version of the link's object that the viewer may read."""
    if not found:
        return
    ids = sorted(m for m, root in member.items() if root in found)
    linked: dict[str, list[tuple[str, int]]] = {}
    for chunk in chunked(ids):
        rows = conn.execute(_links_of(viewer), {"ids": list(chunk)})
        for row in rows:
            threads = linked.setdefault(member[row.entity_id], [])
            if len(threads) < MAX_FACT_OBJECTS:
                threads.append((row.stix_id, row.holder))
    bodies = thread_bodies(conn, viewer, {t for ts in linked.values() for t in ts})
    for root, threads in linked.items():
        facts = [facts_of(bodies[t]) for t in threads if t in bodies]
        if facts:
            found[root].facts = Facts(
                frozenset().union(*(f.birth_dates for f in facts)),
                frozenset().union(*(f.nationalities for f in facts)),
                frozenset().union(*(f.identifiers for f in facts)),
            )


def thread_bodies(
    conn: Connection, viewer: Viewer, threads: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], dict[str, Any]]:
    """Return, per (object, holder), the newest version of it the viewer may read, parsed
    (left out: those of which they may read none)."""
    wanted = set(threads)
    readable = readable_versions(conn, viewer, {stix_id for stix_id, _h in wanted})
    by_holder: dict[int, dict[str, str]] = {}
    for stix_id, holder in wanted:
        version = newest_of_thread(readable.get(stix_id, ()), holder)
        if version is not None:
            by_holder.setdefault(holder, {})[stix_id] = version
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for holder, versions in by_holder.items():
        for stix_id, body in bodies_of(conn, versions).items():
            if isinstance(body, dict):
                found[(stix_id, holder)] = body
    return found


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
    roots = roots_of(conn, viewer.org_id, shared)
    by_root: dict[str, set[str]] = {}
    for entity_id, found_keys in shared.items():
        by_root.setdefault(roots[entity_id], set()).update(found_keys)
    found = candidates_for(conn, viewer, by_root)
    if kind is not None:
        found = {k: c for k, c in found.items() if c.kind == kind}
    # The index holds the keys of every name, also those the viewer may not see: an entity
    # is their candidate only through a key of a name they may see, else a name hidden
    # from them would still show (as a candidate scored on the others).
    for root, candidate in found.items():
        by_root[root] &= set().union(*(_keys_of(n.name, candidate.kind) for n in candidate.names))
    return (
        {root: c for root, c in found.items() if by_root[root]},
        {root: by_root[root] for root in found if by_root[root]},
    )


@functools.lru_cache(maxsize=8192)
def _keys_of(name: str, kind: Kind) -> frozenset[str]:
    return frozenset(name_keys(name, kind))


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
