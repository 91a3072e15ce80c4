"""Links from objects to entities, their explanations, and the names they teach entities.

A link is stored with its score (0 to 1000), its status (``auto``, ``review``,
``accepted``, ``rejected``), the version it was decided on, whose versions it is about
(the owner's, or an organisation's copy: ``holder``), the entity's name that justified
it (``via_name_id``) and an explanation (:func:`explanation`): the name that matched,
from which source and object, and the engine's reasons. An entity learns the names of
the objects linked to it (sources ``stix:name``, ``stix:aliases``, or ``review`` for an
accepted link), each with the object's id and the version that carries it: only those
who may see that version see them (:mod:`passerelle.policy.entities`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import orjson
from sqlalchemy import Connection

from passerelle.core.context import new_id
from passerelle.policy.entities import PUBLIC_SOURCE_PREFIX as ALIAS_SOURCE_PREFIX
from passerelle.policy.entities import holder_of
from passerelle.resolution.names import Kind, name_keys, script_of
from passerelle.resolution.subjects import Subject
from passerelle.store.database import Database
from passerelle.store.entity_tables import entities, entity_keys, entity_links, entity_names

# Links that count: made automatically above the threshold, or accepted in review.
LINKED: Final = ("auto", "accepted")
SOURCE_NAME: Final = "stix:name"
SOURCE_ALIASES: Final = "stix:aliases"
SOURCE_REVIEW: Final = "review"


@dataclass(frozen=True)
class NameRow:
    """One name of an entity, as a viewer may see it."""

    id: int
    entity_id: str
    name: str
    source: str
    stix_id: str | None


@dataclass(frozen=True)
class Learnt:
    """Where names come from: a version of an object, and the version its link to the
    entity was decided on when that is another one."""

    stix_id: str
    version: str
    linked_on: str | None = None

    @property
    def link_version(self) -> str | None:
        """Return the link's version when it differs from the names' (else None)."""
        return None if self.linked_on in (None, self.version) else self.linked_on


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


def learn_names(
    database: Database,
    conn: Connection,
    entity_id: str,
    kind: Kind,
    names: Sequence[tuple[str, str]],
    now: int,
    *,
    source: Learnt | None = None,
    added_by: int | None = None,
) -> list[NameRow]:
    """Record names (name, source) of an entity and their blocking keys; return the rows.

    ``source`` is the version of an object that carries them (None: the alias files or a
    person).
    """
    if not names:
        return []
    rows = [
        {
            "entity_id": entity_id,
            "name": name,
            "script": script_of(name),
            "source": origin,
            "stix_id": source.stix_id if source else None,
            "version": source.version if source else None,
            "link_version": source.link_version if source else None,
            "added_by": added_by,
            "created": now,
        }
        for name, origin in names
    ]
    ids = conn.execute(
        entity_names.insert().returning(entity_names.c.id, sort_by_parameter_order=True), rows
    ).scalars()
    keys = sorted({key for name, _source in names for key in name_keys(name, kind)})
    database.insert_ignoring_duplicates(
        conn, entity_keys, [{"entity_id": entity_id, "key": key} for key in keys]
    )
    stix_id = source.stix_id if source else None
    return [
        NameRow(i, entity_id, name, origin, stix_id)
        for i, (name, origin) in zip(ids, names, strict=True)
    ]


def via_name_id(via: NameRow | None) -> int | None:
    """Return the name row a link records as its justification: none for a name of the
    alias files, which everyone may see (and which are loaded again, under new ids,
    whenever the files change)."""
    if via is None or (via.stix_id is None and via.source.startswith(ALIAS_SOURCE_PREFIX)):
        return None
    return via.id


def subject_names(subject: Subject, first_source: str = SOURCE_NAME) -> list[tuple[str, str]]:
    """Return a subject's names with their sources."""
    alias_source = SOURCE_REVIEW if first_source == SOURCE_REVIEW else SOURCE_ALIASES
    return [(subject.name, first_source)] + [(a, alias_source) for a in subject.aliases]


def new_entity(
    database: Database, conn: Connection, subject: Subject, version: str, now: int
) -> tuple[str, list[NameRow]]:
    """Make an entity of an object's version: its names learnt, the object linked to it;
    return the entity and its names."""
    entity_id = new_id("entity")
    conn.execute(
        entities.insert().values(id=entity_id, kind=subject.kind, name=subject.name, created=now)
    )
    names = learn_names(
        database,
        conn,
        entity_id,
        subject.kind,
        subject_names(subject),
        now,
        source=Learnt(subject.stix_id, version),
    )
    reason = "a new entity, made from this object: no known entity matched well enough"
    text = explanation(subject.name, subject.name, SOURCE_NAME, subject.stix_id, [reason])
    database.insert_ignoring_duplicates(
        conn,
        entity_links,
        [link_row(Learnt(subject.stix_id, version), entity_id, None, 1000, text, "auto", now)],
    )
    return entity_id, names


def link_row(
    source: Learnt,
    entity_id: str,
    via_name_id: int | None,
    points: int,
    text: str,
    status: str,
    now: int,
) -> dict[str, Any]:
    """Return the ``entity_links`` row of a link, decided on a version, that nobody has
    decided on yet."""
    return {
        "stix_id": source.stix_id,
        "holder": holder_of(source.version),
        "entity_id": entity_id,
        "version": source.version,
        "via_name_id": via_name_id,
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
