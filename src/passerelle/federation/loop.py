"""Passes of sync: for each peer, push what waits, carry the retractions owed, pull the
linked collections, carry the RFIs asked of the peer's organisation; and the loop that
repeats them in the background of ``serve``.

The loop is one thread of the serving process (the parent of the workers when there are
several, so a node runs one loop). It waits ``interval`` between passes on an event that
shutdown sets, so stopping never waits out an interval. A write committed in the serving
process that placed versions in a channel pushed to a peer rings it
(:meth:`SyncLoop.ring`, an after-commit listener): after a short pause that lets a burst
gather, it pushes (and carries the retractions owed) at once, instead of at the end of the
interval; pulls and RFIs keep to the interval. Writes of the workers of ``serve --workers
N`` are in other processes and do not ring: there the interval alone decides. A pass in
progress finishes the peer it is on (each request is bounded by the timeout), and the
others wait for the next start. A failing peer is logged and recorded (``peer status``),
never fatal to the loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from passerelle.core.context import Deferred
from passerelle.federation.peers import Peer, list_peers, pushed_channels
from passerelle.federation.pull import PullReport, pull_peer
from passerelle.federation.push import PushReport, push_peer, record_error, record_success
from passerelle.federation.retract import RetractReport, retract_peer
from passerelle.federation.rfis import RfiReport, carry_rfis
from passerelle.federation.transport import PeerUnreachable
from passerelle.objects.hooks import Hooks, WriteCommitted
from passerelle.store.database import Database

_log = logging.getLogger(__name__)

# After a ring, how long the loop lets a burst of writes gather before it pushes (seconds).
_SETTLE = 0.2

# Called with (peer name, objects sent, objects received) as a pass goes.
Progress = Callable[[str, int, int], None]


@dataclass
class PeerPass:
    """What one pass did with one peer, or the error that stopped it."""

    peer: str
    pushed: PushReport
    retracted: RetractReport
    pulled: PullReport
    rfis: RfiReport
    error: str = ""


def sync_peers(
    database: Database,
    hooks: Hooks | Deferred[Hooks],
    chosen: Sequence[Peer],
    timeout: float,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    push_only: bool = False,
) -> list[PeerPass]:
    """Run one pass with each chosen peer; record each one's success or error
    (``push_only``: push and carry retractions, neither pull nor carry RFIs)."""
    done = []
    for peer in chosen:
        if stop is not None and stop.is_set():
            break
        done.append(_one_peer(database, hooks, peer, timeout, progress, push_only))
    return done


def _one_peer(
    database: Database,
    hooks: Hooks | Deferred[Hooks],
    peer: Peer,
    timeout: float,
    progress: Progress | None,
    push_only: bool,
) -> PeerPass:
    name = peer.name
    result = PeerPass(
        name, PushReport(name), RetractReport(name), PullReport(name), RfiReport(name)
    )
    counted = {"sent": 0, "received": 0}

    def sent(n: int) -> None:
        counted["sent"] += n
        if progress:
            progress(peer.name, counted["sent"], counted["received"])

    def received(n: int) -> None:
        counted["received"] += n
        if progress:
            progress(peer.name, counted["sent"], counted["received"])

    try:
        result.pushed = push_peer(database, peer, timeout, progress=sent)
        result.retracted = retract_peer(database, peer, timeout)
        if not push_only:
            result.pulled = pull_peer(database, hooks, peer, timeout, progress=received)
            # After the pull: the objects that answer an RFI are here when it is closed here.
            result.rfis = carry_rfis(database, peer, timeout)
        record_success(database, peer)
    except PeerUnreachable as exc:
        record_error(database, peer, exc.message)
        result.error = exc.message
    return result


class SyncLoop:
    """Sync passes with every peer, every ``interval`` seconds, in a thread of its own, and
    a push soon after a write of this process placed something in a pushed channel."""

    def __init__(
        self, database: Database, hooks: Hooks, interval: float, timeout: float = 30.0
    ) -> None:
        self._database = database
        self._hooks = hooks
        self._interval = interval
        self._timeout = timeout
        self._stop = threading.Event()
        self._rung = threading.Event()
        # The channels pushed to a peer, as the last pass read them (a ring for another
        # channel is ignored; a link made since is pushed by the next full pass).
        self._pushed: frozenset[int] = frozenset()
        self._thread = threading.Thread(target=self._run, name="federation-sync", daemon=True)

    def start(self) -> None:
        """Start the loop; the first pass runs at once."""
        _log.warning("federation sync loop started (every %.0f s)", self._interval)
        self._thread.start()

    def ring(self, event: WriteCommitted) -> None:
        """Push soon when the write placed versions in a channel pushed to a peer (an
        after-commit listener: the write itself pays only this test)."""
        if self._pushed and any(channel in self._pushed for channel, _v in event.stored):
            self._rung.set()

    def stop(self) -> None:
        """Ask the loop to stop and wait for the pass in progress to end."""
        self._stop.set()
        self._rung.set()
        self._thread.join(self._timeout * 4 + 5)
        _log.warning("federation sync loop stopped")

    def _run(self) -> None:
        full_at = 0.0
        while not self._stop.is_set():
            self._rung.clear()
            full = time.monotonic() >= full_at
            if full:
                full_at = time.monotonic() + self._interval
            self._pass(push_only=not full)
            # Rung meanwhile: push after a short pause; else a full pass at the interval.
            if self._rung.wait(max(0.0, full_at - time.monotonic())):
                self._stop.wait(_SETTLE)

    def _pass(self, push_only: bool) -> None:
        try:
            with self._database.read() as conn:
                chosen = list_peers(conn)
                self._pushed = pushed_channels(conn)
            for done in sync_peers(
                self._database, self._hooks, chosen, self._timeout, stop=self._stop,
                push_only=push_only,
            ):  # fmt: skip
                if done.error:
                    _log.warning("federation: peer %r: %s", done.peer, done.error)
        except Exception:
            _log.exception("federation sync pass failed")
