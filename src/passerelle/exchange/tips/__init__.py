"""Tips: objects shared to partners for action, tracked per receiving organisation from
receipt to outcome, with feedback flowing back to the producer.

Lifecycle of a receipt (one per tip and receiving organisation)::

    received -> acknowledged (an owner) -> investigating -> closed (an outcome)

Closing is allowed from ``acknowledged`` or ``investigating``; every transition records
who and when, and sends its feedback back in the same transaction. The transition table
is in :mod:`.lifecycle`, what each step records and sends in :mod:`.effects`.

The modules: :mod:`.models` (requests and views), :mod:`.contents` (what a tip holds),
:mod:`.reading` and :mod:`.listing` (what each side sees), :mod:`.sharing`,
:mod:`.lifecycle` and :mod:`.effects` (the receiving side), :mod:`.operations`.
"""

from passerelle.exchange.tips.lifecycle import acknowledge, close, investigate
from passerelle.exchange.tips.listing import inbox, overdue, sent, show
from passerelle.exchange.tips.models import (
    OUTCOMES,
    AckBody,
    AckRequest,
    CloseBody,
    CloseRequest,
    Inbox,
    ListRequest,
    NoRequest,
    Overdue,
    ShareRequest,
    Tip,
    TipRef,
)
from passerelle.exchange.tips.operations import (
    ACK,
    CLOSE,
    INBOX,
    INVESTIGATE,
    OVERDUE,
    SENT,
    SHARE,
    SHOW,
)
from passerelle.exchange.tips.sharing import share

__all__ = [
    "ACK",
    "CLOSE",
    "INBOX",
    "INVESTIGATE",
    "OUTCOMES",
    "OVERDUE",
    "SENT",
    "SHARE",
    "SHOW",
    "AckBody",
    "AckRequest",
    "CloseBody",
    "CloseRequest",
    "Inbox",
    "ListRequest",
    "NoRequest",
    "Overdue",
    "ShareRequest",
    "Tip",
    "TipRef",
    "acknowledge",
    "close",
    "inbox",
    "investigate",
    "overdue",
    "sent",
    "share",
    "show",
]
