"""federation: retractions that propagate, and the link each ledger row went through

Revision ID: 0013_fed
Revises: 0012_ops

``federation_ledger.link_id``: the link (so the far collection) a version was sent
through; rows written before it are NULL and stand for every pushed link of their peer.
An index on ``federation_ledger.stix_id`` finds who received any version of an object.

``federation_retractions``: one revocation, rectification or erasure owed to a peer that
received an earlier version, until the far node acknowledges it (or refuses it), with its
attempts and the time of the next one (exponential back-off, kept here so a restart keeps
it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_fed"
down_revision = "0012_ops"
branch_labels = None
depends_on = None

_KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")
_SEQ = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("federation_ledger") as batch:
        batch.add_column(sa.Column("link_id", sa.Integer, nullable=True))
    op.create_index("ix_federation_ledger_object", "federation_ledger", ["stix_id"])
    op.create_table(
        "federation_retractions",
        sa.Column("id", _SEQ, primary_key=True),
        sa.Column("peer_id", sa.Integer, sa.ForeignKey("peers.id"), nullable=False),
        sa.Column("link_id", sa.Integer, sa.ForeignKey("peer_links.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("stix_id", _KEY, nullable=False),
        sa.Column("versions", sa.Text, nullable=False),
        sa.Column("queued_at", sa.BigInteger, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt", sa.BigInteger, nullable=False),
        sa.Column("done_at", sa.BigInteger),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("link_id", "kind", "stix_id", "versions", name="uq_retractions"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_federation_retractions_due",
        "federation_retractions",
        ["peer_id", "state", "next_attempt"],
    )


def downgrade() -> None:
    op.drop_index("ix_federation_retractions_due", table_name="federation_retractions")
    op.drop_table("federation_retractions")
    op.drop_index("ix_federation_ledger_object", table_name="federation_ledger")
    with op.batch_alter_table("federation_ledger") as batch:
        batch.drop_column("link_id")
