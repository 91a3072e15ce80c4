"""The analysts' web interface: server-rendered pages (Jinja2), htmx for partial updates,
French and English (Babel), served by the node at ``/``.

One more reader and writer beside the REST API and TAXII: pages read and act through the
exchange operations and the objects layer, for the user of a server-side session.
"""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from passerelle.web import (
    administration,
    auditing,
    entities,
    graph,
    inbox,
    intake,
    operator,
    partners,
    requests,
    search,
    signin,
    tip,
)
from passerelle.web.access import SignInRequired, UnreadableForm, to_sign_in, unreadable_form

__all__ = ["install_web"]


def install_web(app: FastAPI) -> None:
    """Serve the web interface's pages and its static files (vendored, never a CDN)."""
    app.add_exception_handler(SignInRequired, to_sign_in)
    app.add_exception_handler(UnreadableForm, unreadable_form)
    app.include_router(signin.router)
    app.include_router(inbox.router)
    app.include_router(tip.router)
    app.include_router(search.router)
    app.include_router(auditing.router)
    app.include_router(requests.router)
    app.include_router(entities.router)
    app.include_router(graph.router)
    app.include_router(intake.router)
    app.include_router(partners.router)
    app.include_router(administration.router)
    app.include_router(operator.router)
    static = resources.files("passerelle.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
