"""Linking newly stored objects to entities, inside the ingest transaction.

Which objects name an entity, and of which kind:

- ``identity``: ``identity_class`` ``individual`` is a person; ``organization`` and
  ``group`` an organization; other classes (``class``, ``system``, ``unknown``) name no
  entity and are skipped;
- ``intrusion-set``: an organization;
- ``threat-actor``: a person when its ``resource_level`` is ``individual`` (STIX's way to
  say one person acts), else an organization;
- ``location``: a location, when it has a name.

Their names are ``name`` plus ``aliases`` (and ``x_aliases``); facts that raise or lower a
score come from custom properties: birth date (``x_birth_date``, ``x_date_of_birth``,
``birth_date``), nationality (``x_nationality``, ``x_nationalities``, ``nationality``,
ISO 3166 alpha-2) and identifiers (``x_passport_number``, ``x_passport``,
``x_identifiers``, ``x_national_id``).

For each object (its newest new version), candidates are the entities sharing a blocking
key with one of its names (one indexed query per envelope, :func:`find_candidates`), seen
as the writer sees them: only names the writer may see are scored, and an entity without
any is no candidate. Scores are vectorised over the candidates
(:func:`passerelle.resolution.names.score`). Then:

- one candidate at :data:`AUTO` or above, clear of the runner-up: the object is linked
  (status ``auto``) and its names are learnt (sources ``stix:name``, ``stix:aliases``, with
  the object's id: only those who may see the object see them);
- otherwise candidates at :data:`REVIEW` or above (at most :data:`MAX_REVIEW`) get a link
  in status ``review`` and nothing is learnt until a person accepts one; rejecting them
  all makes a new entity of the object;
- otherwise a new entity is made from the object, linked with status ``auto``.

A new version of an object that is already linked teaches its entity its new names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, cast

import orjson
from sqlalchemy import Connection, func, select

from passerelle.core.context import new_id
from passerelle.objects.hooks import ObjectsStored
from passerelle.objects.latest import latest_stored_bodies
from passerelle.objects.queries import stored_version_batches
from passerelle.policy.directory import viewer_by_id
from passerelle.policy.entities import link_object_visible, name_visible
from passerelle.policy.viewer import Viewer
from passerelle.resolution.aliases import AliasData, ensure_loaded
from passerelle.resolution.names import (
    Facts,
    Kind,
    Scored,
    name_keys,
    normalise,
    score,
    script_of,
)
from passerelle.store.chunks import ID_CHUNK, chunked
from passerelle.store.database import Database
from passerelle.store.schema import (
    channel_objects,
    entities,
    entity_keys,
    entity_links,
    entity_names,
)

# Thresholds on the engine's 0-1 score.
AUTO: Final = 0.90
REVIEW: Final = 0.70
# Two candidates this close at the top are ambiguous: a person decides.
CLEAR_MARGIN: Final = 0.02
MAX_REVIEW: Final = 3
# Bounds on hostile or huge input: names per object, candidates scored per object.
MAX_NAMES: Final = 20
MAX_NAME: Final = 300
MAX_CANDIDATES: Final = 50
# Objects read per candidate entity for its facts.
MAX_FACT_OBJECTS: Final = 20

RESOLVED_TYPES: Final = frozenset(("identity", "intrusion-set", "threat-actor", "location"))
LINKED: Final = ("auto", "accepted")
SOURCE_NAME: Final = "stix:name"
SOURCE_ALIASES: Final = "stix:aliases"
SOURCE_REVIEW: Final = "review"

_BIRTH_PROPS: Final = ("x_birth_date", "x_date_of_birth", "birth_date", "date_of_birth")
_NATIONALITY_PROPS: Final = ("x_nationality", "x_nationalities", "nationality", "nationalities")
_IDENTIFIER_PROPS: Final = ("x_passport_number", "x_passport", "x_identifiers", "x_national_id")
_DATE: Final = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")
_COUNTRY: Final = re.compile(r"^[A-Za-z]{2}$")


@dataclass(frozen=True)
class Subject:
    """What one object says about the thing it names."""

    stix_id: str
    kind: Kind
    name: str
    aliases: tuple[str, ...]
    facts: Facts

    @property
    def names(self) -> tuple[str, ...]:
        """Return its name and aliases."""
        return (self.name, *self.aliases)

    def keys(self) -> set[str]:
        """Return the blocking keys of all its names."""
        return {key for name in self.names for key in name_keys(name, self.kind)}


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


def explanation(
    query: str, best_name: str, source: str, via: str | None, reasons: Sequence[str]
) -> str:
    """Encode a link's explanation: ``via`` is the object that gave the matched name."""
    return orjson.dumps(
        {
            "query": query,
            "best_name": best_name,
            "source": source,
            "via": via,
            "reasons": list(reasons),
        }
    ).decode()


def read_explanation(text: str) -> dict[str, Any]:
    """Decode a link's explanation (a plain text one reads as its only reason)."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {"reasons": [text], "via": None, "best_name": "", "query": "", "source": ""}
    return value if isinstance(value, dict) else {"reasons": [str(value)], "via": None}


# Objects -------------------------------------------------------------------------------


def kind_of(obj: Mapping[str, Any]) -> Kind | None:
    """Return the kind of entity an object names, or None if it names none."""
    kind = obj.get("type")
    if kind == "identity":
        klass = obj.get("identity_class")
        if klass == "individual":
            return "person"
        return "organization" if klass in ("organization", "group") else None
    if kind == "intrusion-set":
        return "organization"
    if kind == "threat-actor":
        return "person" if obj.get("resource_level") == "individual" else "organization"
    if kind == "location":
        return "location"
    return None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value[:MAX_NAMES] if isinstance(v, str)]
    return []


def facts_of(obj: Mapping[str, Any]) -> Facts:
    """Return the facts an object states about the thing it names."""
    births = {
        match.group(0)
        for prop in _BIRTH_PROPS
        for text in _strings(obj.get(prop))
        if (match := _DATE.match(text.strip()))
    }
    countries = {
        text.strip().upper()
        for prop in _NATIONALITY_PROPS
        for text in _strings(obj.get(prop))
        if _COUNTRY.match(text.strip())
    }
    identifiers = {
        "".join(c for c in text.upper() if c.isalnum())
        for prop in _IDENTIFIER_PROPS
        for text in _strings(obj.get(prop))
    }
    return Facts(frozenset(births), frozenset(countries), frozenset(i for i in identifiers if i))


def subject_of(obj: Mapping[str, Any]) -> Subject | None:
    """Return what an object says about the entity it names, or None."""
    kind = kind_of(obj)
    name = obj.get("name")
    if kind is None or not isinstance(name, str) or not name.strip() or obj.get("revoked"):
        return None
    first = name.strip()[:MAX_NAME]
    aliases: list[str] = []
    for prop in ("aliases", "x_aliases"):
        aliases += [a.strip()[:MAX_NAME] for a in _strings(obj.get(prop)) if a.strip()]
    unique = [a for a in dict.fromkeys(aliases) if a != first][: MAX_NAMES - 1]
    return Subject(str(obj["id"]), kind, first, tuple(unique), facts_of(obj))


# Entities as a viewer sees them --------------------------------------------------------


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


# Writing -------------------------------------------------------------------------------


def learn_names(
    database: Database,
    conn: Connection,
    entity_id: str,
    kind: Kind,
    names: Sequence[tuple[str, str]],
    now: int,
    *,
    stix_id: str | None,
    added_by: int | None = None,
) -> list[dict[str, Any]]:
    """Record names (name, source) of an entity and their blocking keys; return the rows."""
    if not names:
        return []
    rows = [
        {
            "entity_id": entity_id,
            "name": name,
            "script": script_of(name),
            "source": source,
            "stix_id": stix_id,
            "added_by": added_by,
            "created": now,
        }
        for name, source in names
    ]
    conn.execute(entity_names.insert(), rows)
    keys = sorted({key for name, _source in names for key in name_keys(name, kind)})
    database.insert_ignoring_duplicates(
        conn, entity_keys, [{"entity_id": entity_id, "key": key} for key in keys]
    )
    return rows


def subject_names(subject: Subject, first_source: str = SOURCE_NAME) -> list[tuple[str, str]]:
    """Return a subject's names with their sources."""
    alias_source = SOURCE_REVIEW if first_source == SOURCE_REVIEW else SOURCE_ALIASES
    return [(subject.name, first_source)] + [(a, alias_source) for a in subject.aliases]


def new_entity(database: Database, conn: Connection, subject: Subject, now: int) -> str:
    """Make an entity of an object: its names learnt, the object linked to it."""
    entity_id = new_id("entity")
    conn.execute(
        entities.insert().values(id=entity_id, kind=subject.kind, name=subject.name, created=now)
    )
    learn_names(
        database,
        conn,
        entity_id,
        subject.kind,
        subject_names(subject),
        now,
        stix_id=subject.stix_id,
    )
    reason = "a new entity, made from this object: no known entity matched well enough"
    database.insert_ignoring_duplicates(
        conn,
        entity_links,
        [
            _link_row(
                subject.stix_id,
                entity_id,
                1000,
                explanation(subject.name, subject.name, SOURCE_NAME, subject.stix_id, [reason]),
                "auto",
                now,
            )
        ],
    )
    return entity_id


def _link_row(
    stix_id: str, entity_id: str, points: int, text: str, status: str, now: int
) -> dict[str, Any]:
    return {
        "stix_id": stix_id,
        "entity_id": entity_id,
        "score": points,
        "explanation": text,
        "status": status,
        "created": now,
        "decided_by": None,
        "decided_at": None,
    }


def points(value: float) -> int:
    """Return a 0-1 score as the stored 0-1000 integer."""
    return max(0, min(1000, round(value * 1000)))


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
        self.candidates[candidate.entity_id] = candidate
        self.keys.setdefault(candidate.entity_id, set()).update(keys)
        for key in keys:
            self.roots_by_key.setdefault(key, set()).add(candidate.entity_id)

    def matching(self, subject: Subject, keys: set[str]) -> list[Candidate]:
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


def link_new_versions(
    database: Database,
    conn: Connection,
    viewer: Viewer,
    versions: Sequence[tuple[str, str, str]],
    aliases: AliasData,
    now: int,
) -> None:
    """Resolve newly stored identities, intrusion-sets, threat-actors and locations."""
    newest: dict[str, tuple[str, str]] = {}
    for stix_id, version, body in versions:
        if stix_id.split("--", 1)[0] not in RESOLVED_TYPES:
            continue
        known = newest.get(stix_id)
        if known is None or version > known[0]:
            newest[stix_id] = (version, body)
    if not newest:
        return
    subjects = [
        s for _v, body in newest.values() if (s := subject_of(orjson.loads(body))) is not None
    ]
    if not subjects:
        return
    ensure_loaded(database, conn, aliases, now)
    existing = _existing_links(conn, [s.stix_id for s in subjects])
    fresh = [s for s in subjects if s.stix_id not in existing]
    _learn_new_names(database, conn, [s for s in subjects if s.stix_id in existing], existing, now)
    if not fresh:
        return
    keyed = {s.stix_id: s.keys() for s in fresh}
    found, shared = find_candidates(conn, viewer, set().union(*keyed.values()))
    envelope = _Envelope(found, shared)
    links: list[dict[str, Any]] = []
    for subject in fresh:
        keys = keyed[subject.stix_id]
        matches = rank(subject.names, subject.facts, subject.kind, envelope.matching(subject, keys))
        action, chosen = decide(matches)
        if action == "new":
            entity_id = new_entity(database, conn, subject, now)
            envelope.add(_fresh_candidate(entity_id, subject), keys)
            continue
        status = "auto" if action == "auto" else "review"
        for match in chosen:
            links.append(
                _link_row(
                    subject.stix_id,
                    match.candidate.entity_id,
                    points(match.score),
                    match.explanation(),
                    status,
                    now,
                )
            )
        if action == "auto":
            target = chosen[0].candidate
            rows = learn_names(
                database,
                conn,
                target.entity_id,
                subject.kind,
                subject_names(subject),
                now,
                stix_id=subject.stix_id,
            )
            target.names += [
                NameRow(0, target.entity_id, r["name"], r["source"], subject.stix_id) for r in rows
            ]
            envelope.add(target, keys)
    database.insert_ignoring_duplicates(conn, entity_links, links)


def _fresh_candidate(entity_id: str, subject: Subject) -> Candidate:
    names = [NameRow(0, entity_id, n, s, subject.stix_id) for n, s in subject_names(subject)]
    return Candidate(entity_id, subject.kind, subject.name, names, subject.facts)


def _existing_links(conn: Connection, stix_ids: Sequence[str]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for chunk in chunked(stix_ids):
        rows = conn.execute(
            select(entity_links.c.stix_id, entity_links.c.entity_id, entity_links.c.status).where(
                entity_links.c.stix_id.in_(chunk)
            )
        )
        for row in rows:
            found.setdefault(row.stix_id, []).append(row)
    return found


def _learn_new_names(
    database: Database,
    conn: Connection,
    subjects: Sequence[Subject],
    existing: dict[str, list[Any]],
    now: int,
) -> None:
    """Teach linked entities the names a new version of their object brings."""
    for subject in subjects:
        linked = [row for row in existing[subject.stix_id] if row.status in LINKED]
        if not linked:
            continue  # waiting for review, or rejected and re-made: nothing to learn here
        known = set(
            conn.execute(
                select(entity_names.c.name).where(entity_names.c.stix_id == subject.stix_id)
            ).scalars()
        )
        for row in linked:
            source = SOURCE_REVIEW if row.status == "accepted" else SOURCE_NAME
            added = [(n, s) for n, s in subject_names(subject, source) if n not in known]
            learn_names(
                database, conn, row.entity_id, subject.kind, added, now, stix_id=subject.stix_id
            )


def count_links(conn: Connection, status: str) -> int:
    """Return how many links have a status (for tests and figures; no viewer filter)."""
    return int(
        conn.execute(
            select(func.count()).select_from(entity_links).where(entity_links.c.status == status)
        ).scalar()
        or 0
    )


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
