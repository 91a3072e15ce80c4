"""The search index: the words of every placed object version, kept as writes place and
remove versions, and the condition that selects the versions holding some words.

``object_texts`` holds, for each version some channel holds, the texts a search reads
(:data:`SEARCHED`), casefolded and one per line. The index over it is the backend's own:
on SQLite an FTS5 table with the trigram tokenizer (``object_texts_fts``, kept by
triggers), on PostgreSQL a pg_trgm GIN index. Both find any substring of three letters or
more, so the index selects exactly the versions whose texts hold every word, as the
search has always matched (a part of a word, in any case and script); shorter words are
tested on the texts themselves.

The index says nothing about who may see a version: the search takes its candidates from
it, then filters them by :mod:`passerelle.policy.visibility` like every other read.
A version taken out of its last channel (an erasure) leaves the index with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from sqlalchemy import ColumnElement, Connection, and_, column, delete, exists, or_, select, table

from passerelle.objects.hooks import ObjectsRemoved, ObjectsStored, StoredVersion
from passerelle.store.chunks import chunked
from passerelle.store.schema import channel_objects
from passerelle.store.search_tables import FTS_TABLE, object_texts

# The properties whose text a search reads, in the order a result's name is taken from.
SEARCHED: Final = (
    "name",
    "value",
    "pattern",
    "abstract",
    "account_login",
    "aliases",
    "description",
    "content",
    "explanation",
    "opinion",
)
# Letters the trigram index needs in a word to find it by itself.
_TRIGRAM: Final = 3
_CHUNK: Final = 200
_COLUMNS: Final = ("stix_id", "version", "words")
_FTS: Final = table(FTS_TABLE, column("rowid"), column(FTS_TABLE))


def texts_of(body: Mapping[str, Any]) -> list[str]:
    """Return the texts of an object that a search reads."""
    texts: list[str] = []
    for prop in SEARCHED:
        value = body.get(prop)
        values = value if isinstance(value, list) else [value]
        texts += [v for v in values if isinstance(v, str)]
    return texts


def words_of(body: Mapping[str, Any]) -> str:
    """Return what the index holds of an object: its searched texts casefolded, one a line."""
    return "\n".join(text.casefold() for text in texts_of(body))


def words_asked(text: str) -> list[str]:
    """Return the words of a search, casefolded as the index holds them."""
    return text.casefold().split()


def holding(dialect: str, words: Sequence[str]) -> list[ColumnElement[bool]]:
    """Return the conditions on ``object_texts`` that its row holds every word."""
    tested = [w for w in words if len(w) < _TRIGRAM or dialect != "sqlite"]
    conditions: list[ColumnElement[bool]] = [
        object_texts.c.words.like(f"%{_escaped(w)}%", escape="\\") for w in tested
    ]
    indexed = [w for w in words if w not in tested]
    if indexed:
        phrases = " ".join('"' + w.replace('"', '""') + '"' for w in indexed)
        found = select(_FTS.c.rowid).where(_FTS.c[FTS_TABLE].match(phrases))
        conditions.append(object_texts.c.id.in_(found))
    return conditions


def _escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def index_words(event: ObjectsStored) -> None:
    """Index the words of the versions a write placed that the index does not hold yet
    (new to the node, or placed again after leaving every channel)."""
    new = {(v.stix_id, v.version) for v in event.new}
    rows = _rows(event.new)
    again = [v for v in event.placed if (v.stix_id, v.version) not in new]
    if again:
        held = _indexed(event.conn, [v.stix_id for v in again])
        rows += _rows([v for v in again if (v.stix_id, v.version) not in held])
    event.database.insert_rows(event.conn, object_texts, _COLUMNS, rows)


def _rows(versions: Sequence[StoredVersion]) -> list[tuple[str, str, str]]:
    rows = [(v.stix_id, v.version, words_of(v.obj)) for v in versions]
    return [row for row in rows if row[2]]


def _indexed(conn: Connection, stix_ids: Sequence[str]) -> set[tuple[str, str]]:
    held: set[tuple[str, str]] = set()
    for chunk in chunked(sorted(set(stix_ids))):
        query = select(object_texts.c.stix_id, object_texts.c.version).where(
            object_texts.c.stix_id.in_(chunk)
        )
        held.update((row.stix_id, row.version) for row in conn.execute(query))
    return held


def drop_unplaced(event: ObjectsRemoved) -> None:
    """Take out of the index the versions removed that no channel holds any more."""
    placed = exists().where(
        channel_objects.c.stix_id == object_texts.c.stix_id,
        channel_objects.c.version == object_texts.c.version,
    )
    for chunk in chunked(list(event.removed), _CHUNK):
        versions = or_(
            *(
                and_(object_texts.c.stix_id == stix_id, object_texts.c.version == version)
                for stix_id, version in chunk
            )
        )
        event.conn.execute(delete(object_texts).where(versions, ~placed))
