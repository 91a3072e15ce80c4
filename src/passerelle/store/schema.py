"""The tables of a node. Alembic migrations under ``migrations/`` create and evolve them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# Text that is compared byte-wise on PostgreSQL too (ids and canonical timestamps), so
# ordering never depends on the server's locale and comparisons stay cheap.
Key = String().with_variant(String(collation="C"), "postgresql")

organisations = Table(
    "organisations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created", BigInteger, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("username", String(200), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created", BigInteger, nullable=False),
    Column("default_purpose", String(200), nullable=False, server_default=""),
)

channels = Table(
    "channels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("collection_id", String(36), nullable=False, unique=True),
    Column("title", String(200), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("alias", String(200), unique=True),
    Column("created", BigInteger, nullable=False),
    # TLP (passerelle.stix.markings.Tlp) given to objects posted without one.
    Column("default_tlp", SmallInteger, nullable=False, server_default="2"),
)

# An organisation's declared clients, who may receive its TLP:AMBER content.
org_clients = Table(
    "org_clients",
    metadata,
    Column("org_id", Integer, ForeignKey("organisations.id"), primary_key=True),
    Column("client_org_id", Integer, ForeignKey("organisations.id"), primary_key=True),
)

channel_members = Table(
    "channel_members",
    metadata,
    Column("channel_id", Integer, ForeignKey("channels.id"), primary_key=True),
    Column("org_id", Integer, ForeignKey("organisations.id"), primary_key=True),
    Column("can_read", Boolean, nullable=False),
    Column("can_write", Boolean, nullable=False),
)

# One row per version of an object (id + modified), whatever channels hold it.
objects = Table(
    "objects",
    metadata,
    Column("stix_id", Key, primary_key=True),
    Column("version", Key, primary_key=True),
    Column("type", String(250), nullable=False),
    Column("spec_version", String(10), nullable=False),
    Column("revoked", Boolean, nullable=False),
    Column("producer_org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("body", Text, nullable=False),
    # Handling as the object itself carries it (NULL: the object says nothing).
    Column("tlp", SmallInteger),
    Column("pap", SmallInteger),
    Column("handling_codes", SmallInteger, nullable=False, server_default="0"),
    Column("h3_text", Text, nullable=False, server_default=""),
)

# Named individual recipients of a TLP:RED version, by username.
object_recipients = Table(
    "object_recipients",
    metadata,
    Column("stix_id", Key, primary_key=True),
    Column("version", Key, primary_key=True),
    Column("username", String(200), primary_key=True),
)

# What a version refers to (relationship ends, report contents...): a derived object is
# visible only to those who may see every stored object it refers to.
object_refs = Table(
    "object_refs",
    metadata,
    Column("stix_id", Key, primary_key=True),
    Column("version", Key, primary_key=True),
    Column("ref_id", Key, primary_key=True),
    Index("ix_object_refs_ref", "ref_id"),
)

# One row per version per channel: TAXII's date_added lives here (shared by the objects of
# one envelope, strictly rising from one envelope to the next under the channel's lock).
channel_objects = Table(
    "channel_objects",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("channel_id", Integer, ForeignKey("channels.id"), nullable=False),
    Column("stix_id", Key, nullable=False),
    Column("version", Key, nullable=False),
    Column("type", String(250), nullable=False),
    Column("spec_version", String(10), nullable=False),
    Column("date_added", BigInteger, nullable=False),
    Column("added_by", Integer, ForeignKey("users.id"), nullable=False),
    # Effective TLP in this channel: the object's own, else the channel's default.
    Column("tlp", SmallInteger, nullable=False, server_default="2"),
    Column("tlp_defaulted", Boolean, nullable=False, server_default="0"),
    # tlp <= AMBER: what declared clients of member organisations may see. An equality
    # that an index delivers in page order, where a range on tlp would need a sort.
    Column("clients_see", Boolean, nullable=False, server_default="0"),
    Column(
        "producer_org_id",
        Integer,
        ForeignKey("organisations.id", name="fk_channel_objects_producer"),
        nullable=False,
    ),
    # Id first: it also serves every look-up of an object across channels.
    UniqueConstraint("stix_id", "channel_id", "version", name="uq_channel_objects_placement"),
    # Page order (date_added, id, version), whole and within a type or a TLP level.
    Index("ix_channel_objects_order", "channel_id", "date_added", "stix_id", "version"),
    Index(
        "ix_channel_objects_type_order", "channel_id", "type", "date_added", "stix_id", "version"
    ),
    Index(
        "ix_channel_objects_clients_order",
        "channel_id",
        "clients_see",
        "date_added",
        "stix_id",
        "version",
    ),
    Index("ix_channel_objects_channel_producer", "channel_id", "producer_org_id"),
    # AUTOINCREMENT: a seq is never reused after a delete, so a cursor never skips.
    sqlite_autoincrement=True,
)

# TAXII status resources: the outcome of each POST of an envelope.
statuses = Table(
    "statuses",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("channel_id", Integer, ForeignKey("channels.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("request_timestamp", BigInteger, nullable=False),
    Column("total_count", Integer, nullable=False),
    Column("success_count", Integer, nullable=False),
    Column("failure_count", Integer, nullable=False),
    Column("pending_count", Integer, nullable=False),
    Column("details", Text, nullable=False),
)


# A producer's permission for what its handling rules otherwise forbid: onward sharing
# into a channel (H2, AMBER+STRICT, RED) or use in court (H1).
grants = Table(
    "grants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("stix_id", Key, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("channel_id", Integer, ForeignKey("channels.id")),
    Column("org_id", Integer, ForeignKey("organisations.id")),
    Column("granted_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("created", BigInteger, nullable=False),
    Index("ix_grants_object", "stix_id", "kind"),
)

# A user's acknowledgement of an object's H3 restriction text (its hash kept as a record).
acknowledgements = Table(
    "acknowledgements",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("stix_id", Key, primary_key=True),
    Column("text_hash", String(64), nullable=False),
    Column("created", BigInteger, nullable=False),
)

# The append-only audit log; each entry holds the hash of the one before it.
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", BigInteger, nullable=False),
    Column("username", String(200), nullable=False),
    Column("org_name", String(200), nullable=False),
    Column("action", String(40), nullable=False),
    Column("purpose", String(200), nullable=False),
    Column("object_ids", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_log_username", "username"),
    sqlite_autoincrement=True,
)
