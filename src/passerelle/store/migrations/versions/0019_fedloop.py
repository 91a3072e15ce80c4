"""exchange loop across nodes: each recipient's state of a tip, and who shared it there

Revision ID: 0019_fedloop
Revises: 0017_fedlookup

``tip_recipients``: one row per recipient of a tip in a receiving organisation, where its
people act on it: ``node`` is '' for this node's own people, else the node account of the
peer whose node they work on. Each keeps its own state, stamps, owner and outcome; the
organisation's receipt (``tip_receipts``) is the furthest of them. Existing receipts
become the state of this node's own people.

``tips.sharer_name``: on a tip that a peer's node announced, the person who shared it on
the sender's node, as the announcement named them ('' when not carried).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_fedloop"
down_revision = "0018_peer_auth"
branch_labels = None
depends_on = None

_COPIED = (
    "tip_id, org_id, state, received_at, owner_id, acknowledged_at, investigating_at, "
    "closed_at, outcome, arrests, seizures, checked, note"
)


def upgrade() -> None:
    op.create_table(
        "tip_recipients",
        sa.Column("tip_id", sa.String(64), sa.ForeignKey("tips.id"), primary_key=True),
        sa.Column("org_id", sa.Integer, sa.ForeignKey("organisations.id"), primary_key=True),
        sa.Column("node", sa.String(200), primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("received_at", sa.BigInteger, nullable=False),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("acknowledged_at", sa.BigInteger),
        sa.Column("investigating_at", sa.BigInteger),
        sa.Column("closed_at", sa.BigInteger),
        sa.Column("outcome", sa.String(30)),
        sa.Column("arrests", sa.Integer),
        sa.Column("seizures", sa.Text, nullable=False, server_default=""),
        sa.Column("checked", sa.Text, nullable=False, server_default=""),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.execute(
        f"INSERT INTO tip_recipients (node, {_COPIED}) SELECT '', {_COPIED} FROM tip_receipts"
    )
    with op.batch_alter_table("tips") as batch:
        batch.add_column(
            sa.Column("sharer_name", sa.String(200), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("tips") as batch:
        batch.drop_column("sharer_name")
    op.drop_table("tip_recipients")
