"""Storage: one interface over SQLite (embedded default) and PostgreSQL."""

# Imported here so that the tables of federation and notifications join the schema's
# metadata wherever it is used.
from passerelle.store import federation_tables, notify_tables, search_tables
from passerelle.store.database import Database, open_database

__all__ = ["Database", "federation_tables", "notify_tables", "open_database", "search_tables"]
