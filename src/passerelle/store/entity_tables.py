"""The tables of entity resolution: entities, their names and blocking keys, the links of
STIX objects to them, and each organisation's merges. They refer to the schema's tables,
so importing them imports the schema."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from passerelle.store.schema import Key, metadata

# Entity resolution: the real-world things behind many objects and names.
entities = Table(
    "entities",
    metadata,
    Column("id", String(64), primary_key=True),
    # person, organization or location
    Column("kind", String(20), nullable=False),
    Column("name", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
)

# An organisation's judgement that an entity is another one (migration 0009): it shapes
# that organisation's view only. A merge is a pointer, undone by deleting it: nothing is
# rewritten.
entity_merges = Table(
    "entity_merges",
    metadata,
    Column("org_id", Integer, ForeignKey("organisations.id"), primary_key=True),
    Column("entity_id", String(64), ForeignKey("entities.id"), primary_key=True),
    Column("merged_into", String(64), ForeignKey("entities.id"), nullable=False),
    Column("merged_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("merged_at", BigInteger, nullable=False),
    Index("ix_entity_merges_into", "org_id", "merged_into"),
)

# Every name an entity is known by, with where it came from. A name learnt from a STIX
# object is shown only to those who may see that object; shipped alias files are public.
entity_names = Table(
    "entity_names",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entity_id", String(64), ForeignKey("entities.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("script", String(20), nullable=False),
    # e.g. "aliases:groups.yml", "stix:name", "stix:aliases", "review", "user"
    Column("source", String(200), nullable=False),
    Column("stix_id", Key),
    # The version of the object that carries the name: only those who may see that very
    # version see it (migration 0009).
    Column("version", Key),
    # The version the object's link to the entity was decided on, when the name came
    # from a later one (NULL: the same version): the name tells of the link too.
    Column("link_version", Key),
    Column("added_by", Integer, ForeignKey("users.id")),
    Column("created", BigInteger, nullable=False),
    Index("ix_entity_names_entity", "entity_id"),
    Index("ix_entity_names_object", "stix_id"),
)

# Blocking keys of entity names (normalised tokens, phonetic keys...): candidate search is
# an index look-up on these, never a scan of all entities.
entity_keys = Table(
    "entity_keys",
    metadata,
    Column("entity_id", String(64), ForeignKey("entities.id"), primary_key=True),
    Column("key", Key, primary_key=True),
    Index("ix_entity_keys_key", "key"),
)

# A scored, explained link from a STIX object to an entity: made automatically above the
# high threshold, queued for review between the thresholds, decided by a person.
# One object can have several links to one entity: its owner's versions and each copy an
# organisation keeps of it (policy.ownership) are resolved apart (migration 0009).
entity_links = Table(
    "entity_links",
    metadata,
    Column("stix_id", Key, nullable=False),
    # Whose versions: 0 for the object's owner, else the organisation keeping a copy.
    Column("holder", Integer, nullable=False, server_default="0", autoincrement=False),
    Column("entity_id", String(64), ForeignKey("entities.id"), nullable=False),
    # The version it was decided on (NULL until a link made ahead of its object, by
    # intake's review, meets the object's first version).
    Column("version", Key),
    # The entity's name that justified it (``entity_names.id``; NULL: the object's own
    # name, or a person's decision): only those who may see that name see the link.
    Column("via_name_id", Integer),
    Column("score", Integer, nullable=False),  # 0-1000
    Column("explanation", Text, nullable=False),
    # auto, review, accepted, rejected
    Column("status", String(20), nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("decided_by", Integer, ForeignKey("users.id")),
    Column("decided_at", BigInteger),
    PrimaryKeyConstraint("stix_id", "holder", "entity_id", name="pk_entity_links"),
    Index("ix_entity_links_entity", "entity_id", "status"),
    Index("ix_entity_links_status", "status", "created"),
)
