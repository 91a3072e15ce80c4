"""federation: how our node account authenticates to a peer

Revision ID: 0018_peer_auth
Revises: 0017_fedlookup

``peers.auth``: ``bearer`` (the token in the peer's credential file, as a Passerelle node
takes it) or ``basic`` (``USER:PASSWORD`` in that file, as medallion and other plain TAXII
2.1 servers take it). The credential itself stays in the file, never in the database.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_peer_auth"
down_revision = "0017_fedlookup"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "peers", sa.Column("auth", sa.String(10), nullable=False, server_default="bearer")
    )


def downgrade() -> None:
    with op.batch_alter_table("peers") as batch:
        batch.drop_column("auth")
