"""notifications: subscriptions by e-mail or webhook, and the queue of notices owed

Revision ID: 0015_notify
Revises: 0014_admin

``notify_subscriptions``: a user's wish to be told of one kind of event (a tip received, a
deadline near, an overdue tip, an outcome received, a watch hit, an RFI received or
answered), by e-mail or by signed webhook. ``notify_queue``: each notice owed, once per
event and subscription, with its attempts and back-off, so that nothing is lost when the
process stops. See the README, "Notifications".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_notify"
down_revision = "0014_admin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notify_subscriptions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("via", sa.String(10), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False, server_default=""),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("user_id", "kind", "via", "address", name="uq_notify_subscriptions"),
    )
    op.create_index("ix_notify_subscriptions_kind", "notify_subscriptions", ["kind"])
    op.create_table(
        "notify_queue",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column(
            "subscription_id",
            sa.Integer(),
            sa.ForeignKey("notify_subscriptions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("event", sa.String(200), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("notice", sa.Text(), nullable=False),
        sa.Column("queued_at", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt", sa.BigInteger(), nullable=False),
        sa.Column("delivered_at", sa.BigInteger()),
        sa.Column("last_error", sa.Text(), nullable=False, server_default=""),
        sa.UniqueConstraint("subscription_id", "event", name="uq_notify_queue_event"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_notify_queue_due", "notify_queue", ["state", "next_attempt"])


def downgrade() -> None:
    op.drop_index("ix_notify_queue_due", "notify_queue")
    op.drop_table("notify_queue")
    op.drop_index("ix_notify_subscriptions_kind", "notify_subscriptions")
    op.drop_table("notify_subscriptions")
