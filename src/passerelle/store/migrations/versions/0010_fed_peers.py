"""federation: peers, links, outbox and ledger

Revision ID: 0010_fed
Revises: 0009

A peer is another node and the organisation it speaks for; its outgoing token stays in a
file outside the database (only the path is kept). A link maps a local channel to a
collection of the peer, for push and/or pull. The outbox holds every version placed in a
pushed channel, written in the transaction that placed it; the ledger records what each
peer received and what it answered. A cursor per pulled link says where pulling stands;
refusals list what a peer sent that this node refused, and why.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_fed"
down_revision = "0009"
branch_labels = None
depends_on = None

_KEY = sa.String().with_variant(sa.String(collation="C"), "postgresql")
_SEQ = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "peers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("org_id", sa.Integer, sa.ForeignKey("organisations.id"), nullable=False),
        sa.Column(
            "speaks_for_org_id", sa.Integer, sa.ForeignKey("organisations.id"), nullable=False
        ),
        sa.Column("token_file", sa.Text, nullable=False),
        sa.Column("ca_file", sa.Text),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.Column("last_success", sa.BigInteger),
        sa.Column("last_error", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "peer_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("peer_id", sa.Integer, sa.ForeignKey("peers.id"), nullable=False),
        sa.Column("channel_id", sa.Integer, sa.ForeignKey("channels.id"), nullable=False),
        sa.Column("remote_collection", sa.String(200), nullable=False),
        sa.Column("push", sa.Boolean, nullable=False),
        sa.Column("pull", sa.Boolean, nullable=False),
        sa.Column("created", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("peer_id", "channel_id", "remote_collection", name="uq_peer_links"),
    )
    op.create_index("ix_peer_links_channel", "peer_links", ["channel_id"])
    op.create_table(
        "federation_outbox",
        sa.Column("id", _SEQ, primary_key=True),
        sa.Column("link_id", sa.Integer, sa.ForeignKey("peer_links.id"), nullable=False),
        sa.Column("stix_id", _KEY, nullable=False),
        sa.Column("version", _KEY, nullable=False),
        sa.Column("queued_at", sa.BigInteger, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("link_id", "stix_id", "version", name="uq_federation_outbox"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_federation_outbox_state", "federation_outbox", ["link_id", "state", "id"])
    op.create_table(
        "federation_ledger",
        sa.Column("id", _SEQ, primary_key=True),
        sa.Column("peer_id", sa.Integer, sa.ForeignKey("peers.id"), nullable=False),
        sa.Column("stix_id", _KEY, nullable=False),
        sa.Column("version", _KEY, nullable=False),
        sa.Column("sent_at", sa.BigInteger, nullable=False),
        sa.Column("status_id", sa.String(64), nullable=False),
        sa.Column("result", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_federation_ledger_version", "federation_ledger", ["peer_id", "stix_id", "version"]
    )
    _pull_tables()


def _pull_tables() -> None:
    op.create_table(
        "peer_cursors",
        sa.Column("link_id", sa.Integer, sa.ForeignKey("peer_links.id"), primary_key=True),
        sa.Column("next_token", sa.Text, nullable=False, server_default=""),
        sa.Column("added_after", sa.String(40), nullable=False, server_default=""),
        sa.Column("updated", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "peer_refusals",
        sa.Column("id", _SEQ, primary_key=True),
        sa.Column("peer_id", sa.Integer, sa.ForeignKey("peers.id"), nullable=False),
        sa.Column("stix_id", sa.Text, nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_peer_refusals_peer", "peer_refusals", ["peer_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_peer_refusals_peer", table_name="peer_refusals")
    op.drop_table("peer_refusals")
    op.drop_table("peer_cursors")
    op.drop_index("ix_federation_ledger_version", table_name="federation_ledger")
    op.drop_table("federation_ledger")
    op.drop_index("ix_federation_outbox_state", table_name="federation_outbox")
    op.drop_table("federation_outbox")
    op.drop_index("ix_peer_links_channel", table_name="peer_links")
    op.drop_table("peer_links")
    op.drop_table("peers")
