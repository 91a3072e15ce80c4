"""The tables of a node's register, objects and workflow. Alembic migrations under
``migrations/`` create and evolve them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from passerelle.store.metadata import Key, metadata

# The tables of entity resolution, federation and notifications live in their own modules
# (``entity_tables``, ``federation_tables``, ``notify_tables``): a command imports the
# tables it reads, and building ~120 columns it never reads cost every command ~2.5% of its
# instructions. ``passerelle.store.tables`` imports them all, for whatever needs the whole
# metadata (migrations, tests). (``__all__`` names what is imported and re-exported; the
# tables defined below are public as every module-level name is.)
__all__ = ["Key", "metadata"]

organisations = Table(
    "organisations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created", BigInteger, nullable=False),
    Column("phone_region", String(2)),  # numbers of its objects; NULL: the node's region
    # Its admins run the node itself (organisations, channels, memberships).
    Column("operator", Boolean, nullable=False, server_default=false()),
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
    # The argon2 hash of the user's web password (None: no password, no web sign-in).
    Column("password_hash", String(200), nullable=True),
    # A disabled user's token, sessions and links stop working; their records stay.
    Column("disabled", Boolean, nullable=False, server_default=false()),
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

# The organisation that produced the first version of each object: only it adds versions
# (others' copies of an object they cannot see are kept apart; see objects.ownership).
object_owners = Table(
    "object_owners",
    metadata,
    Column("stix_id", Key, primary_key=True),
    Column(
        "org_id",
        Integer,
        ForeignKey("organisations.id", name="fk_object_owners_org"),
        nullable=False,
    ),
    Column("since", BigInteger, nullable=False),
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

# One row per version per channel: TAXII's date_added lives here (strictly rising from one
# placement to the next within a channel, assigned under the channel's lock).
channel_objects = Table(
    "channel_objects",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("channel_id", Integer, ForeignKey("channels.id"), nullable=False),
    Column("stix_id", Key, nullable=False),
    Column("version", Key, nullable=False),
    # The version as its producer wrote it ('modified', else 'created'; '' for an SCO).
    Column("shown_version", Key, nullable=False, server_default=""),
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

# A signed-in web session: only the hash of its id is stored, so reading the table signs
# nobody in. ``csrf_token`` is the synchronizer token every form of the session carries.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("purpose", String(200), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
    Index("ix_web_sessions_user", "user_id"),
)

# A one-time sign-in link the command line printed: the hash of its token, until used.
web_links = Table(
    "web_links",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("expires", BigInteger, nullable=False),
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


# A tip: an object shared into a channel for action by the receiving organisations.
tips = Table(
    "tips",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("stix_id", Key, nullable=False),
    Column("version", Key, nullable=False),
    Column("channel_id", Integer, ForeignKey("channels.id"), nullable=False),
    Column("producer_org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("shared_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("shared_at", BigInteger, nullable=False),
    Column("ack_deadline", BigInteger, nullable=False),
    Column("outcome_deadline", BigInteger, nullable=False),
    Column("action_requested", Text, nullable=False, server_default=""),
    # A tip a peer's node announced: the person who shared it there, as it named them.
    Column("sharer_name", String(200), nullable=False, server_default=""),
    Index("ix_tips_producer", "producer_org_id", "shared_at"),
    Index("ix_tips_object", "stix_id"),
)

# A tip's lifecycle in one receiving organisation: received, acknowledged, investigating,
# closed (with an outcome). Only the producer and that organisation ever see this row.
tip_receipts = Table(
    "tip_receipts",
    metadata,
    Column("tip_id", String(64), ForeignKey("tips.id"), primary_key=True),
    Column("org_id", Integer, ForeignKey("organisations.id"), primary_key=True),
    Column("state", String(20), nullable=False),
    Column("received_at", BigInteger, nullable=False),
    Column("owner_id", Integer, ForeignKey("users.id")),
    Column("acknowledged_at", BigInteger),
    Column("investigating_at", BigInteger),
    Column("closed_at", BigInteger),
    Column("outcome", String(30)),
    Column("arrests", Integer),
    Column("seizures", Text, nullable=False, server_default=""),
    Column("checked", Text, nullable=False, server_default=""),
    Column("note", Text, nullable=False, server_default=""),
    Column("watch_declined", Text, nullable=False, server_default=""),
    Index("ix_tip_receipts_org_state", "org_id", "state"),
)

# Each recipient's state of a tip in a receiving organisation: its people on this node
# (node '') or on a peer's node (node = that peer's node account). The organisation's
# receipt above is the furthest of its recipients' states.
tip_recipients = Table(
    "tip_recipients",
    metadata,
    Column("tip_id", String(64), ForeignKey("tips.id"), primary_key=True),
    Column("org_id", Integer, ForeignKey("organisations.id"), primary_key=True),
    Column("node", String(200), primary_key=True),
    Column("state", String(20), nullable=False),
    Column("received_at", BigInteger, nullable=False),
    Column("owner_id", Integer, ForeignKey("users.id")),
    Column("acknowledged_at", BigInteger),
    Column("investigating_at", BigInteger),
    Column("closed_at", BigInteger),
    Column("outcome", String(30)),
    Column("arrests", Integer),
    Column("seizures", Text, nullable=False, server_default=""),
    Column("checked", Text, nullable=False, server_default=""),
    Column("note", Text, nullable=False, server_default=""),
)

# Every transition of a receipt: who, when, and the STIX feedback it sent back.
tip_events = Table(
    "tip_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tip_id", String(64), ForeignKey("tips.id"), nullable=False),
    Column("org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("state", String(20), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("feedback_ids", Text, nullable=False, server_default=""),
    Index("ix_tip_events_tip", "tip_id", "org_id"),
)

# A request for information from one organisation to another.
rfis = Table(
    "rfis",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("from_org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("from_user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("to_org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("urgency", String(10), nullable=False),
    Column("about_id", Key),
    Column("created", BigInteger, nullable=False),
    Column("deadline", BigInteger, nullable=False),
    Column("state", String(20), nullable=False),
    Column("closed_at", BigInteger),
    Column("closed_by", Integer, ForeignKey("users.id")),
    Column("reason", Text, nullable=False, server_default=""),
    Index("ix_rfis_from", "from_org_id", "created"),
    Index("ix_rfis_to", "to_org_id", "created"),
)

# The objects an RFI was answered with.
rfi_answers = Table(
    "rfi_answers",
    metadata,
    Column("rfi_id", String(64), ForeignKey("rfis.id"), primary_key=True),
    Column("stix_id", Key, primary_key=True),
)

# A standing alert of one organisation on a subject, a name or an observable.
watches = Table(
    "watches",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("owner_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("label", Text, nullable=False),
    Column("subject_id", Key),
    Column("created", BigInteger, nullable=False),
    Column("until", BigInteger),
    Column("ended", BigInteger),
    Column("source_tip_id", String(64), ForeignKey("tips.id")),
    Index("ix_watches_org", "org_id", "created"),
)

# What a watch matches: normalised keys such as "phone:+33612345678" or "ref:identity--...".
watch_keys = Table(
    "watch_keys",
    metadata,
    Column("watch_id", String(64), ForeignKey("watches.id"), primary_key=True),
    Column("key", Key, primary_key=True),
    Index("ix_watch_keys_key", "key"),
)

# A newly stored object version that matched a watch, and whether the partner was told.
watch_hits = Table(
    "watch_hits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("watch_id", String(64), ForeignKey("watches.id"), nullable=False),
    Column("stix_id", Key, nullable=False),
    Column("version", Key, nullable=False),
    Column("matched", Text, nullable=False),
    Column("at", BigInteger, nullable=False),
    # none (no partner to tell), pending, sent, withheld (the rules forbid it; see reason)
    Column("report_state", String(20), nullable=False),
    Column("report_id", Key),
    Column("report_reason", Text, nullable=False, server_default=""),
    UniqueConstraint("watch_id", "stix_id", "version", name="uq_watch_hits_version"),
    Index("ix_watch_hits_report", "report_state"),
)


# Correlation keys of each stored version: observables (phone:+33..., email:..., ip:...,
# sha256:...) and resolved entities (entity:...). Objects sharing a key correlate, within
# what the asker may see.
# Keyed by the key alone (migration 0007): correlation looks objects up by key, and an
# object's own keys come from its body. A second index led by the random STIX id cost
# one more B-tree page written per object at every ingest commit. On SQLite the table is
# that one B-tree (WITHOUT ROWID).
object_keys = Table(
    "object_keys",
    metadata,
    Column("key", Key, nullable=False),
    Column("stix_id", Key, nullable=False),
    Column("version", Key, nullable=False),
    PrimaryKeyConstraint("key", "stix_id", "version", name="pk_object_keys"),
    sqlite_with_rowid=False,
)

# A draft report made by intake from an open source, stored for review in a channel its
# organisation writes into. Only that organisation sees it; nothing of it is intelligence
# until it is published (only its accepted elements are).
intake_drafts = Table(
    "intake_drafts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("org_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("channel_id", Integer, ForeignKey("channels.id"), nullable=False),
    Column("created_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("title", Text, nullable=False),
    Column("lang", String(20), nullable=False, server_default=""),
    Column("published", String(40)),
    Column("source_url", Text, nullable=False, server_default=""),
    Column("bundle", Text, nullable=False),  # the draft's STIX bundle, as intake made it
    # open (under review), done (published), replaced (by a newer draft of the article)
    Column("state", String(20), nullable=False),
    Column("published_by", Integer, ForeignKey("users.id")),
    Column("published_at", BigInteger),
    Column("report_id", Key),  # the report stored when it was published
    # SHA-256 of the article text normalised (passerelle.intake.review.recognition)
    Column("fingerprint", String(64)),
    Column("replaces", String(64)),  # the draft this one updates (decisions carried over)
    Index("ix_intake_drafts_org", "org_id", "created"),
    Index("ix_intake_drafts_fingerprint", "org_id", "fingerprint"),
)

# One reviewable element of a draft: an entity, a quotation, a fact or the report itself.
intake_elements = Table(
    "intake_elements",
    metadata,
    Column("draft_id", String(64), ForeignKey("intake_drafts.id"), primary_key=True),
    Column("stix_id", Key, primary_key=True),
    Column("position", Integer, nullable=False),
    # entity, quotation, fact, report
    Column("kind", String(20), nullable=False),
    Column("summary", Text, nullable=False),
    # pending, accepted, rejected, corrected
    Column("state", String(20), nullable=False),
    Column("corrected_body", Text),  # the object as corrected (JSON), when corrected
    Column("decided_by", Integer, ForeignKey("users.id")),
    Column("decided_at", BigInteger),
    Column("entity_id", String(64)),  # the resolved entity intake proposed
)
