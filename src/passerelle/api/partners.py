"""REST API of partner figures."""

from __future__ import annotations

from fastapi import APIRouter

from passerelle.api.deps import ContextDep
from passerelle.exchange.partners import Partner, partner_figures
from passerelle.exchange.tips import NoRequest

router = APIRouter(prefix="/api")


@router.get("/partners", response_model=list[Partner])
def partners(ctx: ContextDep) -> list[Partner]:
    """Per partner and direction: tips, acknowledgement and outcome rates and times, RFIs,
    watch hits reported back."""
    return partner_figures(ctx, NoRequest())
