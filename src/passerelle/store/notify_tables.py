"""The tables of notifications (migration 0015): who asked to be told of what, and how;
and the queue of notices owed to them. Declared on the node's one ``metadata``;
``passerelle.store`` imports this module so the tables are there whenever the schema is."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from passerelle.store.schema import metadata

# A user's wish to be told of one kind of event, by e-mail (``address``: the mailbox) or
# by webhook (``address``: the URL, ``secret``: the key the bodies are signed with).
notify_subscriptions = Table(
    "notify_subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("via", String(10), nullable=False),
    Column("address", Text, nullable=False),
    Column("secret", Text, nullable=False, server_default=""),
    Column("created", BigInteger, nullable=False),
    UniqueConstraint("user_id", "kind", "via", "address", name="uq_notify_subscriptions"),
    Index("ix_notify_subscriptions_kind", "kind"),
)

# One notice owed to one subscription, once per event (``event``: its key, such as
# ``tip--...`` or ``rfi:rfi--...``). ``notice`` holds, as JSON, only what the recipient may
# be told. pending -> sending (claimed until ``next_attempt``) -> delivered, or back to
# pending with ``next_attempt`` pushed back after a failure, failed after the last try,
# dropped when the recipient was disabled. Kept here so that a restart loses nothing.
notify_queue = Table(
    "notify_queue",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column(
        "subscription_id",
        Integer,
        ForeignKey("notify_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("kind", String(30), nullable=False),
    Column("event", String(200), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("notice", Text, nullable=False),
    Column("queued_at", BigInteger, nullable=False),
    Column("state", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt", BigInteger, nullable=False),
    Column("delivered_at", BigInteger),
    Column("last_error", Text, nullable=False, server_default=""),
    UniqueConstraint("subscription_id", "event", name="uq_notify_queue_event"),
    Index("ix_notify_queue_due", "state", "next_attempt"),
    sqlite_autoincrement=True,
)
