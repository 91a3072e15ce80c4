"""The REST API fuzzed against its own OpenAPI schema with schemathesis (issue 12): no
request, however malformed, makes the node answer 5xx, on either backend."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.openapi import from_dict

from passerelle.app import create_app
from passerelle.audit.key import use_audit_key
from passerelle.settings import Settings
from passerelle.store.database import open_database
from tests.world import World


def _openapi() -> dict[str, Any]:
    """The node's schema, read from an app over a throwaway database."""
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(f"sqlite:///{Path(folder) / 'schema.db'}")
        database.migrate()
        use_audit_key(database, Path(folder) / "schema.audit-key")
        document = create_app(Settings(db_url="unused://"), database).openapi()
        database.dispose()
    return document


schema = from_dict(_openapi())
# One app per world (hypothesis calls the test once per example with the same fixtures).
_APPS: dict[int, TestClient] = {}


def _client(world: World) -> TestClient:
    client = _APPS.get(id(world.database))
    if client is None:
        _APPS.clear()
        settings = Settings(db_url="unused://", max_api_body_length=64 * 1024)
        app = create_app(settings, world.database)
        client = _APPS[id(world.database)] = TestClient(app, raise_server_exceptions=False)
    return client


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_request_makes_the_rest_api_fail(case: schemathesis.Case, world: World) -> None:
    headers = {"Authorization": f"Bearer {world.tokens['alice']}"}
    request = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    response = _client(world).request(
        request["method"],
        request["url"],
        headers=request.get("headers"),
        params=request.get("params"),
        json=request.get("json"),
        content=request.get("data") if "json" not in request else None,
    )
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
