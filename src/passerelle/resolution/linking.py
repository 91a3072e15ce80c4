"""Linking newly stored objects to entities, inside the ingest transaction.

The objects that name an entity, their names and facts are read as
:mod:`passerelle.resolution.subjects` says. An object's owner's versions and each copy an
organisation keeps of it (:mod:`passerelle.policy.ownership`) are resolved apart, each as
an object of its own: a copy never learns from, nor teaches, the owner's links. A new one
is resolved on its oldest new version: candidates are the entities sharing a blocking key
with one of its names (one indexed query per envelope,
:func:`~passerelle.resolution.candidates.find_candidates`), seen as the writer sees them:
only names the writer may see are scored, and an entity without any is no candidate.
Scores are vectorised over the candidates (:func:`passerelle.resolution.names.score`).
Then:

- one candidate at :data:`AUTO` or above, clear of the runner-up: the object is linked
  (status ``auto``) and its names are learnt (sources ``stix:name``, ``stix:aliases``, with
  the object's id and version: only those who may see that version see them);
- otherwise candidates at :data:`REVIEW` or above (at most :data:`MAX_REVIEW`) get a link
  in status ``review`` and nothing is learnt until a person accepts one; rejecting them
  all makes a new entity of the object;
- otherwise a new entity is made from the object, linked with status ``auto``.

A link records the version it was decided on, goes to the entity that holds the name
that matched (a merge is its organisation's view, never the link's), and records that
name (``via_name_id``). Every later version of a linked object teaches its entity the
names it carries, each visible with that version and the link's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import orjson
from sqlalchemy import Connection, select

from passerelle.objects.hooks import ObjectsStored
from passerelle.objects.queries import stored_version_batches
from passerelle.policy.directory import viewer_by_id
from passerelle.policy.entities import holder_of
from passerelle.policy.viewer import Viewer
from passerelle.resolution.aliases import AliasData, ensure_loaded
from passerelle.resolution.candidates import Candidate, Match, find_candidates, rank
from passerelle.resolution.links import (
    LINKED,
    SOURCE_NAME,
    SOURCE_REVIEW,
    Learnt,
    NameRow,
    learn_names,
    link_row,
    new_entity,
    points,
    subject_names,
    via_name_id,
)
from passerelle.resolution.names import normalise
from passerelle.resolution.subjects import RESOLVED_TYPES, Subject, subject_of
from passerelle.store.chunks import ID_CHUNK, chunked
from passerelle.store.database import Database
from passerelle.store.entity_tables import entity_links, entity_names
from passerelle.store.schema import channel_objects

# Thresholds on the engine's 0-1 score.
AUTO: Final = 0.90
REVIEW: Final = 0.70
# Two candidates this close at the top are ambiguous: a person decides.
CLEAR_MARGIN: Final = 0.02
MAX_REVIEW: Final = 3
# Candidates scored per object: a bound on hostile or huge input.
MAX_CANDIDATES: Final = 50


@dataclass
class _Envelope:
    """Candidates of one envelope, kept up to date as its objects are linked."""

    candidates: dict[str, Candidate]
    keys: dict[str, set[str]]  # entity root -> blocking keys
    roots_by_key: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for root, keys in self.keys.items():
            for key in keys:
                self.roots_by_key.setdefault(key, set()).add(root)

    def add(self, candidate: Candidate, keys: set[str]) -> None:
        """Make an entity a candidate for the envelope's next objects."""
        self.candidates[candidate.entity_id] = candidate
        self.keys.setdefault(candidate.entity_id, set()).update(keys)
        for key in keys:
            self.roots_by_key.setdefault(key, set()).add(candidate.entity_id)

    def matching(self, subject: Subject, keys: set[str]) -> list[Candidate]:
        """Return the candidates of the subject's kind that share the most keys with it."""
        shared: dict[str, int] = {}
        for key in keys:
            for root in self.roots_by_key.get(key, ()):
                shared[root] = shared.get(root, 0) + 1
        ranked = sorted(
            (-n, root) for root, n in shared.items() if self.candidates[root].kind == subject.kind
        )
        return [self.candidates[root] for _n, root in ranked[:MAX_CANDIDATES]]


def _corroborated(match: Match) -> bool:
    """Tell whether a high score may link on its own: the names are equal once normalised
    (spelling, script, order, particles), or a birth date or an identifier agrees.

    On names alone, one-letter differences (Michel / Michelle) score 0.94-0.98 on the
    evaluation data: those go to review instead.
    """
    kind = match.candidate.kind
    if normalise(match.query, kind) == normalise(match.scored.best_name, kind):
        return True
    return any(
        reason.startswith(("birth dates equal", "identifier equal"))
        for reason in match.scored.reasons
    )


def decide(matches: Sequence[Match]) -> tuple[str, list[Match]]:
    """Return what to do with a subject: ``auto`` (one match), ``review`` or ``new``."""
    if not matches:
        return "new", []
    top = matches[0]
    runner_up = matches[1].score if len(matches) > 1 else 0.0
    if top.score >= AUTO and top.score - runner_up >= CLEAR_MARGIN and _corroborated(top):
        return "auto", [top]
    queued = [m for m in matches if m.score >= REVIEW][:MAX_REVIEW]
    return ("review", queued) if queued else ("new", [])


class EntityLinking:
    """Listener of object writes: resolves the identities, groups and places new to the
    node, inside the write transaction, as the writer may see candidates."""

    def __init__(self, aliases: AliasData) -> None:
        self._aliases = aliases

    def __call__(self, event: ObjectsStored) -> None:
        """Link the versions new to the node."""
        link_new_versions(
            event.database,
            event.conn,
            event.writer,
            [(v.stix_id, v.version, v.body) for v in event.new],
            self._aliases,
            event.now,
        )


@dataclass(frozen=True)
class _Thread:
    """The new versions of one object's owner, or of one organisation's copy of it, that
    name an entity, oldest first.

    A new object is resolved on its oldest new version, and the later ones teach what
    they add as they would arriving one by one: an envelope that brings a TLP:CLEAR
    version and a TLP:RED one links the object as the CLEAR one says.
    """

    stix_id: str
    holder: int
    versions: tuple[tuple[str, Subject], ...]

    @property
    def first(self) -> tuple[str, Subject]:
        """Return the oldest new version and what it says."""
        return self.versions[0]


def link_new_versions(
    database: Database,
    conn: Connection,
    viewer: Viewer,
    versions: Sequence[tuple[str, str, str]],
    aliases: AliasData,
    now: int,
) -> None:
    """Resolve newly stored identities, intrusion-sets, threat-actors and locations."""
    threads = _threads_of(versions)
    if not threads:
        return
    ensure_loaded(database, conn, aliases, now)
    existing = _existing_links(conn, [t.stix_id for t in threads])
    fresh = [t for t in threads if (t.stix_id, t.holder) not in existing]
    for thread in threads:
        if (thread.stix_id, thread.holder) in existing:
            _learn_new_names(database, conn, thread, existing[(thread.stix_id, thread.holder)], now)
    if not fresh:
        return
    keyed = {(t.stix_id, t.holder): t.first[1].keys() for t in fresh}
    found, shared = find_candidates(conn, viewer, set().union(*keyed.values()))
    envelope = _Envelope(found, shared)
    links: list[dict[str, Any]] = []
    for thread in fresh:
        links += _resolve(
            database, conn, envelope, thread, keyed[(thread.stix_id, thread.holder)], now
        )
    database.insert_ignoring_duplicates(conn, entity_links, links)


def _threads_of(versions: Sequence[tuple[str, str, str]]) -> list[_Thread]:
    """The new versions that name an entity, by object and holder."""
    found: dict[tuple[str, int], list[tuple[str, Subject]]] = {}
    for stix_id, version, body in versions:
        if stix_id.split("--", 1)[0] not in RESOLVED_TYPES:
            continue
        subject = subject_of(orjson.loads(body))
        if subject is not None:
            found.setdefault((stix_id, holder_of(version)), []).append((version, subject))
    return [
        _Thread(stix_id, holder, tuple(sorted(said, key=lambda pair: pair[0])))
        for (stix_id, holder), said in found.items()
    ]


def _resolve(
    database: Database,
    conn: Connection,
    envelope: _Envelope,
    thread: _Thread,
    keys: set[str],
    now: int,
) -> list[dict[str, Any]]:
    """Decide what an object is (a new entity, or links to candidates); return the rows of
    its links to candidates, a new entity's own link being already written."""
    version, subject = thread.first
    matches = rank(subject.names, subject.facts, subject.kind, envelope.matching(subject, keys))
    action, chosen = decide(matches)
    if action == "new":
        entity_id, names = new_entity(database, conn, subject, version, now)
        names += _learn_later(database, conn, thread, entity_id, now)
        envelope.add(Candidate(entity_id, subject.kind, subject.name, names, subject.facts), keys)
        return []
    status = "auto" if action == "auto" else "review"
    rows = [
        link_row(
            Learnt(subject.stix_id, version),
            _linked_entity(match),
            via_name_id(match.via),
            points(match.score),
            match.explanation(),
            status,
            now,
        )
        for match in chosen
    ]
    if action == "auto":
        target, entity_id = chosen[0].candidate, _linked_entity(chosen[0])
        target.names += learn_names(
            database,
            conn,
            entity_id,
            subject.kind,
            subject_names(subject),
            now,
            source=Learnt(subject.stix_id, version),
        )
        target.names += _learn_later(database, conn, thread, entity_id, now)
        envelope.add(target, keys)
    return rows


def _linked_entity(match: Match) -> str:
    """The entity a match links to: the one holding the name that matched."""
    return match.via.entity_id if match.via else match.candidate.entity_id


def _learn_later(
    database: Database, conn: Connection, thread: _Thread, entity_id: str, now: int
) -> list[NameRow]:
    """Teach an entity the names of a thread's new versions later than the one it was
    linked on."""
    linked_on = thread.first[0]
    learnt: list[NameRow] = []
    for version, subject in thread.versions[1:]:
        learnt += learn_names(
            database,
            conn,
            entity_id,
            subject.kind,
            subject_names(subject),
            now,
            source=Learnt(subject.stix_id, version, linked_on),
        )
    return learnt


def _existing_links(conn: Connection, stix_ids: Sequence[str]) -> dict[tuple[str, int], list[Any]]:
    found: dict[tuple[str, int], list[Any]] = {}
    for chunk in chunked(sorted(set(stix_ids))):
        rows = conn.execute(select(entity_links).where(entity_links.c.stix_id.in_(chunk)))
        for row in rows:
            found.setdefault((row.stix_id, row.holder), []).append(row)
    return found


def _learn_new_names(
    database: Database, conn: Connection, thread: _Thread, existing: list[Any], now: int
) -> None:
    """Teach the entities an object is linked to the names its new versions carry."""
    for row in existing:
        if row.status not in LINKED:
            continue  # waiting for review, or rejected and re-made: nothing to learn here
        linked_on = row.version
        if linked_on is None:  # linked ahead of its object (intake's review): on this one
            linked_on = thread.first[0]
            conn.execute(
                entity_links.update()
                .where(
                    entity_links.c.stix_id == row.stix_id,
                    entity_links.c.holder == row.holder,
                    entity_links.c.entity_id == row.entity_id,
                )
                .values(version=linked_on)
            )
        source = SOURCE_REVIEW if row.status == "accepted" else SOURCE_NAME
        known = _names_known(conn, thread.stix_id, row.entity_id)
        for version, subject in thread.versions:
            said = subject_names(subject, source)
            learn_names(
                database,
                conn,
                row.entity_id,
                subject.kind,
                [(name, origin) for name, origin in said if (version, name) not in known],
                now,
                source=Learnt(subject.stix_id, version, linked_on),
            )


def _names_known(conn: Connection, stix_id: str, entity_id: str) -> set[tuple[str, str]]:
    """The (version, name) pairs an entity already learnt from an object (``relink``
    reads versions again)."""
    rows = conn.execute(
        select(entity_names.c.version, entity_names.c.name).where(
            entity_names.c.stix_id == stix_id, entity_names.c.entity_id == entity_id
        )
    )
    return {(row.version, row.name) for row in rows}


def relink(
    database: Database,
    aliases: AliasData,
    now: int,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Resolve every stored version of a resolvable type that has no link yet (objects
    stored before resolution existed, say); return how many versions were read.

    Each object is resolved as the user who first placed it would have been: candidates
    are what that user may see. Each batch commits on its own, so the node keeps serving.
    """
    done = 0
    for batch in stored_version_batches(database, sorted(RESOLVED_TYPES), ID_CHUNK):
        with database.read() as conn:
            placers = _first_placers(conn, [(row.stix_id, row.version) for row in batch])
        by_placer: dict[int, list[tuple[str, str, str]]] = {}
        for row in batch:
            placer = placers.get((row.stix_id, row.version))
            if placer is not None:
                by_placer.setdefault(placer, []).append((row.stix_id, row.version, row.body))
        for user_id, versions in sorted(by_placer.items()):
            with database.write() as conn:
                link_new_versions(
                    database, conn, viewer_by_id(conn, user_id), versions, aliases, now
                )
        done += len(batch)
        if progress is not None:
            progress(len(batch))
    return done


def _first_placers(conn: Connection, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Return who first placed each version in a channel."""
    if not keys:
        return {}
    ids = sorted({stix_id for stix_id, _ in keys})
    rows = conn.execute(
        select(
            channel_objects.c.stix_id,
            channel_objects.c.version,
            channel_objects.c.added_by,
            channel_objects.c.seq,
        )
        .where(channel_objects.c.stix_id.in_(ids))
        .order_by(channel_objects.c.seq)
    )
    found: dict[tuple[str, str], int] = {}
    for row in rows:
        found.setdefault((row.stix_id, row.version), row.added_by)
    return found
