"""Links from objects to entities, their explanations, and the names they teach entities.

A link is stored with its score (0 to 1000), its status (``auto``, ``review``,
``accepted``, ``rejected``) and an explanation (:func:`explanation`): the name that
matched, from which source and object, and the engine's reasons. An entity learns the
names of the objects linked to it (sources ``stix:name``, ``stix:aliases``, or ``review``
for an accepted link), each with the object's id: only those who may see the object see
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import orjson
from sqlalchemy import Connection

from passerelle.core.context import new_id
from passerelle.resolution.names import Kind, name_keys, script_of
from passerelle.resolution.subjects import Subject
from passerelle.store.database import Database
from passerelle.store.schema import entities, entity_keys, entity_links, entity_names

# Links that count: made automatically above the threshold, or accepted in review.
LINKED: Final = ("auto", "accepted")
SOURCE_NAME: Final = "stix:name"
SOURCE_ALIASES: Final = "stix:aliases"
SOURCE_REVIEW: Final = "review"


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
            link_row(
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


def link_row(
    stix_id: str, entity_id: str, points: int, text: str, status: str, now: int
) -> dict[str, Any]:
    """Return the ``entity_links`` row of a link that nobody has decided on."""
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
