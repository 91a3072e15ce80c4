"""object keys keyed by the key alone

Revision ID: 0007
Revises: 0006

``object_keys`` had a primary key led by the STIX id and a second index on the key.
Correlation looks objects up by key, and an object's own keys are read from its body,
so one index led by the key is enough; on SQLite the table becomes that index itself
(WITHOUT ROWID). Every ingest writes one B-tree page fewer per object.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "object_keys_by_key",
        sa.Column("key", _KEY, nullable=False),
        sa.Column("stix_id", _KEY, nullable=False),
        sa.Column("version", _KEY, nullable=False),
        sa.PrimaryKeyConstraint("key", "stix_id", "version", name="pk_object_keys"),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO object_keys_by_key (key, stix_id, version) "
        "SELECT key, stix_id, version FROM object_keys"
    )
    with op.batch_alter_table("object_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_object_keys_key")
    op.drop_table("object_keys")
    op.rename_table("object_keys_by_key", "object_keys")


def downgrade() -> None:
    op.create_table(
        "object_keys_by_id",
        sa.Column("stix_id", _KEY, nullable=False),
        sa.Column("version", _KEY, nullable=False),
        sa.Column("key", _KEY, nullable=False),
        sa.PrimaryKeyConstraint("stix_id", "version", "key"),
    )
    op.execute(
        "INSERT INTO object_keys_by_id (stix_id, version, key) "
        "SELECT stix_id, version, key FROM object_keys"
    )
    op.drop_table("object_keys")
    op.rename_table("object_keys_by_id", "object_keys")
    with op.batch_alter_table("object_keys", schema=None) as batch_op:
        batch_op.create_index("ix_object_keys_key", ["key"], unique=False)
