"""Passes of sync: for each peer, push what waits, carry the retractions owed, pull the
linked collections, carry the RFIs asked of the peer's organisation; and the loop that
repeats them in the background of ``serve``.

The loop is one thread of the serving process (the parent of the workers when there are
several, so a node runs one loop). It waits ``interval`` between passes on an event that
shutdown sets, so stopping never waits out an interval; a pass in progress finishes the
peer it is on (each request is bounded by the timeout), and the others wait for the next
start. A failing peer is logged and recorded (``peer status``), never fatal to the loop.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from passerelle.federation.peers import Peer, list_peers
from passerelle.federation.pull import PullReport, pull_peer
from passerelle.federation.push import PushReport, push_peer, record_error, record_success
from passerelle.federation.retract import RetractReport, retract_peer
from passerelle.federation.rfis import RfiReport, carry_rfis
from passerelle.federation.transport import PeerUnreachable
from passerelle.objects.hooks import Hooks
from passerelle.store.database import Database

_log = logging.getLogger(__name__)

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
    hooks: Hooks,
    chosen: Sequence[Peer],
    timeout: float,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> list[PeerPass]:
    """Run one pass with each chosen peer; record each one's success or error."""
    done = []
    for peer in chosen:
        if stop is not None and stop.is_set():
            break
        done.append(_one_peer(database, hooks, peer, timeout, progress))
    return done


def _one_peer(
    database: Database, hooks: Hooks, peer: Peer, timeout: float, progress: Progress | None
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
        result.pulled = pull_peer(database, hooks, peer, timeout, progress=received)
        # After the pull: the objects that answer an RFI are here when it is closed here.
        result.rfis = carry_rfis(database, peer, timeout)
        record_success(database, peer)
    except PeerUnreachable as exc:
        record_error(database, peer, exc.message)
        result.error = exc.message
    return result


class SyncLoop:
    """Sync passes with every peer, every ``interval`` seconds, in a thread of its own."""

    def __init__(
        self, database: Database, hooks: Hooks, interval: float, timeout: float = 30.0
    ) -> None:
        self._database = database
        self._hooks = hooks
        self._interval = interval
        self._timeout = timeout
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="federation-sync", daemon=True)

    def start(self) -> None:
        """Start the loop; the first pass runs at once."""
        _log.warning("federation sync loop started (every %.0f s)", self._interval)
        self._thread.start()

    def stop(self) -> None:
        """Ask the loop to stop and wait for the pass in progress to end."""
        self._stop.set()
        self._thread.join(self._timeout * 4 + 5)
        _log.warning("federation sync loop stopped")

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._database.read() as conn:
                    chosen = list_peers(conn)
                for done in sync_peers(
                    self._database, self._hooks, chosen, self._timeout, stop=self._stop
                ):
                    if done.error:
                        _log.warning("federation: peer %r: %s", done.peer, done.error)
            except Exception:
                _log.exception("federation sync pass failed")
            self._stop.wait(self._interval)
