"""The tables of federation (migration 0010): the nodes this node exchanges with, which
local channel maps to which of their collections, what waits to be sent, and who received
what. Declared on the node's one ``metadata``; ``passerelle.store`` imports this module so
the tables are there whenever the schema is."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from passerelle.store.schema import Key, metadata

# A peer: another node (or TAXII 2.1 server) and the organisation it speaks for. The
# outgoing token is never stored: only the path of the file that holds it.
peers = Table(
    "peers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("url", Text, nullable=False),  # the peer's TAXII API root
    # The peer's organisation on this node: the viewer whose rules decide what leaves.
    Column("org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    # The local organisation whose node account the token is on the peer: only what it
    # produced is pushed (the peer attributes everything it receives to that account).
    Column("speaks_for_org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("token_file", Text, nullable=False),
    # How the credential in token_file is sent: "bearer" (a token) or "basic" (USER:PASSWORD).
    Column("auth", String(10), nullable=False, server_default="bearer"),
    # Identity ids (comma-separated) that stand for org_id in what the peer sends, besides
    # the identity this node publishes for it (a plain TAXII feed names its own).
    Column("authors", Text, nullable=False, server_default=""),
    Column("ca_file", Text),
    Column("created", BigInteger, nullable=False),
    Column("last_success", BigInteger),
    Column("last_error", Text, nullable=False, server_default=""),
)

peer_links = Table(
    "peer_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("peer_id", Integer, ForeignKey("peers.id"), nullable=False),
    Column("channel_id", Integer, ForeignKey("channels.id"), nullable=False),
    Column("remote_collection", String(200), nullable=False),
    Column("push", Boolean, nullable=False),
    Column("pull", Boolean, nullable=False),
    Column("created", BigInteger, nullable=False),
    UniqueConstraint("peer_id", "channel_id", "remote_collection", name="uq_peer_links"),
    Index("ix_peer_links_channel", "channel_id"),
)

# One version placed in a pushed channel, written in the transaction that placed it.
# pending -> sent (the peer accepted it), withheld (our rules keep it here: reason),
# refused (the peer refused it: reason).
federation_outbox = Table(
    "federation_outbox",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("link_id", Integer, ForeignKey("peer_links.id"), nullable=False),
    Column("stix_id", Key, nullable=False),
    Column("version", Key, nullable=False),
    Column("queued_at", BigInteger, nullable=False),
    Column("state", String(20), nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    UniqueConstraint("link_id", "stix_id", "version", name="uq_federation_outbox"),
    Index("ix_federation_outbox_state", "link_id", "state", "id"),
    sqlite_autoincrement=True,
)

# Who received what: one row per version sent to a peer and the peer's answer
# (accepted, refused, pending), with the TAXII status resource that said so.
federation_ledger = Table(
    "federation_ledger",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("peer_id", Integer, ForeignKey("peers.id"), nullable=False),
    Column("stix_id", Key, nullable=False),
    Column("version", Key, nullable=False),
    Column("sent_at", BigInteger, nullable=False),
    Column("status_id", String(64), nullable=False),
    Column("result", String(20), nullable=False),
    Column("detail", Text, nullable=False, server_default=""),
    # The link the version went through (migration 0013; NULL before: every pushed link).
    Column("link_id", Integer),
    Index("ix_federation_ledger_version", "peer_id", "stix_id", "version"),
    Index("ix_federation_ledger_object", "stix_id"),
    sqlite_autoincrement=True,
)

# A retraction owed to a peer that received an earlier version of an object (migration
# 0013): ``revoke`` or ``rectify`` (a new version, ``versions`` its key) or ``erase``
# (``versions``: the keys the peer received, comma-separated). pending -> acknowledged
# (the far node took it) or refused (it said no: ``detail``); retried with back-off from
# ``next_attempt`` (epoch microseconds), kept here so that a restart keeps it.
federation_retractions = Table(
    "federation_retractions",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("peer_id", Integer, ForeignKey("peers.id"), nullable=False),
    Column("link_id", Integer, ForeignKey("peer_links.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("stix_id", Key, nullable=False),
    Column("versions", Text, nullable=False),
    Column("queued_at", BigInteger, nullable=False),
    Column("state", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt", BigInteger, nullable=False),
    Column("done_at", BigInteger),
    Column("detail", Text, nullable=False, server_default=""),
    UniqueConstraint("link_id", "kind", "stix_id", "versions", name="uq_retractions"),
    Index("ix_federation_retractions_due", "peer_id", "state", "next_attempt"),
    sqlite_autoincrement=True,
)

# Where pulling a peer's collection into a link's channel stands: the page token of a run
# in progress (TAXII ``next``), and the newest date_added of the last complete run.
peer_cursors = Table(
    "peer_cursors",
    metadata,
    Column("link_id", Integer, ForeignKey("peer_links.id"), primary_key=True),
    Column("next_token", Text, nullable=False, server_default=""),
    Column("added_after", String(40), nullable=False, server_default=""),
    Column("updated", BigInteger, nullable=False),
)

# Objects a peer sent (pulled) that this node refused, and why.
peer_refusals = Table(
    "peer_refusals",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("peer_id", Integer, ForeignKey("peers.id"), nullable=False),
    Column("stix_id", Text, nullable=False),
    Column("version", Text, nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Index("ix_peer_refusals_peer", "peer_id", "id"),
    sqlite_autoincrement=True,
)

# RFIs asked here of an organisation a peer speaks for: forwarded to the peer's node (its
# id there), or refused before leaving; closed here once the far node closed its own.
federation_rfis = Table(
    "federation_rfis",
    metadata,
    Column("rfi_id", String(64), ForeignKey("rfis.id"), primary_key=True),
    Column("peer_id", Integer, ForeignKey("peers.id"), nullable=False),
    Column("remote_id", String(64), nullable=False, server_default=""),
    Column("state", String(20), nullable=False),
    Column("sent_at", BigInteger, nullable=False),
    Column("checked_at", BigInteger),
    Column("detail", Text, nullable=False, server_default=""),
    Index("ix_federation_rfis_peer", "peer_id", "state"),
)

# Organisations whose node accounts this node refuses federated look-ups from (hit/no-hit
# across nodes): who decided it and when. A look-up from any other organisation's node
# account is answered.
federation_lookup_refusals = Table(
    "federation_lookup_refusals",
    metadata,
    Column("org_id", Integer, ForeignKey("organisations.id"), primary_key=True),
    Column("created", BigInteger, nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
)
