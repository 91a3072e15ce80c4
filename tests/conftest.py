"""Fixtures shared by the whole suite: every database test runs on SQLite and PostgreSQL.

PASSERELLE_TEST_BACKENDS (default ``sqlite,postgresql``) chooses the backends, and
PASSERELLE_TEST_PG (default the local server's ``test`` database) where PostgreSQL is.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from passerelle.app import create_app
from passerelle.audit.key import use_audit_key
from passerelle.settings import Settings
from passerelle.store.database import Database, open_database
from passerelle.store.tables import metadata
from tests.cli_runner import Run, cli_runner
from tests.exchange_support import ContextFor, FakeClock, contexts
from tests.live_server import HOST, free_port
from tests.taxii_client import Taxii
from tests.world import World

BACKENDS = [
    b.strip() for b in os.environ.get("PASSERELLE_TEST_BACKENDS", "sqlite,postgresql").split(",")
]
PG_ADMIN_URL = os.environ.get(
    "PASSERELLE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = open_database(f"sqlite:///{path}")
    database.migrate()
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of this session, migrated once, dropped at the end."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"passerelle_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - a clear reason beats a stack
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({exc.__class__.__name__}); "
            "start it or set PASSERELLE_TEST_BACKENDS=sqlite"
        )
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    database = open_database(url)
    database.migrate()
    database.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database on each backend in turn."""
    if request.param == "sqlite":
        path = tmp_path / "node.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    empty_postgres(url)
    return url


def empty_postgres(url: str) -> None:
    """Empty the session's PostgreSQL database for the next test (or module) using it."""
    engine = create_engine(url)
    with engine.begin() as conn:
        # Emptied row by row, children first, and every sequence back to 1: what TRUNCATE
        # ... RESTART IDENTITY does, at a twentieth of its cost on a test's few rows
        # (TRUNCATE replaces each table's files; the suite empties the database ~1,200 times).
        deleted = sum(
            conn.execute(table.delete()).rowcount for table in reversed(metadata.sorted_tables)
        )
        conn.execute(text(_RESTART_SEQUENCES))
        if deleted > _MANY_ROWS:
            # Deleted rows stay in the tables' files until a VACUUM, and the test server
            # runs none (autovacuum off): after a test that stored thousands of objects,
            # every later test would scan them and the planner would misjudge the tables
            # (a paging test went from seconds to minutes). TRUNCATE gives them new files.
            names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names}"))
    engine.dispose()


# Rows deleted by one emptying above which the tables are truncated as well.
_MANY_ROWS = 2_000

_RESTART_SEQUENCES = (
    "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'S' AND n.nspname = current_schema()"
)


@pytest.fixture(autouse=True)
def audit_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where this test's node keeps its audit key: outside the database, as in production.

    Every command the test runs finds it through PASSERELLE_AUDIT_KEY_FILE, so no test
    writes a key into the working directory.
    """
    path = tmp_path / "audit-key" / "node.audit-key"
    path.parent.mkdir()
    monkeypatch.setenv("PASSERELLE_AUDIT_KEY_FILE", str(path))
    return path


@pytest.fixture
def database(database_url: str, audit_key_file: Path) -> Iterator[Database]:
    """An empty, migrated database on each backend in turn, with the node's audit key."""
    db = open_database(database_url)
    use_audit_key(db, audit_key_file)
    yield db
    db.dispose()


@pytest.fixture
def world(database: Database) -> World:
    """Three organisations, their users and channels: see tests/world.py."""
    return World.build(database)


@pytest.fixture
def app_client(world: World) -> Iterator[TestClient]:
    """An in-process HTTP client over the node's app."""
    settings = Settings(db_url="unused://", max_content_length=200_000)
    with TestClient(create_app(settings, world.database)) as client:
        yield client


@pytest.fixture
def clock() -> FakeClock:
    """A clock for the exchange workflow that tests move by hand."""
    return FakeClock()


@pytest.fixture
def ctx(world: World, clock: FakeClock) -> ContextFor:
    """Return the exchange operation context of a user of the world, on the test clock."""
    return contexts(world, clock)


@pytest.fixture
def api(world: World, clock: FakeClock) -> Iterator[TestClient]:
    """An in-process HTTP client over the node's app, its workflow on the test clock."""
    settings = Settings(db_url="unused://", max_content_length=200_000)
    with TestClient(create_app(settings, world.database, clock=clock)) as client:
        yield client


@pytest.fixture
def live_url(world: World, clock: FakeClock) -> Iterator[str]:
    """The node's app served over real HTTP by uvicorn in a thread, on the test clock."""
    app = create_app(Settings(db_url="unused://"), world.database, clock=clock)
    port = free_port()
    config = uvicorn.Config(
        app, host=HOST, port=port, log_level="warning", lifespan="off", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.02)
    assert server.started, "uvicorn did not start"
    yield f"http://{HOST}:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def as_user(app_client: TestClient, world: World) -> Callable[[str], Taxii]:
    """Return a TAXII client acting as the named user of the world."""
    return lambda username: Taxii(app_client, username, world.tokens[username])


@pytest.fixture
def run(database_url: str) -> Run:
    """Run the command line against the test database, as a user types it."""
    return cli_runner(database_url)
