"""Passes of delivery: queue what is owed, then send what is due, retrying with back-off;
and the loop that repeats them in the background of ``serve``.

Every pass starts by collecting (:func:`passerelle.notify.queue.collect`), so a notice
owed is queued however its event happened and whatever stopped the process before. A
write committed in the serving process rings the loop (:meth:`NotifyLoop.ring`, an
after-commit listener), which then runs a pass soon instead of at the end of its interval;
the write itself pays nothing (it used to collect inline: a read per commit, and per
subscription a scan of the week, in every write request). Nothing here ever logs a
secret, an address's password or a notice's facts.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from passerelle.core.context import Clock, system_clock
from passerelle.durations import doubling_wait
from passerelle.notify.compose import email_message, webhook_body
from passerelle.notify.queue import Due, claim_due, collect, retry_later, settle
from passerelle.notify.transport import NotDelivered, post_webhook, send_email
from passerelle.objects.hooks import WriteCommitted
from passerelle.policy.directory import active_viewer
from passerelle.policy.roles import Role
from passerelle.settings import NotifySettings
from passerelle.store.database import Database

_log = logging.getLogger(__name__)

# After a ring, how long the loop lets a burst of writes go on before its pass (seconds).
_SETTLE = 1.0


@dataclass
class DeliveryReport:
    """What one pass did."""

    queued: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0


@dataclass(frozen=True)
class Courier:
    """What a pass needs: the database, the settings, the node's address, the clock."""

    database: Database
    settings: NotifySettings
    public_url: str = ""
    clock: Clock = system_clock


def run_pass(courier: Courier) -> DeliveryReport:
    """Queue every notice owed, then try every one that is due."""
    report = DeliveryReport()
    now = courier.clock()
    report.queued = collect(courier.database, now, courier.settings.deadline_near)
    while True:
        batch = claim_due(courier.database, courier.clock())
        for due in batch:
            _deliver(courier, due, report)
        if len(batch) < 100:
            return report


def _deliver(courier: Courier, due: Due, report: DeliveryReport) -> None:
    database = courier.database
    with database.read() as conn:
        recipient = active_viewer(conn, due.user_id)
    if recipient is None or recipient.role is Role.AUDITOR:
        settle(database, due, courier.clock(), "dropped")
        report.dropped += 1
        return
    try:
        _send(courier, due)
    except NotDelivered as exc:
        wait = backoff(courier.settings, due.attempts + 1)
        retry_later(database, due, courier.clock(), wait, exc.message)
        if wait is None:
            report.failed += 1
            _log.warning("notice %d given up after %d tries: %s", due.id, due.attempts + 1, exc)
        else:
            report.retried += 1
        return
    settle(database, due, courier.clock(), "delivered")
    report.delivered += 1


def _send(courier: Courier, due: Due) -> None:
    settings = courier.settings
    now = courier.clock()
    if due.via == "email":
        send_email(settings, email_message(due, settings.smtp_from, courier.public_url, now))
    else:
        body = webhook_body(due, courier.public_url)
        post_webhook(
            due.address,
            due.secret,
            due.id,
            body,
            now // 1_000_000,
            settings.timeout,
            settings.webhook_allow,
        )


def backoff(settings: NotifySettings, attempts: int) -> int | None:
    """Return how long to wait after the ``attempts``-th failed try, or None to give up."""
    if attempts >= settings.max_attempts:
        return None
    return doubling_wait(settings.retry_after, attempts, settings.retry_cap)


class NotifyLoop:
    """Delivery passes every ``interval`` seconds, in a thread of its own, and soon after
    a write of this process rings it."""

    def __init__(self, courier: Courier, interval: float) -> None:
        self._courier = courier
        self._interval = interval
        self._stop = threading.Event()
        self._rung = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notify-delivery", daemon=True)

    def start(self) -> None:
        """Start the loop; the first pass runs at once."""
        _log.warning("notification delivery started (every %.0f s)", self._interval)
        self._thread.start()

    def ring(self, _event: WriteCommitted) -> None:
        """Run a pass soon (an after-commit listener: the write may have owed notices)."""
        self._rung.set()

    def stop(self) -> None:
        """Ask the loop to stop and wait for the pass in progress to end."""
        self._stop.set()
        self._rung.set()
        self._thread.join(self._courier.settings.timeout * 4 + 5)
        _log.warning("notification delivery stopped")

    def _run(self) -> None:
        while not self._stop.is_set():
            self._rung.clear()
            try:
                run_pass(self._courier)
            except Exception:
                _log.exception("notification pass failed")
            # Rung meanwhile: the pass runs again after a short pause; else at the interval.
            self._rung.wait(self._interval)
            self._stop.wait(_SETTLE)
