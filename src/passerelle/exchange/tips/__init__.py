"""Tips: objects shared to partners for action, tracked per receiving organisation from
receipt to outcome, with feedback flowing back to the producer.

Lifecycle of a receipt (one per tip and receiving organisation)::

    received -> acknowledged (an owner) -> investigating -> closed (an outcome)

Closing is allowed from ``acknowledged`` or ``investigating``; every transition records
who and when, and sends its feedback back in the same transaction. The transition table
is in :mod:`.lifecycle`, what each step records and sends in :mod:`.effects`.

The modules: :mod:`.models` (requests and views), :mod:`.contents` (what a tip holds),
:mod:`.reading` and :mod:`.listing` (what each side sees), :mod:`.sharing`,
:mod:`.lifecycle` and :mod:`.effects` (the receiving side); each operation is registered
beside its run function.
"""

from typing import TYPE_CHECKING

from passerelle.core.faces import lazy_face

# Each name's module is imported when the name is first used: reading the inbox imports
# the listing, not the lifecycle's write path.
if TYPE_CHECKING:
    from passerelle.exchange.tips.lifecycle import (
        ACK,
        CLOSE,
        INVESTIGATE,
        acknowledge,
        close,
        investigate,
    )
    from passerelle.exchange.tips.listing import (
        INBOX,
        OVERDUE,
        SENT,
        SHOW,
        inbox,
        overdue,
        sent,
        show,
    )
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
    from passerelle.exchange.tips.sharing import SHARE, share
else:
    __getattr__ = lazy_face(
        __name__,
        {
            "lifecycle": ("ACK", "CLOSE", "INVESTIGATE", "acknowledge", "close", "investigate"),
            "listing": ("INBOX", "OVERDUE", "SENT", "SHOW", "inbox", "overdue", "sent", "show"),
            "models": (
                "OUTCOMES",
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
            ),
            "sharing": ("SHARE", "share"),
        },
    )

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
