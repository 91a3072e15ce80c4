"""Fixtures of the web interface's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from passerelle.app import create_app
from passerelle.audit.logins import FailedLogins
from passerelle.durations import MINUTE
from passerelle.settings import Settings, WebSettings
from tests.exchange_support import FakeClock
from tests.security.test_access_matrix_workflow import tip_world  # noqa: F401 (its fixture)
from tests.web.support import BASE_URL, set_passwords
from tests.world import World

IDLE = 30 * MINUTE


@pytest.fixture
def web_app(world: World, clock: FakeClock) -> FastAPI:
    """The node's app over the world, on the test clock; alice (dgsi) and boris (fsb) have
    the test password; a source is refused after 3 failed sign-ins."""
    set_passwords(world.database, "alice", "boris", "carla", "oscar")
    settings = Settings(db_url="unused://", web=WebSettings(idle_timeout=IDLE))
    return create_app(settings, world.database, clock=clock, logins=FailedLogins(MINUTE, 3))


@pytest.fixture
def browser(web_app: FastAPI) -> Iterator[TestClient]:
    """An in-process client over the web app (one browser: one cookie jar)."""
    with TestClient(web_app, base_url=BASE_URL) as client:
        yield client


@pytest.fixture
def other_browser(web_app: FastAPI) -> Iterator[TestClient]:
    """A second browser, for a second user."""
    with TestClient(web_app, base_url=BASE_URL) as client:
        yield client
