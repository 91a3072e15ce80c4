"""The RFI operations, as the REST API and the command line reach them."""

from __future__ import annotations

from passerelle.core.operations import Operation, register
from passerelle.exchange.rfis.models import AnswerRfi, ListRfis, RefuseRfi, SendRfi, ShowRfi
from passerelle.exchange.rfis.reading import list_rfis, show_rfi
from passerelle.exchange.rfis.writing import answer_rfi, refuse_rfi, send_rfi

SEND = register(Operation("rfi.send", "POST", "/api/rfis", SendRfi, send_rfi))
LIST = register(Operation("rfi.list", "GET", "/api/rfis", ListRfis, list_rfis))
SHOW = register(Operation("rfi.show", "GET", "/api/rfis/{rfi_id}", ShowRfi, show_rfi))
ANSWER = register(
    Operation("rfi.answer", "POST", "/api/rfis/{rfi_id}/answer", AnswerRfi, answer_rfi)
)
REFUSE = register(
    Operation("rfi.refuse", "POST", "/api/rfis/{rfi_id}/refuse", RefuseRfi, refuse_rfi)
)
