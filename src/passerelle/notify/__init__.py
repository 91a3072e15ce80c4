"""Notifications: a user is told of the events of the workflow they care about, by e-mail
or by a signed webhook, saying only what they may be told.

Kinds (:mod:`.kinds`): a tip received, a deadline near, a deadline passed (overdue), an
outcome received, a watch hit, an RFI received, an RFI answered. A user subscribes
themselves (:mod:`.operations`, audited). Notices are found in the workflow's records
(:mod:`.events`, under :mod:`passerelle.policy.notices`), queued once per event and
subscription (:mod:`.queue`), and delivered with retries and back-off (:mod:`.delivery`)
as an e-mail or a signed webhook call (:mod:`.compose`, :mod:`.transport`), by the loop
of ``serve`` and by ``passerelle notify send``.
"""

from passerelle.notify.delivery import (
    Courier,
    DeliveryReport,
    NotifyLoop,
    backoff,
    run_pass,
)
from passerelle.notify.kinds import KINDS
from passerelle.notify.transport import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)

__all__ = [
    "DELIVERY_HEADER",
    "KINDS",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Courier",
    "DeliveryReport",
    "NotifyLoop",
    "backoff",
    "run_pass",
    "signature",
]
