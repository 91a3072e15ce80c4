"""The one SQLAlchemy metadata every table of a node belongs to, and shared column types."""

from __future__ import annotations

from sqlalchemy import MetaData, String

metadata = MetaData()

# Text that is compared byte-wise on PostgreSQL too (ids and canonical timestamps), so
# ordering never depends on the server's locale and comparisons stay cheap.
Key = String().with_variant(String(collation="C"), "postgresql")
