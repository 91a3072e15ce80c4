"""Alias knowledge that no string metric can bridge: shipped, sourced data files.

``Daesh``, ``ISIL``, ``État islamique``, ``ИГИЛ`` and ``داعش`` share no letters; only
knowledge joins them. The files under ``aliases/`` (shipped with Passerelle) and any
``*.json`` file in the node's own directory (setting ``aliases_dir``, from
``PASSERELLE_ALIASES_DIR``) hold that knowledge, each alias with its source::

    {
      "title": "...",
      "sources": {"wp-ru": "Russian Wikipedia, ...", "un-1267": "UN ... list, https://..."},
      "entities": [
        {"key": "islamic-state", "kind": "organization", "name": "Islamic State",
         "name_source": "wp-en", "note": "designations...",
         "aliases": [["ИГИЛ", "wp-ru"], ["Daesh", "wp-en"]]}
      ]
    }

An entity's id derives from its ``key`` alone, so a node's file extends a shipped entity by
using the same key. The files are loaded into the database (``entities``, ``entity_names``
with source ``aliases:<file>#<source key>`` and no object, ``entity_keys``) the first time
resolution needs them, and again whenever the files (or the name engine's keys) change:
:func:`ensure_loaded` costs one index look-up when nothing changed, and needs no network.
Names from these files are public: every user may see them.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, cast

import orjson
from sqlalchemy import Connection, func, select

from passerelle.errors import PasserelleError
from passerelle.resolution.names import Kind, name_keys, normalise, script_of
from passerelle.store.chunks import ID_CHUNK, chunked
from passerelle.store.database import Database
from passerelle.store.entity_tables import entities, entity_keys, entity_names

SOURCE_PREFIX: Final = "aliases:"
# The key that records which version of the alias files the database holds.
MARKER_PREFIX: Final = "aliases:"
_NAMESPACE: Final = uuid.UUID("5b0e6f52-3c1e-4d5e-9a3f-70617373726c")
_KINDS: Final = frozenset(("person", "organization", "location"))
# Names the engine keys when the files are loaded: if its keys change, names are re-keyed.
_PROBES: Final = (("Царнаев Джохар", "person"), ("Daesh", "organization"), ("Paris", "location"))
# Serialises loading on PostgreSQL (first key "PS" as the store's locks; second key ours).
_LOCK: Final = (0x5053, -2)


class AliasFileError(PasserelleError):
    """An alias file is malformed."""


@dataclass(frozen=True)
class AliasEntity:
    """One entity of an alias file: its names, each with where it comes from."""

    key: str
    kind: Kind
    name: str
    note: str
    names: tuple[tuple[str, str], ...]  # (name, source) with source "aliases:<file>#<key>"

    @property
    def id(self) -> str:
        """Return the entity id, the same on every node and for every file using the key."""
        return entity_id_for(self.key)


@dataclass(frozen=True)
class AliasData:
    """Everything the alias files say, and a digest of it."""

    entities: tuple[AliasEntity, ...]
    sources: Mapping[str, str]  # "aliases:<file>#<key>" -> description
    digest: str


def entity_id_for(key: str) -> str:
    """Return the id of the alias-file entity with this key."""
    return f"entity--{uuid.uuid5(_NAMESPACE, key)}"


def load_alias_data(dirs: Sequence[Path]) -> AliasData:
    """Read the alias files, once per process and set of directories (a node reads a
    changed file of its own at its next start)."""
    return _read(tuple(dirs))


@lru_cache(maxsize=8)
def _read(dirs: tuple[Path, ...]) -> AliasData:
    files: list[tuple[str, bytes]] = []
    for directory in dirs:
        if not directory.is_dir():
            raise AliasFileError(f"no alias directory {str(directory)!r}")
        files += [(path.name, path.read_bytes()) for path in sorted(directory.glob("*.json"))]
    return _parse(tuple(files))


def _parse(files: tuple[tuple[str, bytes], ...]) -> AliasData:
    digest = hashlib.sha256()
    for name, content in files:
        digest.update(name.encode() + b"\0" + content + b"\0")
    for probe, kind in _PROBES:
        digest.update(" ".join(sorted(name_keys(probe, cast(Kind, kind)))).encode() + b"\0")
    merged: dict[str, AliasEntity] = {}
    sources: dict[str, str] = {}
    for filename, content in files:
        try:
            data = orjson.loads(content)
        except orjson.JSONDecodeError as exc:
            raise AliasFileError(f"{filename}: not JSON ({exc})") from exc
        for source_key, text in _mapping(data.get("sources"), filename).items():
            sources[f"{SOURCE_PREFIX}{filename}#{source_key}"] = str(text)
        for item in data.get("entities") or ():
            entity = _entity(item, filename, sources)
            known = merged.get(entity.key)
            if known is not None:
                names = tuple(dict.fromkeys(known.names + entity.names))
                entity = AliasEntity(known.key, known.kind, known.name, known.note, names)
            merged[entity.key] = entity
    return AliasData(tuple(merged.values()), sources, digest.hexdigest()[:32])


def _mapping(value: Any, filename: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AliasFileError(f"{filename}: 'sources' must map keys to descriptions")
    return value


def _entity(item: Any, filename: str, sources: Mapping[str, str]) -> AliasEntity:
    if not isinstance(item, dict):
        raise AliasFileError(f"{filename}: each entity must be an object")
    key, kind, name = item.get("key"), item.get("kind"), item.get("name")
    if not (isinstance(key, str) and key and isinstance(name, str) and name.strip()):
        raise AliasFileError(f"{filename}: each entity needs a 'key' and a 'name'")
    if kind not in _KINDS:
        raise AliasFileError(f"{filename}: {key}: kind must be person, organization or location")

    def source_of(source_key: Any) -> str:
        full = f"{SOURCE_PREFIX}{filename}#{source_key}"
        if not isinstance(source_key, str) or full not in sources:
            raise AliasFileError(f"{filename}: {key}: unknown source {source_key!r}")
        return full

    names = [(name.strip(), source_of(item.get("name_source", next(iter(_sources_of(item))))))]
    for alias in item.get("aliases") or ():
        if not (isinstance(alias, list) and len(alias) == 2 and isinstance(alias[0], str)):
            raise AliasFileError(f"{filename}: {key}: each alias is [name, source]")
        if alias[0].strip():
            names.append((alias[0].strip(), source_of(alias[1])))
    return AliasEntity(
        key, cast(Kind, kind), name.strip(), str(item.get("note", "")), tuple(dict.fromkeys(names))
    )


def _sources_of(item: dict[str, Any]) -> Iterable[Any]:
    """The sources an entity's aliases cite, in order (the default for its own name)."""
    cited = [a[1] for a in item.get("aliases") or () if isinstance(a, list) and len(a) == 2]
    return cited or [None]


def source_description(source: str, data: AliasData) -> str:
    """Describe an ``aliases:<file>#<key>`` source (empty for other sources)."""
    if not source.startswith(SOURCE_PREFIX):
        return ""
    return data.sources.get(source, "")


# The in-memory index the watch matcher uses ------------------------------------------


_INDEXES: dict[str, dict[str, str]] = {}


def _alias_index(data: AliasData) -> dict[str, str]:
    known = _INDEXES.get(data.digest)
    if known is not None:
        return known
    index: dict[str, str] = {}
    for entity in data.entities:
        for name, _source in entity.names:
            form = normalise(name, entity.kind)
            # Two-letter forms (IS, EI, ИГ, AQ) are too ambiguous to stand for an entity
            # alone; they still serve resolution, where the score weighs them.
            if len(form.replace(" ", "")) > 2:
                index.setdefault(form, entity.key)
    _INDEXES[data.digest] = index
    return index


def alias_key_of(name: str, data: AliasData) -> str | None:
    """Return the key of the alias-file entity that this exact name (normalised) names."""
    return _alias_index(data).get(normalise(name, "organization"))


# Loading into the database -----------------------------------------------------------


def ensure_loaded(database: Database, conn: Connection, data: AliasData, now: int) -> None:
    """Load the alias files into the database unless this version of them is there.

    Runs inside the caller's write transaction; one index look-up when nothing changed.
    """
    marker = MARKER_PREFIX + data.digest
    if _has_marker(conn, marker):
        return
    if database.backend == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(*_LOCK)))
        if _has_marker(conn, marker):
            return
    _sync(database, conn, data, marker, now)


def is_loaded(conn: Connection, data: AliasData) -> bool:
    """Tell whether these alias files are in the database (for read-only paths)."""
    return _has_marker(conn, MARKER_PREFIX + data.digest)


def _has_marker(conn: Connection, marker: str) -> bool:
    return (
        conn.execute(select(entity_keys.c.entity_id).where(entity_keys.c.key == marker)).first()
        is not None
    )


def _sync(database: Database, conn: Connection, data: AliasData, marker: str, now: int) -> None:
    if not data.entities:
        return
    database.insert_ignoring_duplicates(
        conn,
        entities,
        [
            {
                "id": e.id,
                "kind": e.kind,
                "name": e.name,
                "created": now,
            }
            for e in data.entities
        ],
    )
    conn.execute(
        entity_names.delete().where(
            entity_names.c.source.startswith(SOURCE_PREFIX), entity_names.c.stix_id.is_(None)
        )
    )
    conn.execute(
        entity_names.insert(),
        [
            {
                "entity_id": e.id,
                "name": name,
                "script": script_of(name),
                "source": source,
                "stix_id": None,
                "added_by": None,
                "created": now,
            }
            for e in data.entities
            for name, source in e.names
        ],
    )
    # The keys of every name are made again: the files, or the engine's keys, changed.
    conn.execute(entity_keys.delete())
    kinds = {row.id: row.kind for row in conn.execute(select(entities.c.id, entities.c.kind))}
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for entity_id, name in conn.execute(select(entity_names.c.entity_id, entity_names.c.name)):
        kind = cast(Kind, kinds.get(entity_id, "person"))
        for key in name_keys(name, kind):
            rows[(entity_id, key)] = {"entity_id": entity_id, "key": key}
    rows[(data.entities[0].id, marker)] = {"entity_id": data.entities[0].id, "key": marker}
    ordered = list(rows.values())
    for chunk in chunked(ordered, 10 * ID_CHUNK):
        database.insert_ignoring_duplicates(conn, entity_keys, chunk)
