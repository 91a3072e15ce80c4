"""STIX timestamps: parsing, the canonical version key, and TAXII's date_added.

A version of an object is identified by (id, modified). STIX allows any number of
fractional digits, so ``2016-05-12T08:17:27Z`` and ``2016-05-12T08:17:27.000Z`` name the
same version; we compare versions on a canonical form with exactly six digits.
date_added is kept as integer microseconds since the epoch (fast, portable ordering).
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime

_TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_timestamp(text: str) -> datetime:
    """Parse a STIX/TAXII timestamp (UTC, ``Z`` suffix); raise ValueError if it is not one."""
    match = _TIMESTAMP.match(text)
    if match is None:
        raise ValueError(f"not a STIX timestamp: {text[:60]!r}")
    year, month, day, hour, minute, second, fraction = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    return datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=UTC
    )


@functools.lru_cache(maxsize=8192)
def version_key(text: str) -> str:
    """Return the canonical six-digit form of a timestamp, used to compare versions.

    Cached: the objects of a bulk feed often share their ``modified``.
    """
    match = _TIMESTAMP.match(text)
    if match is None:
        raise ValueError(f"not a STIX timestamp: {text[:60]!r}")
    fraction = (match.group(7) or "")[:6].ljust(6, "0")
    return f"{text[:19]}.{fraction}Z"


def to_micros(moment: datetime) -> int:
    """Return microseconds since the epoch for an aware datetime."""
    delta = moment - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def micros_to_text(micros: int) -> str:
    """Format epoch microseconds as a TAXII timestamp with microsecond precision."""
    seconds, micro = divmod(micros, 1_000_000)
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{micro:06d}Z"


def text_to_micros(text: str) -> int:
    """Parse a TAXII timestamp into epoch microseconds."""
    return to_micros(parse_timestamp(text))


def now_micros() -> int:
    """Return the current time as epoch microseconds."""
    return to_micros(datetime.now(UTC))
