"""The table of the search index (migration 0018): the words of each placed object
version. Declared on the node's one ``metadata``; ``passerelle.store.tables`` imports
this module with the others for whatever needs the whole metadata.

The index over the words is made by the migration in each backend's own terms, outside
what SQLAlchemy declares: :data:`SQLITE_INDEX` (an FTS5 table, its shadow tables and the
triggers that keep it) and :data:`POSTGRESQL_INDEX` (a pg_trgm GIN index).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import BigInteger, Column, Integer, Table, Text, UniqueConstraint

from passerelle.store.metadata import Key, metadata

object_texts = Table(
    "object_texts",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("stix_id", Key, nullable=False),
    Column("version", Key, nullable=False),
    # The searched texts of the version, casefolded, one a line.
    Column("words", Text, nullable=False),
    # Id first: it also serves every look-up of an object's versions.
    UniqueConstraint("stix_id", "version", name="uq_object_texts_version"),
)

FTS_TABLE: Final = "object_texts_fts"
SQLITE_INDEX: Final = frozenset(
    {FTS_TABLE, *(f"{FTS_TABLE}_{shadow}" for shadow in ("data", "idx", "docsize", "config"))}
)
POSTGRESQL_INDEX: Final = frozenset({"ix_object_texts_words"})
