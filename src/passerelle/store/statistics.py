"""The planner's statistics of the tables a PostgreSQL node fills.

PostgreSQL plans every query from statistics that only ``ANALYZE`` gathers. Its
autovacuum daemon runs it as tables grow, but it may be switched off (it is on some test
and appliance servers) and it lags behind a bulk load: meanwhile the planner takes a table
of thousands of rows for a handful, and the visibility rules' ``EXISTS`` look-ups become
scans of scans (one TAXII page went from a tenth of a second to twenty). So the node
counts the rows it inserts into each table and analyses a table itself once it has grown
by half since the node last analysed it (and by at least :data:`MIN_ROWS`).
"""

from __future__ import annotations

import threading
from typing import Final

# Rows a table must gain before the node analyses it: small writes never pay for it.
MIN_ROWS: Final = 2_000
# ... and the share of the rows it held at the last analysis (autovacuum's default is 10%).
GROWTH: Final = 0.5


class Growth:
    """Rows inserted per table since each was last analysed, shared by a process's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._grown: dict[str, int] = {}
        self._analysed_rows: dict[str, float] = {}

    def grew(self, table: str, rows: int) -> None:
        """Count rows inserted into a table (whether their transaction commits or not)."""
        with self._lock:
            self._grown[table] = self._grown.get(table, 0) + rows

    def due(self) -> list[str]:
        """Return the tables to analyse now, and count them as analysed from here."""
        with self._lock:
            names = [
                name
                for name, rows in self._grown.items()
                if rows >= max(MIN_ROWS, GROWTH * self._analysed_rows.get(name, 0.0))
            ]
            for name in names:
                self._grown[name] = 0
            return names

    def analysed(self, table: str, rows: float) -> None:
        """Note how many rows a table held when it was analysed."""
        with self._lock:
            self._analysed_rows[table] = rows
