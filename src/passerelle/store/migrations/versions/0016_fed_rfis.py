"""federation: RFIs asked of an organisation that works on a peer's node

Revision ID: 0016_fed_rfis
Revises: 0015_notify

``federation_rfis``: one row per local RFI forwarded to a peer (or refused before
leaving): the peer, the RFI's id on the far node, where it stands there (open, answered,
refused) and when it was last asked; the local RFI is closed from it once the far node
closed its own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_fed_rfis"
down_revision = "0015_notify"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "federation_rfis",
        sa.Column("rfi_id", sa.String(64), sa.ForeignKey("rfis.id"), primary_key=True),
        sa.Column("peer_id", sa.Integer, sa.ForeignKey("peers.id"), nullable=False),
        sa.Column("remote_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("sent_at", sa.BigInteger, nullable=False),
        sa.Column("checked_at", sa.BigInteger),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_federation_rfis_peer", "federation_rfis", ["peer_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_federation_rfis_peer", table_name="federation_rfis")
    op.drop_table("federation_rfis")
