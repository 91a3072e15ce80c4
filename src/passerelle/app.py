"""The web application of a node: ``create_app(settings)``."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from passerelle import __version__
from passerelle.api import content, handling, health
from passerelle.api.routes import FEATURE_TAGS, operation_router
from passerelle.audit.key import key_path, use_audit_key
from passerelle.audit.logins import FailedLogins
from passerelle.core.context import Clock, system_clock
from passerelle.core.operations import REGISTRY
from passerelle.durations import SECOND
from passerelle.errors import PasserelleError
from passerelle.federation import SyncLoop
from passerelle.http.docs import install_docs
from passerelle.http.errors import install_error_handlers
from passerelle.http.guard import RequestGuard
from passerelle.http.headers import SecurityHeaders
from passerelle.notify import Courier, NotifyLoop
from passerelle.settings import Settings
from passerelle.store.database import Database, open_database
from passerelle.taxii import objects, server
from passerelle.web import install_web
from passerelle.wiring import key_rules, subscribe_features

# The docs group routes by tag in this order; unlisted, they would follow the first path
# of each tag, and the generated routes come sorted by path, not by feature.
_TAGS = ("TAXII", "Handling", "Bundles", *FEATURE_TAGS.values(), "Health")


def create_app(
    settings: Settings,
    database: Database | None = None,
    clock: Clock = system_clock,
    logins: FailedLogins | None = None,
) -> FastAPI:
    """Build the node's ASGI application over its database (migrated to the latest schema).

    A database passed in comes with the node's audit key (``use_audit_key``); one opened
    here gets the key that the settings name. ``clock`` gives the time of the exchange
    workflow's deadlines, ``logins`` the register of failed logins (tests pass their own).
    """
    if database is None:
        database = open_database(settings.db_url)
        database.migrate()
        use_audit_key(database, key_path(settings.audit.key_file, settings.db_url))
    if database.audit_key is None:
        raise PasserelleError("the database was opened without the node's audit key")
    if logins is None:
        logins = FailedLogins(settings.audit.login_window, settings.audit.login_failures)

    app = FastAPI(
        title=settings.title,
        # Served by the node itself (http.docs): the stock pages load their scripts from
        # a CDN, which an offline node cannot reach.
        docs_url=None,
        redoc_url=None,
        version=__version__,
        summary="Passerelle: an intelligence exchange speaking STIX 2.1 and TAXII 2.1",
        openapi_tags=[{"name": tag} for tag in _TAGS],
        lifespan=_lifespan(settings, database, logins, clock),
    )
    app.state.settings = settings
    app.state.database = database
    app.state.clock = clock
    app.state.logins = logins
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
    _serve(app)
    return app


def _lifespan(
    settings: Settings, database: Database, logins: FailedLogins, clock: Clock
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """What the app does as it starts and stops: run the federation sync loop and the
    delivery of notifications when their intervals are set, and flush the failed logins
    counted in open windows to the log."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = None
        if settings.sync_interval:
            loop = SyncLoop(database, app.state.hooks, settings.sync_interval / SECOND)
            app.state.hooks.on_committed(loop.ring)
            loop.start()
        notices = None
        if settings.notify.interval:
            courier = Courier(database, settings.notify, settings.public_url, clock)
            notices = NotifyLoop(courier, settings.notify.interval / SECOND)
            app.state.hooks.on_committed(notices.ring)
            notices.start()
        yield
        if loop is not None:
            await run_in_threadpool(loop.stop)
        if notices is not None:
            await run_in_threadpool(notices.stop)
        await run_in_threadpool(logins.flush, database)

    return lifespan


def _serve(app: FastAPI) -> None:
    """Route the node's interfaces: TAXII, the REST API, the web interface."""
    app.include_router(server.router, tags=["TAXII"])
    app.include_router(objects.router, tags=["TAXII"])
    app.include_router(handling.router, tags=["Handling"])
    app.include_router(content.router, tags=["Bundles"])
    app.include_router(health.router, tags=["Health"])
    app.include_router(operation_router(REGISTRY.values()))
    install_web(app)


def app_from_env() -> FastAPI:
    """Build the app from PASSERELLE_* variables (what each ``serve --workers`` process runs)."""
    app = create_app(Settings.from_env())
    settle_heap()
    return app


def settle_heap() -> None:
    """Take what start-up allocated (modules, tables, compiled queries) out of the garbage
    collector's reach, once a serving process has built its app.

    Those objects live as long as the process; left in the collector's oldest generation,
    every full collection during a request walks all of them again. A node ingesting
    envelopes of 1,000 objects spent about a tenth of its CPU time so (measured in
    docs/benchmarks.md). Only the serving processes call this: tests build many apps.
    """
    gc.collect()
    gc.freeze()
