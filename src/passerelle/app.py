"""The web application of a node: ``create_app(settings)``."""

from __future__ import annotations

from fastapi import FastAPI

from passerelle import __version__
from passerelle.api import handling
from passerelle.api.routes import FEATURE_TAGS, operation_router
from passerelle.core.context import Clock, system_clock
from passerelle.core.operations import REGISTRY
from passerelle.http.docs import install_docs
from passerelle.http.errors import install_error_handlers
from passerelle.http.guard import RequestGuard
from passerelle.http.headers import SecurityHeaders
from passerelle.settings import Settings
from passerelle.store.database import Database, open_database
from passerelle.taxii import objects, server
from passerelle.wiring import key_rules, subscribe_features


def create_app(
    settings: Settings, database: Database | None = None, clock: Clock = system_clock
) -> FastAPI:
    """Build the node's ASGI application over its database (migrated to the latest schema).

    ``clock`` gives the time of the exchange workflow's deadlines (tests pass their own).
    """
    if database is None:
        database = open_database(settings.db_url)
        database.migrate()
    app = FastAPI(
        title=settings.title,
        # Served by the node itself (http.docs): the stock pages load their scripts from
        # a CDN, which an offline node cannot reach.
        docs_url=None,
        redoc_url=None,
        version=__version__,
        summary="Passerelle: an intelligence exchange speaking STIX 2.1 and TAXII 2.1",
        # The docs group routes by tag in this order; unlisted, they would follow the first
        # path of each tag, and the generated routes come sorted by path, not by feature.
        openapi_tags=[{"name": tag} for tag in ("TAXII", "Handling", *FEATURE_TAGS.values())],
    )
    app.state.settings = settings
    app.state.database = database
    app.state.clock = clock
    app.state.keys = key_rules(settings)
    app.state.hooks = subscribe_features(app.state.keys)
    install_error_handlers(app)
    install_docs(app)
    # The last added runs first: headers go on every answer, the guard's refusals too.
    app.add_middleware(
        RequestGuard,
        taxii_limit=settings.max_content_length,
        api_limit=settings.max_api_body_length,
    )
    app.add_middleware(SecurityHeaders)
    app.include_router(server.router, tags=["TAXII"])
    app.include_router(objects.router, tags=["TAXII"])
    app.include_router(handling.router, tags=["Handling"])
    app.include_router(operation_router(REGISTRY.values()))
    return app


def app_from_env() -> FastAPI:
    """Build the app from PASSERELLE_* variables (what each ``serve --workers`` process runs)."""
    return create_app(Settings.from_env())
