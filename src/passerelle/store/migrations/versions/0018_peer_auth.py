"""federation: how our node account authenticates to a peer, and whose identities the
peer's organisation goes by there

Revision ID: 0018_peer_auth
Revises: 0017_fedlookup

``peers.auth``: ``bearer`` (the token in the peer's credential file, as a Passerelle node
takes it) or ``basic`` (``USER:PASSWORD`` in that file, as medallion and other plain TAXII
2.1 servers take it). The credential itself stays in the file, never in the database.
``peers.authors``: STIX identity ids (comma-separated) that stand for the peer's
organisation in what it sends, besides the identity this node publishes for it (a plain
TAXII feed names its own).
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
    op.add_column("peers", sa.Column("authors", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("peers") as batch:
        batch.drop_column("authors")
        batch.drop_column("auth")
