"""Long ``IN`` lists, cut into chunks every backend takes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final, TypeVar

# Values per IN list: below SQLite's default limit of bound parameters with room to
# spare, and small enough that PostgreSQL plans each statement quickly.
ID_CHUNK: Final = 500

T = TypeVar("T")


def chunked(values: Sequence[T], size: int = ID_CHUNK) -> Iterator[Sequence[T]]:
    """Yield consecutive slices of at most ``size`` values."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
