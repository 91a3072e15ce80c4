"""The tip operations, as the REST API and the command line reach them."""

from __future__ import annotations

from passerelle.core.operations import Operation, register
from passerelle.exchange.tips.lifecycle import acknowledge, close, investigate
from passerelle.exchange.tips.listing import inbox, overdue, sent, show
from passerelle.exchange.tips.models import (
    AckRequest,
    CloseRequest,
    ListRequest,
    NoRequest,
    ShareRequest,
    TipRef,
)
from passerelle.exchange.tips.sharing import share

SHARE = register(Operation("tips.share", "POST", "/api/tips", ShareRequest, share))
INBOX = register(Operation("tips.inbox", "GET", "/api/tips/inbox", ListRequest, inbox))
SENT = register(Operation("tips.sent", "GET", "/api/tips/sent", ListRequest, sent))
OVERDUE = register(Operation("tips.overdue", "GET", "/api/tips/overdue", NoRequest, overdue))
SHOW = register(Operation("tips.show", "GET", "/api/tips/{tip_id}", TipRef, show))
ACK = register(Operation("tips.ack", "POST", "/api/tips/{tip_id}/ack", AckRequest, acknowledge))
INVESTIGATE = register(
    Operation("tips.investigate", "POST", "/api/tips/{tip_id}/investigate", TipRef, investigate)
)
CLOSE = register(Operation("tips.close", "POST", "/api/tips/{tip_id}/close", CloseRequest, close))
