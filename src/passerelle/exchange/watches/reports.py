"""Reporting, after the commit, the hits of watches that came from a partner's tip.

Each pending hit is told to the partner where the rules allow (see
:func:`passerelle.exchange.feedback.report_watch_hit`), in its own transaction.
"""

from __future__ import annotations

import logging

from passerelle.exchange import feedback
from passerelle.exchange.watches.statements import PENDING_HITS
from passerelle.objects.hooks import Hooks, WriteCommitted
from passerelle.store.database import Database

_log = logging.getLogger(__name__)


def report_hits(event: WriteCommitted) -> None:
    """Report the hits still pending once a write has committed (an after-commit listener)."""
    report_pending(event.database, event.hooks, event.now)


def report_pending(database: Database, hooks: Hooks, now: int) -> None:
    """Report every hit still 'pending' to its partner, each in its own transaction.

    Safe to call any number of times: a hit left pending by a crash after the ingest
    committed is reported by the next call, and a failure leaves the hit pending.
    """
    with database.read() as conn:
        pending = PENDING_HITS.scalars(conn)
    if not pending:
        return
    for hit_id in pending:
        try:
            feedback.report_watch_hit(database, hooks, hit_id, now)
        except Exception:  # the data is committed; the next call retries this hit
            _log.exception("reporting watch hit %s failed; it stays pending", hit_id)
