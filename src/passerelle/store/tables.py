"""Every table of a node in its one metadata: the schema's, and those of entity
resolution, federation, notifications and the search index, which live in modules of
their own.

Import this where the whole metadata matters (the migrations' environment, tests that
empty or compare every table); a command imports only the tables it reads.
"""

from passerelle.store import (
    entity_tables,
    federation_tables,
    notify_tables,
    schema,
    search_tables,
)
from passerelle.store.metadata import metadata

__all__ = [
    "entity_tables",
    "federation_tables",
    "metadata",
    "notify_tables",
    "schema",
    "search_tables",
]
