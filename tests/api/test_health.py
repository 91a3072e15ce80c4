"""``/healthz`` and ``/readyz``: unauthenticated, and saying nothing but the verdict."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from passerelle.store.database import SCHEMA_HEAD, Database, PostgresDatabase, SqliteDatabase


def test_healthz_answers_without_credentials(app_client: TestClient) -> None:
    answer = app_client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_readyz_answers_ready_on_a_current_schema(app_client: TestClient) -> None:
    answer = app_client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ready"}


@pytest.fixture
def behind(app_client: TestClient) -> Iterator[Database]:
    """The node's database, set back one migration for the test (restored after it)."""
    database: Database = app_client.app.state.database  # type: ignore[attr-defined]
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0008'"))
    yield database
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": SCHEMA_HEAD})


def test_readyz_refuses_a_schema_that_is_not_current(
    app_client: TestClient, behind: Database
) -> None:
    answer = app_client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "not ready"}
    assert app_client.get("/healthz").status_code == 200


def _unreachable(backend: str) -> Database:
    if backend == "sqlite":
        return SqliteDatabase(create_engine("sqlite:////nonexistent-directory/node.db"))
    # Port 1 of the loopback: nothing listens, the connection is refused at once.
    return PostgresDatabase(
        create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none", pool_pre_ping=False)
    )


def test_readyz_refuses_cleanly_when_the_database_is_unreachable(
    app_client: TestClient,
) -> None:
    state = app_client.app.state  # type: ignore[attr-defined]
    reachable = state.database
    state.database = _unreachable(reachable.backend)
    try:
        answer = app_client.get("/readyz")
    finally:
        state.database.dispose()
        state.database = reachable
    assert answer.status_code == 503
    # Nothing of the failure (driver, address, file) reaches the answer.
    assert answer.json() == {"status": "not ready"}
    assert app_client.get("/readyz").status_code == 200
