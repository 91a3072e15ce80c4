"""Durations as people type them (``90m``, ``24h``, ``14d``, ``2w``), in microseconds."""

from __future__ import annotations

import re

from passerelle.errors import BadInput

SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

_UNITS = {"s": SECOND, "m": MINUTE, "h": HOUR, "d": DAY, "w": 7 * DAY}
_DURATION = re.compile(r"^\s*(\d{1,6})\s*([smhdw])\s*$")


def parse_duration(text: str) -> int:
    """Parse ``90m``, ``24h``, ``14d`` or ``2w`` into microseconds."""
    match = _DURATION.match(text)
    if match is None or int(match.group(1)) == 0:
        raise BadInput(f"not a duration: {text[:40]!r} (write it like 90m, 24h, 14d or 2w)")
    return int(match.group(1)) * _UNITS[match.group(2)]


def format_duration(micros: int) -> str:
    """Write a duration the way a person reads it: 26h, 3d 4h, 45m."""
    minutes = max(0, micros) // MINUTE
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {mins}m" if mins else f"{hours}h"
    return f"{mins}m"


def doubling_wait(first: int, attempts: int, cap: int) -> int:
    """Return the wait after the ``attempts``-th failed try: ``first``, doubled at each
    further try, never more than ``cap`` (the retry back-off of every queue)."""
    return int(min(first * 2 ** max(attempts - 1, 0), cap))
