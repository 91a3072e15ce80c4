"""The partners page: per partner and direction, how each side handles the other's tips
and RFIs, as a table and as charts.

The figures are those ``passerelle partners`` and ``GET /api/partners`` show: the page
runs the same operation (``partners``) in the same context, so every count is of records
the viewer may know of and nothing else. The charts are drawn in the browser by the
vendored Chart.js (``static/partners.js``, no inline script) from the figures the table
carries in its ``data-`` attributes: chart and table cannot disagree.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from passerelle.core.operations import perform
from passerelle.errors import PasserelleError
from passerelle.exchange.partners import PARTNERS
from passerelle.exchange.tips import OUTCOMES, NoRequest
from passerelle.web.access import context_of, page, signed_in
from passerelle.web.sessions import WebSession

router = APIRouter(include_in_schema=False)
Session = Annotated[WebSession, Depends(signed_in)]


@router.get("/partners")
def partners_page(request: Request, session: Session) -> HTMLResponse:
    """The figures per partner and direction, as charts and as a table."""
    try:
        found = perform(PARTNERS, context_of(request, session), NoRequest())
    except PasserelleError as exc:
        return page(request, "error.html", 403, session, problem=exc.message)
    return page(request, "partners.html", 200, session, partners=found, outcomes=OUTCOMES)
