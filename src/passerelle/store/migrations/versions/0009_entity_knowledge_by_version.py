"""entity knowledge by version, copy and organisation

Revision ID: 0009
Revises: 0008

What entity resolution learns from an object now keeps the version it came from, so that
a name, a fact or a link reaches only those who may see that very version:

- ``entity_names.version``: the version that carries the name; a name carried by several
  versions gets a row for each (filled by reading the stored versions); ``link_version``:
  the version the object's link was decided on, when the name came from another one.
- ``entity_links`` gains ``holder`` (0: the owner's versions; an organisation: the copy it
  keeps, ``policy.ownership``), which joins the primary key, so an organisation's copy is
  resolved as its own object; ``version``, the version a link was decided on (its
  object's earliest version for links made before); and ``via_name_id``, the entity's
  name that justified it (read from the link's explanation).
- Merges become each organisation's own (``entity_merges``); a merge made before keeps
  applying in the organisation of the user who made it.

Downgrading keeps one merge per entity (the one of the smallest organisation id), the
owners' links, and one row per name and object, without the names copies taught; names
then show again to whoever sees any version of their object, as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")
_COPY_MARK = "#"
_NAME_PROPS = ("name", "aliases", "x_aliases")
_LINK_COLUMNS = (
    "stix_id",
    "entity_id",
    "score",
    "explanation",
    "status",
    "created",
    "decided_by",
    "decided_at",
)


def upgrade() -> None:
    _merges_up()
    _links_up()
    _names_up()


def downgrade() -> None:
    # The old schema holds one row per name and object, and no copies apart: keep the
    # first row of each name, and drop the names copies taught (it would show them to
    # whoever sees the owner's object).
    op.execute("DELETE FROM entity_names WHERE version LIKE '%#%'")
    op.execute(
        "DELETE FROM entity_names WHERE stix_id IS NOT NULL AND EXISTS (SELECT 1 FROM "
        "entity_names earlier WHERE earlier.entity_id = entity_names.entity_id AND "
        "earlier.name = entity_names.name AND earlier.source = entity_names.source AND "
        "earlier.stix_id = entity_names.stix_id AND earlier.id < entity_names.id)"
    )
    with op.batch_alter_table("entity_names", schema=None) as batch_op:
        batch_op.drop_column("link_version")
        batch_op.drop_column("version")
    _links_down()
    _merges_down()


# Merges ---------------------------------------------------------------------------------


def _merges_up() -> None:
    op.create_table(
        "entity_merges",
        sa.Column("org_id", sa.Integer, sa.ForeignKey("organisations.id"), primary_key=True),
        sa.Column("entity_id", sa.String(64), sa.ForeignKey("entities.id"), primary_key=True),
        sa.Column("merged_into", sa.String(64), sa.ForeignKey("entities.id"), nullable=False),
        sa.Column("merged_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("merged_at", sa.BigInteger, nullable=False),
    )
    with op.batch_alter_table("entity_merges", schema=None) as batch_op:
        batch_op.create_index("ix_entity_merges_into", ["org_id", "merged_into"], unique=False)
    op.execute(
        "INSERT INTO entity_merges (org_id, entity_id, merged_into, merged_by, merged_at) "
        "SELECT u.org_id, e.id, e.merged_into, e.merged_by, COALESCE(e.merged_at, 0) "
        "FROM entities e JOIN users u ON u.id = e.merged_by WHERE e.merged_into IS NOT NULL"
    )
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_column("merged_at")
        batch_op.drop_column("merged_by")
        batch_op.drop_column("merged_into")


def _merges_down() -> None:
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("merged_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("merged_at", sa.BigInteger(), nullable=True))
        batch_op.create_foreign_key("fk_entities_merged_into", "entities", ["merged_into"], ["id"])
        batch_op.create_foreign_key("fk_entities_merged_by", "users", ["merged_by"], ["id"])
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT org_id, entity_id, merged_into, merged_by, merged_at FROM entity_merges "
            "ORDER BY entity_id, org_id"
        )
    ).all()
    kept: dict[str, Any] = {}
    for row in rows:
        kept.setdefault(row.entity_id, row)
    for row in kept.values():
        conn.execute(
            sa.text(
                "UPDATE entities SET merged_into = :into, merged_by = :by, merged_at = :at "
                "WHERE id = :id"
            ),
            {
                "into": row.merged_into,
                "by": row.merged_by,
                "at": row.merged_at,
                "id": row.entity_id,
            },
        )
    op.drop_table("entity_merges")


# Links ----------------------------------------------------------------------------------


def _links_table(name: str, *, holder: bool) -> None:
    columns: list[Any] = [sa.Column("stix_id", _KEY, nullable=False)]
    if holder:
        columns.append(
            sa.Column("holder", sa.Integer, nullable=False, server_default="0", autoincrement=False)
        )
    columns.append(
        sa.Column("entity_id", sa.String(64), sa.ForeignKey("entities.id"), nullable=False)
    )
    if holder:
        columns += [sa.Column("version", _KEY), sa.Column("via_name_id", sa.Integer)]
    columns += [
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("decided_by", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("decided_at", sa.BigInteger),
    ]
    key = ("stix_id", "holder", "entity_id") if holder else ("stix_id", "entity_id")
    op.create_table(name, *columns, sa.PrimaryKeyConstraint(*key, name=f"pk_{name}"))


def _link_indexes() -> None:
    with op.batch_alter_table("entity_links", schema=None) as batch_op:
        batch_op.create_index("ix_entity_links_entity", ["entity_id", "status"], unique=False)
        batch_op.create_index("ix_entity_links_status", ["status", "created"], unique=False)


def _links_up() -> None:
    conn = op.get_bind()
    old = conn.execute(sa.text(f"SELECT {', '.join(_LINK_COLUMNS)} FROM entity_links")).all()
    versions = _versions_of(conn, {row.stix_id for row in old})
    names: dict[tuple[str, str, str | None], list[Any]] = {}
    for name in conn.execute(
        sa.text("SELECT id, entity_id, name, source, stix_id FROM entity_names ORDER BY id")
    ):
        names.setdefault((name.name, name.source, name.stix_id), []).append(name)
    _links_table("entity_links_by_holder", holder=True)
    rows = []
    for row in old:
        owned = [v for v in versions.get(row.stix_id, []) if _COPY_MARK not in v]
        version = min(owned) if owned else min(versions.get(row.stix_id, []), default=None)
        holder = 0 if version is None or _COPY_MARK not in version else _holder(version)
        rows.append(
            {
                **row._mapping,
                "holder": holder,
                "version": version,
                "via_name_id": _via_name(row, names),
            }
        )
    if rows:
        table = sa.table(
            "entity_links_by_holder",
            *(sa.column(c) for c in (*_LINK_COLUMNS, "holder", "version", "via_name_id")),
        )
        conn.execute(table.insert(), rows)
    op.drop_table("entity_links")
    op.rename_table("entity_links_by_holder", "entity_links")
    _link_indexes()


def _links_down() -> None:
    _links_table("entity_links_by_object", holder=False)
    columns = ", ".join(_LINK_COLUMNS)
    op.execute(
        f"INSERT INTO entity_links_by_object ({columns}) "
        f"SELECT {columns} FROM entity_links WHERE holder = 0"
    )
    op.drop_table("entity_links")
    op.rename_table("entity_links_by_object", "entity_links")
    _link_indexes()


def _holder(version: str) -> int:
    tail = version.partition(_COPY_MARK)[2]
    return int(tail) if tail.isdigit() else 0


def _via_name(link: Any, names: dict[tuple[str, str, str | None], list[Any]]) -> int | None:
    """The name row a link's explanation says justified it (None: the object's own or a
    person's decision, or a name no longer held)."""
    try:
        told = json.loads(link.explanation)
    except ValueError:
        return None
    if not isinstance(told, dict) or not told.get("best_name"):
        return None
    via = told.get("via")
    if via == link.stix_id or str(told.get("source") or "").startswith("aliases:"):
        return None  # a new entity made from this very object, or a public alias name
    found = names.get((str(told["best_name"]), str(told.get("source") or ""), via), [])
    own = [n for n in found if n.entity_id == link.entity_id]
    return int((own or found)[0].id) if found else None


# Names ----------------------------------------------------------------------------------


def _names_up() -> None:
    with op.batch_alter_table("entity_names", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", _KEY, nullable=True))
        batch_op.add_column(sa.Column("link_version", _KEY, nullable=True))
    conn = op.get_bind()
    names = conn.execute(
        sa.text(
            "SELECT id, entity_id, name, script, source, stix_id, added_by, created "
            "FROM entity_names WHERE stix_id IS NOT NULL ORDER BY id"
        )
    ).all()
    links = {
        (row.stix_id, row.entity_id): row.version
        for row in conn.execute(
            sa.text("SELECT stix_id, entity_id, version FROM entity_links WHERE holder = 0")
        )
    }
    bodies = _bodies_of(conn, {row.stix_id for row in names})
    for row in names:
        carrying = sorted(
            version
            for version, body in bodies.get(row.stix_id, {}).items()
            if row.name in _names_in(body)
        )
        linked = links.get((row.stix_id, row.entity_id))
        _place_name(conn, row, carrying, linked)


def _place_name(conn: Any, row: Any, carrying: list[str], linked: str | None) -> None:
    """Give a name row the versions that carry it: the first on the row itself, one new
    row for each other. A name no stored version carries keeps none (it shows nowhere)."""
    if not carrying:
        return
    for n, version in enumerate(carrying):
        values = {
            "version": version,
            "link_version": None if linked in (None, version) else linked,
        }
        if n == 0:
            conn.execute(
                sa.text(
                    "UPDATE entity_names SET version = :version, link_version = :link_version "
                    "WHERE id = :id"
                ),
                {**values, "id": row.id},
            )
            continue
        conn.execute(
            sa.text(
                "INSERT INTO entity_names (entity_id, name, script, source, stix_id, version, "
                "link_version, added_by, created) VALUES (:entity_id, :name, :script, "
                ":source, :stix_id, :version, :link_version, :added_by, :created)"
            ),
            {
                **values,
                "entity_id": row.entity_id,
                "name": row.name,
                "script": row.script,
                "source": row.source,
                "stix_id": row.stix_id,
                "added_by": row.added_by,
                "created": row.created,
            },
        )


def _names_in(body: str) -> set[str]:
    """The names a stored version gives the thing it names (as resolution reads them)."""
    try:
        obj = json.loads(body)
    except ValueError:
        return set()
    if not isinstance(obj, dict):
        return set()
    found: set[str] = set()
    for prop in _NAME_PROPS:
        value = obj.get(prop)
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        found.update(v.strip()[:300] for v in values if isinstance(v, str) and v.strip())
    return found


def _versions_of(conn: Any, stix_ids: set[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for chunk in _chunks(sorted(stix_ids)):
        rows = conn.execute(
            sa.text("SELECT stix_id, version FROM objects WHERE stix_id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": chunk},
        )
        for row in rows:
            found.setdefault(row.stix_id, []).append(row.version)
    return found


def _bodies_of(conn: Any, stix_ids: set[str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for chunk in _chunks(sorted(stix_ids)):
        rows = conn.execute(
            sa.text("SELECT stix_id, version, body FROM objects WHERE stix_id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": chunk},
        )
        for row in rows:
            found.setdefault(row.stix_id, {})[row.version] = row.body
    return found


def _chunks(ids: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
