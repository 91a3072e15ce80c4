"""Dependencies of the REST API: who calls, and the context an operation runs in."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from passerelle.core.context import Context
from passerelle.http.auth import current_viewer
from passerelle.policy.viewer import Viewer

ViewerDep = Annotated[Viewer, Depends(current_viewer)]


def exchange_context(request: Request, viewer: ViewerDep) -> Context:
    """Build the operation context of this request."""
    state = request.app.state
    return Context(
        state.database, viewer, state.keys, state.hooks, state.clock, state.settings.exchange
    )


ContextDep = Annotated[Context, Depends(exchange_context)]
