"""One storage interface, two backends: SQLite (embedded default) and PostgreSQL.

The core talks to a :class:`Database` through SQLAlchemy Core connections from
:meth:`Database.read` and :meth:`Database.write`. The backends differ only in how a write
transaction is serialised and in dialect details (insert-or-ignore).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from passerelle.errors import PasserelleError
from passerelle.store.statistics import Growth

# The newest migration in migrations/versions/ (tests/store/test_migrations.py checks that
# it is Alembic's head). Knowing it here, a process sees that its schema is current with
# one query, without loading Alembic and every migration script.
SCHEMA_HEAD = "0021_review"


@dataclass(frozen=True)
class AuditKey:
    """The node's audit key, read from a file outside the database (``passerelle.audit``).

    ``keyed_from`` is the first audit entry the key signs; entries before it were written
    before the node had a key. Both come from the key file, so editing the database cannot
    move the boundary. The secret never appears in a repr.
    """

    secret: bytes = field(repr=False)
    keyed_from: int
    path: str


class Database:
    """A node's database: connections for reading and serialised writing.

    ``audit_key`` is set by whoever opens the node (the app, the command line) and travels
    with the database to every place that appends to the audit log.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.audit_key: AuditKey | None = None

    @property
    def backend(self) -> str:
        """Name the backend: ``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """Yield a connection inside a read transaction."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self, channel_ids: Sequence[int] = ()) -> Iterator[Connection]:
        """Yield a connection in a write transaction, serialised for the given channels."""
        raise NotImplementedError

    def insert_ignoring_duplicates(
        self, conn: Connection, table: Table, rows: Sequence[dict[str, Any]]
    ) -> None:
        """Insert rows, silently keeping the stored row where a unique key already exists."""
        if rows:
            columns = tuple(rows[0])
            self.insert_rows(conn, table, columns, [tuple(row[c] for c in columns) for row in rows])

    def insert_rows(
        self,
        conn: Connection,
        table: Table,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        """Insert rows given as tuples in ``columns`` order, ignoring duplicates.

        The hot paths of ingest build tuples directly: cheaper than dictionaries.
        """
        raise NotImplementedError

    def insert_new_rows(
        self,
        conn: Connection,
        table: Table,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        returning: str = "",
    ) -> list[Any]:
        """Insert rows as :meth:`insert_rows` does, and return the ``returning`` column of
        each row inserted: what a conflict left out was written by another transaction
        (needed only where write transactions run side by side)."""
        raise NotImplementedError

    def lock_audit(self, conn: Connection) -> None:
        """Serialise appends to the audit log within the current write transaction."""

    def lock_channels(self, conn: Connection, channel_ids: Sequence[int]) -> None:
        """Serialise writes to further channels within the current write transaction (one
        writer at a time already does on SQLite)."""

    @property
    def writes_one_at_a_time(self) -> bool:
        """Tell whether every write transaction waits for the previous one to end (then
        what a transaction read cannot be changed by another before it commits)."""
        return False

    def migrate(self) -> None:
        """Bring the schema to the latest migration."""
        if self.schema_current():
            return
        from passerelle.store.migrate import upgrade

        upgrade(self.engine)

    def schema_current(self) -> bool:
        """Tell whether the schema is at the latest migration."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return False
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            return list(found) == [SCHEMA_HEAD]

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


class SqliteDatabase(Database):
    """The embedded default: one file, WAL journal, one writer at a time."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        # Threads of this process queue here; other processes wait on SQLite's own lock
        # (busy_timeout) because every write transaction starts with BEGIN IMMEDIATE.
        self._writer = threading.Lock()
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_deferred)

    @property
    def writes_one_at_a_time(self) -> bool:
        """Tell whether write transactions are serialised: on SQLite they all are."""
        return True

    @contextmanager
    def write(self, channel_ids: Sequence[int] = ()) -> Iterator[Connection]:
        """Yield a connection in a write transaction, serialised for the whole file."""
        with self._writer, self.engine.connect() as conn:
            conn = conn.execution_options(passerelle_immediate=True)
            with conn.begin():
                yield conn

    def insert_rows(
        self,
        conn: Connection,
        table: Table,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        """Insert rows with one ``executemany`` of ``INSERT ... ON CONFLICT DO NOTHING``."""
        if rows:
            sql = _insert_sql(conn, table, columns, f"VALUES ({', '.join('?' * len(columns))})")
            conn.exec_driver_sql(sql, rows)

    def insert_new_rows(
        self,
        conn: Connection,
        table: Table,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        returning: str = "",
    ) -> list[Any]:
        """Insert rows one statement each (``RETURNING`` has no ``executemany`` here); a
        SQLite node never needs it on its hot path, its writes come one at a time."""
        sql = _insert_sql(conn, table, columns, f"VALUES ({', '.join('?' * len(columns))})")
        if returning:
            sql += f" RETURNING {conn.dialect.identifier_preparer.quote(returning)}"
        inserted = []
        for row in rows:
            found = conn.exec_driver_sql(sql, tuple(row)).scalar()
            if found is not None:
                inserted.append(found)
        return inserted


class PostgresDatabase(Database):
    """PostgreSQL: many workers, writes to one channel serialised by an advisory lock."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._growth = Growth()

    @contextmanager
    def write(self, channel_ids: Sequence[int] = ()) -> Iterator[Connection]:
        """Yield a connection in a write transaction holding each channel's lock.

        The lock makes ``date_added`` follow commit order within a channel, which keeps
        TAXII pages correct when several workers write at once. Once it has committed,
        the tables that grew enough are analysed (:mod:`passerelle.store.statistics`).
        """
        with self.engine.connect() as conn, conn.begin():
            for channel_id in sorted(set(channel_ids)):
                conn.execute(_ADVISORY_LOCK, {"space": _LOCK_SPACE, "key": channel_id})
            yield conn
        for name in self._growth.due():
            self._analyse(name)

    def _analyse(self, table: str) -> None:
        with self.engine.begin() as conn:
            conn.exec_driver_sql(f"ANALYZE {conn.dialect.identifier_preparer.quote(table)}")
            rows = conn.execute(_RELTUPLES, {"name": table}).scalar()
        self._growth.analysed(table, float(rows or 0))

    def lock_audit(self, conn: Connection) -> None:
        """Take the audit chain's lock until the transaction ends."""
        conn.execute(_ADVISORY_LOCK, {"space": _LOCK_SPACE, "key": _AUDIT_LOCK})

    def lock_channels(self, conn: Connection, channel_ids: Sequence[int]) -> None:
        """Take further channels' locks until the transaction ends (taken after the ones
        the write began with: two such writes crossing may deadlock, and PostgreSQL then
        rolls one of them back)."""
        for channel_id in sorted(set(channel_ids)):
            conn.execute(_ADVISORY_LOCK, {"space": _LOCK_SPACE, "key": channel_id})

    def insert_rows(
        self,
        conn: Connection,
        table: Table,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
    ) -> None:
        """Insert rows with one ``INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING``.

        Each column travels as one array parameter: a handful of parameters whatever the
        number of rows, where a multi-row ``VALUES`` list made PostgreSQL parse and plan a
        statement of thousands of parameters (about ten times slower per row). The arrays
        go in psycopg's binary format (``%b``): as text, an array of JSON bodies needs every
        quote escaped, which cost three times the insert itself.
        """
        self.insert_new_rows(conn, table, columns, rows)

    def insert_new_rows(
        self,
        conn: Connection,
        table: Table,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        returning: str = "",
    ) -> list[Any]:
        """Insert rows as :meth:`insert_rows` does; with ``returning``, return that column's
        value of each row inserted (a row left out by a conflict is not returned, after
        the transaction that holds the conflicting row has ended)."""
        if not rows:
            return []
        types = {column.name: column.type for column in table.columns}
        # Array casts name the base type only: a collation belongs to the column.
        arrays = ", ".join(
            f"%b::{_COLLATION.sub('', types[name].compile(dialect=conn.dialect))}[]"
            for name in columns
        )
        sql = _insert_sql(conn, table, columns, f"SELECT * FROM unnest({arrays})")
        values = tuple(list(column) for column in zip(*rows, strict=True))
        self._growth.grew(table.name, len(rows))
        if not returning:
            conn.exec_driver_sql(sql, values)
            return []
        quoted = conn.dialect.identifier_preparer.quote(returning)
        return list(conn.exec_driver_sql(f"{sql} RETURNING {quoted}", values).scalars())


def _insert_sql(conn: Connection, table: Table, columns: Sequence[str], source: str) -> str:
    # The hot insert paths bypass SQLAlchemy's per-row parameter processing, which cost
    # a quarter of ingest time; names come from our own schema, quoted by the dialect.
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    return f"INSERT INTO {quote(table.name)} ({names}) {source} ON CONFLICT DO NOTHING"


_RELTUPLES = text("SELECT reltuples FROM pg_class WHERE oid = to_regclass(:name)")

_COLLATION = re.compile(r' COLLATE "[^"]*"')

# First key of the two-key advisory locks that guard channel writes ("PS" in ASCII).
_LOCK_SPACE = 0x5053
# Second key of the audit chain's lock; channel ids are positive, so it never clashes.
_AUDIT_LOCK = -1
# Built once: every write transaction takes at least one.
_ADVISORY_LOCK = select(
    func.pg_advisory_xact_lock(bindparam("space", type_=Integer), bindparam("key", type_=Integer))
)


def _configure_sqlite_connection(dbapi_conn: Any, _record: Any) -> None:
    # Autocommit at the driver level: SQLAlchemy's "begin" event issues BEGIN itself, so
    # a write can ask for BEGIN IMMEDIATE and never fail later on a lock upgrade.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA wal_autocheckpoint=10000")
    cursor.execute("PRAGMA cache_size=-32768")  # 32 MiB: index pages of a 1M-object file
    cursor.close()


def _begin_deferred(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("passerelle_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def sqlite_file(url: URL) -> str | None:
    """Return the file of a SQLite URL (None for another backend, or SQLite in memory)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return str(url.database)


def open_database(url: str, create: bool = True) -> Database:
    """Open the database at a SQLAlchemy URL (``sqlite:///file`` or ``postgresql://...``);
    without ``create``, a SQLite file that does not exist is an error, not a new file."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise PasserelleError(f"not a database URL: {url!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(parsed)
        if path is None:
            raise PasserelleError("the SQLite database must be a file: sqlite:///path/to/file.db")
        if not create and not os.path.exists(path):
            raise PasserelleError(f"no database at {path} (create one with passerelle init)")
        _create_private(path)
        return SqliteDatabase(create_engine(parsed))
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        # No server-side prepared statements: a generic plan made while a table was small
        # keeps scanning it whole once it is large. No JIT: a page query runs in a few
        # milliseconds but its estimated cost triggers some 80 ms of JIT compilation.
        engine = create_engine(
            parsed,
            pool_size=10,
            max_overflow=20,
            connect_args={"prepare_threshold": None, "options": "-c jit=off"},
        )
        return PostgresDatabase(engine)
    raise PasserelleError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
    )


def _create_private(path: str) -> None:
    """Create a new SQLite file readable by the node's user alone (SQLite gives its WAL and
    shared-memory files the same permissions); an existing file is left as it is."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return
    except OSError as exc:
        raise PasserelleError(f"cannot create the database file {path!r}: {exc.strerror}") from exc


def check_reachable(database: Database) -> None:
    """Raise a one-line error if the database cannot be reached."""
    try:
        with database.engine.connect():
            pass
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise PasserelleError(f"cannot open the database: {reason}") from exc
