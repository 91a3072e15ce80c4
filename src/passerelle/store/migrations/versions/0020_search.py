"""search: a full-text index of the words of every placed object version

Revision ID: 0020_search
Revises: 0017_fedlookup

``object_texts``: for each object version some channel holds, the texts a search reads,
casefolded, one a line. The index over them is each backend's own: on SQLite an FTS5
table with the trigram tokenizer (``object_texts_fts``, external content, kept by
triggers), on PostgreSQL a pg_trgm GIN index (the extension is created if missing). Both
find any substring of three letters or more, as the search matched before.

The rows of the versions already placed are written here from their bodies; the list of
properties read is the one of ``passerelle.objects.search_index`` when this migration
was written (a migration does not follow later code).
"""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op

revision = "0020_search"
down_revision = "0019_fedloop"
branch_labels = None
depends_on = None

_KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")
_SEARCHED = (
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
_BATCH = 5000
_FTS = "object_texts_fts"
_SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER object_texts_added AFTER INSERT ON object_texts BEGIN
        INSERT INTO {_FTS}(rowid, words) VALUES (new.id, new.words);
    END""",
    f"""CREATE TRIGGER object_texts_removed AFTER DELETE ON object_texts BEGIN
        INSERT INTO {_FTS}({_FTS}, rowid, words) VALUES ('delete', old.id, old.words);
    END""",
    f"""CREATE TRIGGER object_texts_changed AFTER UPDATE ON object_texts BEGIN
        INSERT INTO {_FTS}({_FTS}, rowid, words) VALUES ('delete', old.id, old.words);
        INSERT INTO {_FTS}(rowid, words) VALUES (new.id, new.words);
    END""",
)


def upgrade() -> None:
    op.create_table(
        "object_texts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("stix_id", _KEY, nullable=False),
        sa.Column("version", _KEY, nullable=False),
        sa.Column("words", sa.Text, nullable=False),
        sa.UniqueConstraint("stix_id", "version", name="uq_object_texts_version"),
    )
    _fill(op.get_bind())
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE {_FTS} USING fts5(words, content='object_texts', "
            "content_rowid='id', tokenize='trigram')"
        )
        op.execute(f"INSERT INTO {_FTS}({_FTS}) VALUES ('rebuild')")
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_object_texts_words ON object_texts USING gin (words gin_trgm_ops)"
        )


def _words(body: dict[str, Any]) -> str:
    texts: list[str] = []
    for prop in _SEARCHED:
        value = body.get(prop)
        texts += [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
    return "\n".join(text.casefold() for text in texts)


def _fill(conn: sa.Connection) -> None:
    """Write the words of every version some channel holds, in batches by key."""
    objects, placed, texts = (
        sa.table("objects", sa.column("stix_id"), sa.column("version"), sa.column("body")),
        sa.table("channel_objects", sa.column("stix_id"), sa.column("version")),
        sa.table("object_texts", sa.column("stix_id"), sa.column("version"), sa.column("words")),
    )
    held = sa.exists().where(
        placed.c.stix_id == objects.c.stix_id, placed.c.version == objects.c.version
    )
    last = ("", "")
    while True:
        after = sa.tuple_(objects.c.stix_id, objects.c.version) > sa.tuple_(*last)
        rows = conn.execute(
            sa.select(objects.c.stix_id, objects.c.version, objects.c.body)
            .where(after, held)
            .order_by(objects.c.stix_id, objects.c.version)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        words = [(r.stix_id, r.version, _words(orjson.loads(r.body))) for r in rows]
        batch = [{"stix_id": s, "version": v, "words": w} for s, v, w in words if w]
        if batch:
            conn.execute(sa.insert(texts), batch)
        last = (rows[-1].stix_id, rows[-1].version)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("object_texts_added", "object_texts_removed", "object_texts_changed"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute(f"DROP TABLE {_FTS}")
    else:
        op.execute("DROP INDEX ix_object_texts_words")
    op.drop_table("object_texts")
