"""Failed logins, limited and aggregated per source so that no caller can flood the audit log.

Failures are counted per source (an IPv4 address; an IPv6 /64, since one host commonly
holds a whole /64) in windows that open with the source's first failure and last
``PASSERELLE_LOGIN_WINDOW`` (60 s by default):

- the first failure of a window is recorded at once, as ``login-failed``;
- the next ones are only counted; when the window has closed (at the next failure of any
  source, or when the app stops), one ``login-failures`` entry records them all: how many
  (the first included), the first and last time, a sample of the usernames tried, and how
  many requests were refused;
- once a source has failed ``PASSERELLE_LOGIN_FAILURES`` times (20) in its window, every
  request from it gets 429 with ``Retry-After`` until the window ends, before any
  database work, valid credentials or not (a guess that succeeds must not get through).

A username is the caller's text: it is recorded without control or format characters (NUL,
line breaks, bidirectional overrides) and cut to 64 characters. At most ``MAX_SOURCES``
sources are followed at once; beyond, the failures of new sources share one window, of
source ``*``, so that many addresses cannot flood the log either.

The register lives in the app's process (one per ``serve`` worker): it is passed in, never
global, and counts are lost if the process is killed before a window's entry is written.
"""

from __future__ import annotations

import ipaddress
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from passerelle.audit.log import printable, record_alone
from passerelle.durations import SECOND
from passerelle.stix.timestamps import micros_to_text, now_micros
from passerelle.store.database import Database

OTHER_SOURCES: Final = "*"
MAX_SOURCES: Final = 1000
USERNAME_LENGTH: Final = 64
# Distinct usernames kept per window, as a sample of what was tried.
SAMPLE: Final = 5


def clean_username(text: str) -> str:
    """Return a caller's username fit for the log: printable, at most 64 characters."""
    return printable(text, USERNAME_LENGTH)


def source_of(host: str) -> str:
    """Return the source a failure from ``host`` counts against."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        # Not an address (a test client, a Unix socket): the name, made printable.
        return clean_username(host) or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(address) >> 64 << 64, 64)))
    return str(address)


@dataclass
class _Window:
    opened: int
    last: int
    usernames: list[str] = field(default_factory=list)
    failures: int = 1
    refused: int = 0

    def aggregate(self, source: str) -> dict[str, Any] | None:
        """Return the detail of the window's entry, or None if nothing is left to record."""
        if self.failures == 1 and not self.refused:
            return None  # its one failure has its own entry
        return {
            "source": source,
            "failures": self.failures,
            "first": micros_to_text(self.opened),
            "last": micros_to_text(self.last),
            "usernames": self.usernames,
            "refused": self.refused,
        }


class FailedLogins:
    """The failed logins of the current window, per source: who gets 429, what is recorded."""

    def __init__(
        self,
        window: int,
        limit: int,
        *,
        clock: Callable[[], int] = now_micros,
        max_sources: int = MAX_SOURCES,
    ) -> None:
        self.window = window
        self.limit = limit
        self.clock = clock
        self.max_sources = max_sources
        # Oldest first: every window lasts as long, so they close in this order.
        self._windows: OrderedDict[str, _Window] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, host: str) -> int | None:
        """Return how many seconds ``host`` must wait before it may log in, or None."""
        now = self.clock()
        with self._lock:
            source = self._tracked(source_of(host))
            window = self._windows.get(source)
            if window is None or self._closed(window, now) or window.failures < self.limit:
                return None
            window.refused += 1
            return max(1, -(-(window.opened + self.window - now) // SECOND))

    def failed(self, database: Database, host: str, username: str) -> None:
        """Count a failed login from ``host``: record it if it opens its source's window,
        and record the windows that have closed."""
        now = self.clock()
        name = clean_username(username)
        with self._lock:
            closed = self._close_ended(now)
            source = self._tracked(source_of(host))
            window = self._windows.get(source)
            if window is not None and self._closed(window, now):
                closed.append((source, self._windows.pop(source)))
                window = None
            if window is None:
                self._windows[source] = _Window(now, now, [name])
            else:
                window.failures += 1
                window.last = now
                if name not in window.usernames and len(window.usernames) < SAMPLE:
                    window.usernames.append(name)
        # The database is written outside the lock: other sources' 429s never wait on it.
        for ended_source, ended in closed:
            _record_window(database, ended_source, ended)
        if window is None:
            record_alone(database, None, "login-failed", detail={"source": source}, username=name)

    def flush(self, database: Database) -> None:
        """Record every window's pending failures now (the app is stopping)."""
        with self._lock:
            pending = list(self._windows.items())
            self._windows.clear()
        for source, window in pending:
            _record_window(database, source, window)

    def _tracked(self, source: str) -> str:
        if source in self._windows or len(self._windows) < self.max_sources:
            return source
        return OTHER_SOURCES

    def _closed(self, window: _Window, now: int) -> bool:
        # A clock that went back closes the window rather than stretching it.
        return now >= window.opened + self.window or now < window.opened

    def _close_ended(self, now: int) -> list[tuple[str, _Window]]:
        closed = []
        while self._windows:
            source, window = next(iter(self._windows.items()))
            if not self._closed(window, now):
                break
            closed.append((source, self._windows.pop(source)))
        return closed


def _record_window(database: Database, source: str, window: _Window) -> None:
    detail = window.aggregate(source)
    if detail is not None:
        username = window.usernames[0] if window.usernames else ""
        record_alone(database, None, "login-failures", detail=detail, username=username)
