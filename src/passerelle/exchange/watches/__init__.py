"""Watches: standing alerts of an organisation on a subject, a name or an observable.

A watch outlives any case. Closing a tip with "no link found" puts the tip's persons,
groups and observables on watch (:func:`watch_subjects`); a user adds one by hand on an
object, a name or an observable. A watch matches through keys (``ref:<id>``, ``name:...``,
``phone:+33...``, ``email:...``, ``url:...``, ``handle:...``; see
:mod:`passerelle.keys.observables` and :mod:`passerelle.keys.names`): when a newly
stored object version carries one of a watch's keys and is new to the watch's owner, a
hit is recorded (:func:`record_hits`, inside the ingest transaction), and a hit of a watch
that came from a partner's tip is then reported to that partner where the rules allow
(:func:`report_pending`, after the commit).

Rules:

- A watch and its hits belong to the organisation that keeps it
  (:func:`passerelle.policy.workflow.watches_kept_by` on every read). A watch of another
  organisation answers exactly like an id that does not exist; auditors take no part.
- A hit is recorded only if the matching version is visible to the watch's owner, and only
  if it is new to them: a version they could already see (the tip's own objects when the
  watch was made, an object shared again into another channel) is not new information.
  Workflow feedback (receipts, outcomes, hit reports: objects carrying Passerelle's
  ``feedback`` extension member) never hits. Hits are listed to a user only while that
  user may still see the matching version.
- A watch never lapses silently: one without ``--until`` runs for
  :data:`DEFAULT_TERM`; its owner is warned ``watch_warning`` (7 days) before it expires
  (:func:`inbox_notices`, ``watch list``), and ``watch extend`` renews it.
- Ending a watch needs a reason (kept in the audit log, with every add and extension).

The modules: :mod:`.models` (requests and views), :mod:`.keys` (what a watch matches on),
:mod:`.reading` and :mod:`.writing` (watch records), :mod:`.operations` (add, list, show,
end, extend, hits), :mod:`.statements` and :mod:`.hits` (recording hits in the write
transaction), :mod:`.reports` (telling partners after the commit), :mod:`.inbox` and
:mod:`.subjects` (what the tip workflow uses).
"""

from typing import TYPE_CHECKING

from passerelle.core.faces import lazy_face

# Each name's module is imported when the name is first used: the tip inbox's notices
# import no hit recording.
if TYPE_CHECKING:
    from passerelle.exchange.watches.hits import WatchHits, record_hits, watched_kinds
    from passerelle.exchange.watches.inbox import RECENT, inbox_notices
    from passerelle.exchange.watches.models import (
        AddWatch,
        EndBody,
        EndWatch,
        ExtendBody,
        ExtendWatch,
        Hit,
        ListHits,
        ListWatches,
        Watch,
        WatchNotices,
        WatchRef,
    )
    from passerelle.exchange.watches.operations import (
        ADD,
        END,
        EXTEND,
        HITS,
        LIST,
        SHOW,
        add_watch,
        end_watch,
        extend_watch,
        list_hits,
        list_watches,
        show_watch,
    )
    from passerelle.exchange.watches.reports import report_hits, report_pending
    from passerelle.exchange.watches.subjects import watch_subjects
    from passerelle.exchange.watches.writing import DEFAULT_TERM
else:
    __getattr__ = lazy_face(
        __name__,
        {
            "hits": ("WatchHits", "record_hits", "watched_kinds"),
            "inbox": ("RECENT", "inbox_notices"),
            "models": (
                "AddWatch",
                "EndBody",
                "EndWatch",
                "ExtendBody",
                "ExtendWatch",
                "Hit",
                "ListHits",
                "ListWatches",
                "Watch",
                "WatchNotices",
                "WatchRef",
            ),
            "operations": (
                "ADD",
                "END",
                "EXTEND",
                "HITS",
                "LIST",
                "SHOW",
                "add_watch",
                "end_watch",
                "extend_watch",
                "list_hits",
                "list_watches",
                "show_watch",
            ),
            "reports": ("report_hits", "report_pending"),
            "subjects": ("watch_subjects",),
            "writing": ("DEFAULT_TERM",),
        },
    )

__all__ = [
    "ADD",
    "DEFAULT_TERM",
    "END",
    "EXTEND",
    "HITS",
    "LIST",
    "RECENT",
    "SHOW",
    "AddWatch",
    "EndBody",
    "EndWatch",
    "ExtendBody",
    "ExtendWatch",
    "Hit",
    "ListHits",
    "ListWatches",
    "Watch",
    "WatchHits",
    "WatchNotices",
    "WatchRef",
    "add_watch",
    "end_watch",
    "extend_watch",
    "inbox_notices",
    "list_hits",
    "list_watches",
    "record_hits",
    "report_hits",
    "report_pending",
    "show_watch",
    "watch_subjects",
    "watched_kinds",
]
