"""Storage: one interface over SQLite (embedded default) and PostgreSQL."""

from passerelle.store.database import Database, open_database

__all__ = ["Database", "open_database"]
