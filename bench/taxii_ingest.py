"""TAXII ingest benchmark: passerelle (SQLite, PostgreSQL) against medallion 3.0.0.

How to run it (from the repository root, in the project's venv; ``make bench`` does this)::

    .venv/bin/pip install -e '.[bench]'          # medallion==3.0.0, taxii2-client, psutil
    .venv/bin/python bench/taxii_ingest.py --json /tmp/taxii_ingest.json

Options: ``--objects N`` (default 10000), ``--million N`` (objects stored for the scale
test, default 1000000, 0 skips it), ``--million-backends`` (which backends get the scale
test, default all of ``--backends``), ``--backends sqlite,postgresql``, ``--skip-medallion``,
``--medallion-timeout S`` (default 60), ``--pg-url`` (default
``postgresql://postgres@127.0.0.1:5432/passerelle_bench``: the database is created, used
and dropped by the script), ``--pg-analyze`` (run ``ANALYZE`` on that database after each
ingest phase and every 100k objects of the fill, outside the timings: what autovacuum does
on a normally configured server; without it, a server with ``autovacuum=off`` plans every
query on tables it has never analyzed), ``--workers N`` (``passerelle serve --workers``,
default 1), ``--json PATH`` (write every figure as JSON), ``--keep`` (keep the temporary
directory), ``--schema-variants`` (measure passerelle's schema again with secondary
indexes dropped, cumulatively; see 2. below). The header of the output names the commit
measured, the files under ``src/`` that differ from it, and the PostgreSQL settings that
matter (autovacuum, jit, ...).

Every server is a subprocess bound to 127.0.0.1 on a free port and is stopped at the end,
even on failure or Ctrl-C; the temporary directory and the PostgreSQL database are removed.

What is measured (one run, one machine; times are wall-clock ``time.perf_counter``):

1. End-to-end, against medallion 3.0.0 (OASIS reference server, memory backend, its own
   Flask server) and against ``passerelle serve`` on each backend, all through
   taxii2-client (``taxii2client.v21.Collection``):

   * ingest: N distinct STIX 2.1 indicators posted with ``Collection.add_objects`` in
     envelopes of 100, each call waiting for its status (objects/s, client JSON
     encoding and HTTP included);
   * GET all: every object read back with ``as_pages(get_objects, per_request=1000)``
     (seconds for the whole read);
   * filtered GET: ``match[type]=indicator`` and ``added_after`` = the request_timestamp of
     the status of the middle envelope (about half the objects come back), paginated the
     same way;
   * medallion's GETs are bounded by ``--medallion-timeout``: each runs against a fresh
     medallion preloaded with exactly the state the ingest left (same objects, same
     date_added), and a GET that does not finish is reported as "> T s (timed out)";
     medallion is then stopped so that its still-running request does not steal CPU;
   * ratios passerelle/medallion: ingest rate over ingest rate, and medallion's GET time
     over passerelle's (a lower bound when medallion timed out).

2. Floor: raw ``sqlite3`` ``executemany`` of N rows (id, modified, type, body JSON text)
   into one table with a unique index on (id, modified), one transaction, WAL journal,
   ``synchronous=NORMAL`` (passerelle's setting), commit included; median of 3 fresh
   files (rows/s). The rows are those of the server-side ingest below.

   Then passerelle's own schema with no Python in the way: the rows a node writes for
   each of those objects (``objects``, ``channel_objects``, ``object_keys``, computed
   beforehand) inserted with raw ``sqlite3`` into a database made by passerelle's
   migrations, one transaction per envelope of 1000 (and again per envelope of 100, as
   in the taxii2-client ingest), foreign keys on (objects/s, as a percentage of the
   floor and as a multiple of medallion's ingest): the part of each gap that the schema
   itself accounts for.

3. Server-side ingest: N fresh indicators posted to passerelle with ``http.client`` (one
   keep-alive connection, bodies serialised before the clock starts) in envelopes of 1000
   into a fresh channel; objects/s from the first request to the last response, and that
   rate as a percentage of the floor.

4. Scale, on that same channel: latency of one page ``GET .../objects/?limit=1000&
   match[type]=indicator&added_after=T`` (T: just before the channel's first object, so
   every object matches) with N objects stored, then after filling the channel to
   ``--million`` objects through the server (envelopes of 1000; the fill rate is objects
   over the sum of the POST round trips). The pages are read once from start to end
   following ``next`` (the walk time is reported too); then, for the first page, the
   middle page and the last page (their ``next`` tokens), 2 warm-up requests and 20 timed
   ones: median and p95 (nearest rank) in ms, and the ratio of medians at 1M over at N.

5. Server RSS (psutil: the ``passerelle serve`` process plus its children) after N objects
   and after the fill and the page measurements. For PostgreSQL this excludes the
   database server's own processes.

Targets, reported as met / not met (never asserted): end-to-end ingest through
taxii2-client >= 20x medallion; server-side ingest (envelopes of 1000) >= 25% of the raw
SQLite floor; page latency at 1M <= 1.5x at N (median, every position); server RSS <
300 MB with 1M objects stored.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import http.client
import importlib.metadata
import json
import math
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import orjson
import psycopg
from taxii2client.v21 import Collection, as_pages

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
T0 = "2026-01-01T00:00:00.000Z"
E2E_ENVELOPE = 100
SERVER_ENVELOPE = 1000
PAGE = 1000
SAMPLES = 20
WARMUP = 2
MEDALLION_USER, MEDALLION_PASSWORD = "bench", "bench-password"
# Secondary indexes dropped, cumulatively, by --schema-variants: the producer index, then
# the page orders within a type and for clients. (object_keys has a primary key only.)
_SECONDARY = (
    "ix_channel_objects_channel_producer",
    "ix_channel_objects_type_order",
    "ix_channel_objects_clients_order",
)
SCHEMA_VARIANTS = (_SECONDARY[:1], _SECONDARY)


def log(message: str) -> None:
    """Progress on stderr, so that stdout holds only the results."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- objects


class Indicators:
    """Distinct STIX 2.1 indicators (distinct ids and patterns), like tests/stixgen.py."""

    def __init__(self) -> None:
        self.n = 0

    def make(self, count: int) -> list[dict[str, Any]]:
        out = []
        for _ in range(count):
            n = self.n
            self.n += 1
            out.append(
                {
                    "type": "indicator",
                    "spec_version": "2.1",
                    "id": f"indicator--{uuid.uuid4()}",
                    "created": T0,
                    "modified": T0,
                    "name": f"Bad address {n}",
                    "pattern": (
                        f"[ipv4-addr:value = '{n // 16777216 % 256}.{n // 65536 % 256}."
                        f"{n // 256 % 256}.{n % 256}']"
                    ),
                    "pattern_type": "stix",
                    "valid_from": T0,
                }
            )
        return out


def envelope_bytes(objs: list[dict[str, Any]]) -> bytes:
    return orjson.dumps({"objects": objs})


def taxii_now(delta: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A server subprocess in its own process group, stopped by :meth:`stop`."""

    def __init__(self, name: str, argv: list[str], log_path: Path, port: int) -> None:
        self.name, self.port, self.log_path = name, port, log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        RUNNING.append(self)

    def log_tail(self, lines: int = 15) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def wait_ready(self, path: str, authorization: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", path, headers={"Accept": TAXII, "Authorization": authorization})
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready after {timeout} s:\n{self.log_tail()}")

    def rss_mb(self) -> float:
        # Imported here, so that --help needs no bench extra.
        import psutil

        proc = psutil.Process(self.proc.pid)
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return total / 2**20

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._log.close()
        if self in RUNNING:
            RUNNING.remove(self)


RUNNING: list[Server] = []


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class Http:
    """One keep-alive HTTP/1.1 connection speaking TAXII 2.1."""

    def __init__(self, port: int, authorization: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.headers = {"Accept": TAXII, "Authorization": authorization}

    def get(self, path: str) -> tuple[int, http.client.HTTPResponse, bytes]:
        self.conn.request("GET", path, headers=self.headers)
        resp = self.conn.getresponse()
        return resp.status, resp, resp.read()

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        self.conn.request("POST", path, body=body, headers={**self.headers, "Content-Type": TAXII})
        resp = self.conn.getresponse()
        return resp.status, resp.read()

    def close(self) -> None:
        self.conn.close()


def bounded(fn: Callable[[], Any], timeout: float) -> tuple[float | None, Any]:
    """Run fn in a thread; return (seconds, result), or (None, None) after timeout."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    start = time.perf_counter()
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        return None, None
    elapsed = time.perf_counter() - start
    if "error" in box:
        raise box["error"]
    return elapsed, box["value"]


# --------------------------------------------------------------------------- taxii2-client


def client_ingest(coll: Collection, objs: list[dict[str, Any]]) -> tuple[float, list[Any]]:
    """Post objs in envelopes of E2E_ENVELOPE through taxii2-client; wait for each status."""
    statuses = []
    start = time.perf_counter()
    for i in range(0, len(objs), E2E_ENVELOPE):
        batch = objs[i : i + E2E_ENVELOPE]
        status = coll.add_objects({"objects": batch}, wait_for_completion=True, poll_interval=0.1)
        statuses.append(status)
    elapsed = time.perf_counter() - start
    for status in statuses:
        if status.status != "complete" or status.success_count != status.total_count:
            raise RuntimeError(f"envelope not fully accepted: {status._raw}")
    return elapsed, statuses


def client_read(coll: Collection, **filters: Any) -> dict[str, int]:
    """Read every page through taxii2-client's as_pages; count objects and pages."""
    count = pages = 0
    for envelope in as_pages(coll.get_objects, per_request=PAGE, **filters):
        count += len(envelope.get("objects", []))
        pages += 1
    return {"count": count, "pages": pages}


# --------------------------------------------------------------------------- medallion


def medallion_data(port: int, collection_id: str, objs: list[Any], stamps: list[str]) -> Any:
    """The memory backend's document, holding objs with their date_added (stamps)."""
    root = f"http://127.0.0.1:{port}/api1/"
    manifest = [
        {"id": o["id"], "date_added": s, "version": o["modified"], "media_type": STIX}
        for o, s in zip(objs, stamps, strict=True)
    ]
    return {
        "/discovery": {
            "title": "medallion bench",
            "description": "medallion 3.0.0 memory backend",
            "default": root,
            "api_roots": [root],
        },
        "api1": {
            "information": {
                "title": "bench api root",
                "versions": [TAXII],
                "max_content_length": 100 * 2**20,
            },
            "status": [],
            "collections": [
                {
                    "id": collection_id,
                    "title": "bench",
                    "can_read": True,
                    "can_write": True,
                    "media_types": [STIX],
                    "objects": objs,
                    "manifest": manifest,
                }
            ],
        },
    }


def start_medallion(tmp: Path, label: str, data: Any, port: int) -> Server:
    data_path = tmp / f"medallion-{label}-data.json"
    data_path.write_bytes(orjson.dumps(data))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(data_path),
        },
        "users": {MEDALLION_USER: MEDALLION_PASSWORD},
        "taxii": {"max_page_size": PAGE},
    }
    config_path = tmp / f"medallion-{label}.json"
    config_path.write_text(json.dumps(config))
    argv = [sys.executable, "-m", "medallion.scripts.run", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--log-level", "ERROR", str(config_path)]
    server = Server(f"medallion ({label})", argv, tmp / "medallion.log", port)
    server.wait_ready("/taxii2/", basic(MEDALLION_USER, MEDALLION_PASSWORD))
    return server


def run_medallion(tmp: Path, objs: list[dict[str, Any]], timeout: float) -> dict[str, Any]:
    collection_id = str(uuid.uuid4())
    result: dict[str, Any] = {"version": importlib.metadata.version("medallion")}

    def collection(port: int) -> Collection:
        url = f"http://127.0.0.1:{port}/api1/collections/{collection_id}/"
        return Collection(url, user=MEDALLION_USER, password=MEDALLION_PASSWORD)

    port = free_port()
    server = start_medallion(tmp, "empty", medallion_data(port, collection_id, [], []), port)
    try:
        log(f"medallion: ingesting {len(objs)} objects through taxii2-client")
        seconds, statuses = client_ingest(collection(port), objs)
    finally:
        server.stop()
    result["ingest"] = {"seconds": seconds, "objects_per_s": len(objs) / seconds}
    log(f"medallion: ingest {len(objs) / seconds:.0f} obj/s")
    stamps = [s.request_timestamp for s in statuses for _ in range(E2E_ENVELOPE)][: len(objs)]
    middle = statuses[len(statuses) // 2].request_timestamp
    reads = {
        "get_all": {},
        "get_filtered": {"type": "indicator", "added_after": middle},
    }
    for name, filters in reads.items():
        port = free_port()
        data = medallion_data(port, collection_id, objs, stamps)
        server = start_medallion(tmp, name, data, port)
        coll = collection(port)
        try:
            coll.refresh()  # collection information, outside the timed read
            log(f"medallion: {name} (bounded by {timeout:.0f} s)")
            seconds_or_none, read = bounded(lambda c=coll, f=filters: client_read(c, **f), timeout)
        finally:
            server.stop()  # also ends a request still running after a timeout
        result[name] = {
            "seconds": seconds_or_none,
            "timed_out": seconds_or_none is None,
            "timeout_s": timeout,
            **(read or {}),
        }
        if name == "get_filtered":
            result[name]["added_after"] = middle
        log(f"medallion: {name} {fmt_seconds(result[name])}")
    return result


# --------------------------------------------------------------------------- floor


def sqlite_floor(tmp: Path, objs: list[dict[str, Any]], runs: int = 3) -> dict[str, Any]:
    rows = [
        (o["id"], o["modified"], o["type"], orjson.dumps(o, option=orjson.OPT_SORT_KEYS).decode())
        for o in objs
    ]
    rates = []
    for run in range(runs):
        path = tmp / f"floor-{run}.db"
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE objects (id TEXT, modified TEXT, type TEXT, body TEXT)")
        conn.execute("CREATE UNIQUE INDEX objects_version ON objects (id, modified)")
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO objects VALUES (?, ?, ?, ?)", rows)
        conn.execute("COMMIT")
        rates.append(len(rows) / (time.perf_counter() - start))
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(f"{path}{suffix}")
    return {
        "rows_per_s": statistics.median(rates),
        "runs_rows_per_s": rates,
        "sqlite_version": sqlite3.sqlite_version,
    }


# --------------------------------------------------------------------------- passerelle


def schema_floor(
    tmp: Path,
    objs: list[dict[str, Any]],
    envelope: int,
    runs: int = 3,
    without: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Raw sqlite3 into passerelle's own tables: what its schema costs with no Python at all.

    A fresh database is made by passerelle's migrations (every table, index and foreign
    key a node has), with one organisation, user and channel. The rows a node writes
    for each new indicator (its version in ``objects``, its placement in
    ``channel_objects``, its correlation keys in ``object_keys``) are computed before the
    clock starts; then they go in with ``executemany``, one transaction per ``envelope``
    objects (as the server commits one per envelope), under the node's own pragmas
    (WAL, synchronous=NORMAL, foreign_keys=ON, 32 MiB cache). Median of ``runs`` files.
    ``without`` names indexes dropped first (``--schema-variants``: what dropping them
    would buy).
    """
    from passerelle.stix.timestamps import version_key

    object_rows, placement_rows = [], []
    for o in objs:
        version = version_key(o["modified"])
        body = orjson.dumps(o, option=orjson.OPT_SORT_KEYS).decode()
        object_rows.append((o["id"], version, o["type"], "2.1", False, 1, body, None, None, 0, ""))
        placement_rows.append((2, True, True, 1, 1, o["id"], version, o["type"], "2.1", 1))
    keys_of = correlation_keys(tmp / f"schema-floor-keys-{envelope}-{len(without)}.db", object_rows)
    key_rows = [[(row[0], row[1], key) for key in keys_of.get(row[:2], [])] for row in object_rows]
    rates = []
    for run in range(runs):
        path = tmp / f"schema-floor-{envelope}-{len(without)}-{run}.db"
        url = f"sqlite:///{path}"
        passerelle_cli(url, "init")
        passerelle_cli(url, "org", "add", "Floor")
        passerelle_cli(url, "user", "add", "Floor", "floor", "--role", "analyst")
        passerelle_cli(url, "channel", "add", "floor", "--member", "Floor:rw")
        conn = sqlite3.connect(path, isolation_level=None)
        for index in without:
            conn.execute(f"DROP INDEX {index}")
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("PRAGMA cache_size=-32768")
        start = time.perf_counter()
        for first in range(0, len(objs), envelope):
            last = first + envelope
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(INSERT_OBJECTS, object_rows[first:last])
            conn.executemany(
                "INSERT INTO channel_objects (tlp, tlp_defaulted, clients_see, "
                "producer_org_id, channel_id, stix_id, version, type, spec_version, "
                "date_added, added_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                f"{first + 1}, ?) ON CONFLICT DO NOTHING",
                placement_rows[first:last],
            )
            conn.executemany(
                "INSERT INTO object_keys (stix_id, version, key) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [row for rows in key_rows[first:last] for row in rows],
            )
            conn.execute("COMMIT")
        rates.append(len(objs) / (time.perf_counter() - start))
        conn.close()
    return {"objects_per_s": statistics.median(rates), "runs_objects_per_s": rates}


INSERT_OBJECTS = (
    "INSERT INTO objects (stix_id, version, type, spec_version, revoked, "
    "producer_org_id, body, tlp, pap, handling_codes, h3_text) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)


def correlation_keys(
    path: Path, object_rows: list[tuple[Any, ...]]
) -> dict[tuple[str, str], list[str]]:
    """The correlation keys a node indexes for each object version, (id, version) -> keys.

    Made by the node itself, before any clock starts: the versions go into a scratch
    database, which the correlation index's own ``reindex`` (what ``passerelle reindex``
    runs) then indexes.
    """
    from passerelle.correlation import reindex
    from passerelle.store.database import open_database

    url = f"sqlite:///{path}"
    passerelle_cli(url, "init")
    passerelle_cli(url, "org", "add", "Floor")
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.executemany(INSERT_OBJECTS, object_rows)
    database = open_database(url)
    try:
        reindex(database, phone_region="FR")
    finally:
        database.dispose()
    keys: dict[tuple[str, str], list[str]] = {}
    with contextlib.closing(sqlite3.connect(path)) as conn:
        for stix_id, version, key in conn.execute("SELECT stix_id, version, key FROM object_keys"):
            keys.setdefault((stix_id, version), []).append(key)
    return keys


def passerelle_cli(db_url: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "passerelle", "--db", db_url, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"passerelle {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.splitlines()[0].strip() if done.stdout else ""


@contextlib.contextmanager
def postgres_database(url: str) -> Iterator[str]:
    """Create the benchmark database (dropping a leftover one) and drop it afterwards."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_settings(url: str) -> dict[str, str]:
    names = ("server_version", "autovacuum", "jit", "shared_buffers", "synchronous_commit")
    with psycopg.connect(url) as conn:
        return {name: str(conn.execute(f"SHOW {name}").fetchall()[0][0]) for name in names}


def analyze(db_url: str) -> None:
    """ANALYZE the benchmark database (what autovacuum would do; --pg-analyze only)."""
    if db_url.startswith("postgresql"):
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("ANALYZE")


def page_path(collection_id: str, after: str, token: str | None) -> str:
    query = {"limit": str(PAGE), "match[type]": "indicator", "added_after": after}
    if token is not None:
        query["next"] = token
    return f"/taxii2/root/collections/{collection_id}/objects/?{urlencode(query)}"


def walk_pages(client: Http, collection_id: str, after: str) -> dict[str, Any]:
    """Read the filtered pages from first to last; keep each page's next token."""
    tokens: list[str | None] = []
    token: str | None = None
    count = 0
    start = time.perf_counter()
    while True:
        tokens.append(token)
        status, _, body = client.get(page_path(collection_id, after, token))
        if status != 200:
            raise RuntimeError(f"GET page: HTTP {status}: {body[:300]!r}")
        envelope = orjson.loads(body)
        count += len(envelope.get("objects", []))
        if not envelope.get("more"):
            break
        token = envelope["next"]
    return {"tokens": tokens, "count": count, "seconds": time.perf_counter() - start}


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def page_latencies(client: Http, collection_id: str, after: str) -> dict[str, Any]:
    walk = walk_pages(client, collection_id, after)
    tokens = walk["tokens"]
    positions = {"start": tokens[0], "middle": tokens[len(tokens) // 2], "end": tokens[-1]}
    out: dict[str, Any] = {
        "objects_matched": walk["count"],
        "pages": len(tokens),
        "walk_seconds": walk["seconds"],
    }
    for name, token in positions.items():
        path = page_path(collection_id, after, token)
        samples = []
        sizes = set()
        for i in range(WARMUP + SAMPLES):
            start = time.perf_counter()
            status, _, body = client.get(path)
            elapsed = time.perf_counter() - start
            if status != 200:
                raise RuntimeError(f"GET page: HTTP {status}: {body[:300]!r}")
            if i >= WARMUP:
                samples.append(elapsed * 1000)
                sizes.add(len(orjson.loads(body).get("objects", [])))
        out[name] = {
            "page_index": tokens.index(token),
            "objects_in_page": sorted(sizes),
            "median_ms": statistics.median(samples),
            "p95_ms": p95(samples),
        }
    return out


def post_envelopes(client: Http, collection_id: str, bodies: list[bytes]) -> float:
    """POST pre-serialised envelopes; return the seconds from first request to last response."""
    path = f"/taxii2/root/collections/{collection_id}/objects/"
    answers = []
    start = time.perf_counter()
    for body in bodies:
        answers.append(client.post(path, body))
    elapsed = time.perf_counter() - start
    for status, answer in answers:
        check_status(status, answer)
    return elapsed


def check_status(status: int, answer: bytes) -> None:
    if status != 202:
        raise RuntimeError(f"POST objects: HTTP {status}: {answer[:300]!r}")
    found = orjson.loads(answer)
    if found.get("failure_count") or found.get("success_count") != found.get("total_count"):
        raise RuntimeError(f"envelope not fully accepted: {answer[:500]!r}")


def fill(
    client: Http,
    collection_id: str,
    gen: Indicators,
    count: int,
    every_100k: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    """Add count objects in envelopes of SERVER_ENVELOPE; time only the POST round trips."""
    path = f"/taxii2/root/collections/{collection_id}/objects/"
    posting = 0.0
    wall = time.perf_counter()
    done = 0
    next_report = 100_000
    while done < count:
        body = envelope_bytes(gen.make(min(SERVER_ENVELOPE, count - done)))
        start = time.perf_counter()
        status, answer = client.post(path, body)
        posting += time.perf_counter() - start
        check_status(status, answer)
        done += min(SERVER_ENVELOPE, count - done)
        if done >= next_report:
            log(f"  filled {done}/{count} ({done / posting:.0f} obj/s)")
            every_100k()
            next_report += 100_000
    return {
        "objects": count,
        "post_seconds": posting,
        "wall_seconds": time.perf_counter() - wall,
        "objects_per_s": count / posting,
    }


def run_passerelle(
    backend: str,
    db_url: str,
    tmp: Path,
    e2e_objs: list[dict[str, Any]],
    server_objs: list[dict[str, Any]],
    gen: Indicators,
    million: int,
    workers: int,
    pg_analyze: bool,
) -> dict[str, Any]:
    result: dict[str, Any] = {"db": db_url, "analyze_between_phases": pg_analyze}

    def stats() -> None:
        if pg_analyze:
            analyze(db_url)

    passerelle_cli(db_url, "init")  # only init creates a database
    passerelle_cli(db_url, "org", "add", "Bench")
    token = passerelle_cli(db_url, "user", "add", "Bench", "bench")
    e2e_channel = passerelle_cli(db_url, "channel", "add", "e2e", "--member", "Bench:rw")
    scale_channel = passerelle_cli(db_url, "channel", "add", "scale", "--member", "Bench:rw")
    authorization = basic("bench", token)
    port = free_port()
    argv = [sys.executable, "-m", "passerelle", "--db", db_url, "serve"]
    argv += ["--host", "127.0.0.1", "--port", str(port)]
    if workers != 1:
        argv += ["--workers", str(workers)]
    server = Server(f"passerelle ({backend})", argv, tmp / f"passerelle-{backend}.log", port)
    try:
        server.wait_ready("/taxii2/", authorization)
        url = f"http://127.0.0.1:{port}/taxii2/root/collections/{e2e_channel}/"
        coll = Collection(url, user="bench", password=token)
        coll.refresh()

        log(f"passerelle {backend}: ingesting {len(e2e_objs)} objects through taxii2-client")
        seconds, statuses = client_ingest(coll, e2e_objs)
        stats()
        result["ingest"] = {"seconds": seconds, "objects_per_s": len(e2e_objs) / seconds}
        log(f"passerelle {backend}: ingest {len(e2e_objs) / seconds:.0f} obj/s")
        start = time.perf_counter()
        read = client_read(coll)
        result["get_all"] = {"seconds": time.perf_counter() - start, "timed_out": False, **read}
        log(f"passerelle {backend}: get_all {fmt_seconds(result['get_all'])}")
        middle = statuses[len(statuses) // 2].request_timestamp
        start = time.perf_counter()
        read = client_read(coll, type="indicator", added_after=middle)
        result["get_filtered"] = {
            "seconds": time.perf_counter() - start,
            "timed_out": False,
            "added_after": middle,
            **read,
        }
        log(f"passerelle {backend}: get_filtered {fmt_seconds(result['get_filtered'])}")

        client = Http(port, authorization)
        bodies = [
            envelope_bytes(server_objs[i : i + SERVER_ENVELOPE])
            for i in range(0, len(server_objs), SERVER_ENVELOPE)
        ]
        after = taxii_now(timedelta(milliseconds=-1))
        seconds = post_envelopes(client, scale_channel, bodies)
        result["server_ingest"] = {
            "objects": len(server_objs),
            "seconds": seconds,
            "objects_per_s": len(server_objs) / seconds,
        }
        log(f"passerelle {backend}: server-side ingest {len(server_objs) / seconds:.0f} obj/s")
        stats()
        result["pages_small"] = page_latencies(client, scale_channel, after)
        result["rss_small_mb"] = server.rss_mb()
        log(f"passerelle {backend}: pages at {len(server_objs)} done")

        if million > len(server_objs):
            log(f"passerelle {backend}: filling the channel to {million} objects")
            result["fill"] = fill(client, scale_channel, gen, million - len(server_objs), stats)
            log(f"passerelle {backend}: fill {result['fill']['objects_per_s']:.0f} obj/s")
            stats()
            result["pages_large"] = page_latencies(client, scale_channel, after)
            result["rss_large_mb"] = server.rss_mb()
            result["stored_large"] = million
            log(f"passerelle {backend}: pages at {million} done")
        client.close()
    except BaseException:
        log(f"passerelle {backend} log tail:\n{server.log_tail()}")
        raise
    finally:
        server.stop()
    return result


# --------------------------------------------------------------------------- report


def fmt_seconds(read: dict[str, Any]) -> str:
    if read.get("timed_out"):
        return f"> {read['timeout_s']:.0f} s (timed out)"
    return f"{read['seconds']:.2f} s ({read.get('count', '?')} obj)"


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}"


def machine() -> dict[str, Any]:
    model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    ram = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    return {
        "nproc": os.cpu_count(),
        "ram": ram,
        "cpu": model,
        "python": platform.python_version(),
        "date_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "loadavg_at_start": os.getloadavg(),
    }


def source_tree() -> dict[str, Any]:
    """The commit measured and the files under src/ that differ from it."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else "?"

    dirty = [line[3:] for line in git("status", "--porcelain", "--", "src").splitlines()]
    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty_src": dirty}


def speed_ratio(p_read: dict[str, Any], m_read: dict[str, Any]) -> str:
    if m_read.get("timed_out"):
        return f"> {m_read['timeout_s'] / p_read['seconds']:.0f}x"
    return f"{m_read['seconds'] / p_read['seconds']:.1f}x"


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    targets = []
    medallion = results.get("medallion")
    floor = results["floor"]["rows_per_s"]
    big, small = f"{results['million']:,}", f"{results['objects']:,}"
    for backend, res in results["passerelle"].items():
        if medallion:
            ratio = res["ingest"]["objects_per_s"] / medallion["ingest"]["objects_per_s"]
            targets.append(
                {
                    "target": "ingest through taxii2-client >= 20x medallion",
                    "backend": backend,
                    "value": f"{ratio:.1f}x",
                    "met": ratio >= 20,
                }
            )
        share = res["server_ingest"]["objects_per_s"] / floor
        targets.append(
            {
                "target": "server-side ingest (envelopes of 1000) >= 25% of raw SQLite floor",
                "backend": backend,
                "value": f"{100 * share:.1f}%",
                "met": share >= 0.25,
            }
        )
        if "pages_large" in res:
            ratios = {
                pos: res["pages_large"][pos]["median_ms"] / res["pages_small"][pos]["median_ms"]
                for pos in ("start", "middle", "end")
            }
            targets.append(
                {
                    "target": f"page latency at {big} <= 1.5x at {small} (median, each position)",
                    "backend": backend,
                    "value": ", ".join(f"{p} {r:.2f}x" for p, r in ratios.items()),
                    "met": max(ratios.values()) <= 1.5,
                }
            )
            rss = res["rss_large_mb"]
            targets.append(
                {
                    "target": f"server RSS < 300 MB with {big} objects stored",
                    "backend": backend,
                    "value": f"{rss:.0f} MB",
                    "met": rss < 300,
                }
            )
    return targets


def table(results: dict[str, Any]) -> str:
    backends = list(results["passerelle"])
    medallion = results.get("medallion")
    n = results["objects"]
    head = ["figure", "medallion 3.0.0 (memory)"] + [f"passerelle {b}" for b in backends]
    rows: list[list[str]] = []

    def row(label: str, med: str, per_backend: Callable[[dict[str, Any]], str]) -> None:
        cells = []
        for b in backends:
            try:
                cells.append(per_backend(results["passerelle"][b]))
            except KeyError:
                cells.append("-")
        rows.append([label, med, *cells])

    med = medallion or {}
    row(
        f"ingest via taxii2-client, {n:,} obj, envelopes of {E2E_ENVELOPE} (obj/s)",
        fmt_rate(med["ingest"]["objects_per_s"]) if med else "skipped",
        lambda r: fmt_rate(r["ingest"]["objects_per_s"]),
    )
    row(
        f"GET all, as_pages per_request={PAGE}",
        fmt_seconds(med["get_all"]) if med else "skipped",
        lambda r: fmt_seconds(r["get_all"]),
    )
    row(
        "GET match[type]=indicator + added_after (middle)",
        fmt_seconds(med["get_filtered"]) if med else "skipped",
        lambda r: fmt_seconds(r["get_filtered"]),
    )
    if med:
        row(
            "passerelle/medallion: ingest rate",
            "",
            lambda r: f"{r['ingest']['objects_per_s'] / med['ingest']['objects_per_s']:.1f}x",
        )
        row(
            "passerelle/medallion: GET all speed",
            "",
            lambda r: speed_ratio(r["get_all"], med["get_all"]),
        )
        row(
            "passerelle/medallion: filtered GET speed",
            "",
            lambda r: speed_ratio(r["get_filtered"], med["get_filtered"]),
        )
    floor = results["floor"]["rows_per_s"]
    rows.append(
        [f"raw sqlite3 floor, {n:,} rows, executemany, 1 txn, WAL (rows/s)", "", fmt_rate(floor)]
        + [""] * (len(backends) - 1)
    )
    for key, envelope in (("schema_floor", SERVER_ENVELOPE), ("schema_floor_small", E2E_ENVELOPE)):
        schema = results.get(key)
        if not schema:
            continue
        rate = schema["objects_per_s"]
        versus = f"{100 * rate / floor:.1f}% of the floor"
        if key == "schema_floor_small" and results.get("medallion"):
            versus = f"{rate / results['medallion']['ingest']['objects_per_s']:.1f}x medallion"
        rows.append(
            [
                f"passerelle's schema, raw sqlite3, envelopes of {envelope} (obj/s)",
                "",
                f"{fmt_rate(rate)} ({versus})",
            ]
            + [""] * (len(backends) - 1)
        )
        for variant in results.get("schema_variants", []) if key == "schema_floor" else []:
            rate = variant["objects_per_s"]
            rows.append(
                [
                    f"  the same without {', '.join(variant['without'])} (obj/s)",
                    "",
                    f"{fmt_rate(rate)} ({100 * rate / floor:.1f}% of the floor)",
                ]
                + [""] * (len(backends) - 1)
            )
    row(
        f"server-side ingest, http.client, envelopes of {SERVER_ENVELOPE} (obj/s)",
        "",
        lambda r: fmt_rate(r["server_ingest"]["objects_per_s"]),
    )
    row(
        "  as % of the raw SQLite floor",
        "",
        lambda r: f"{100 * r['server_ingest']['objects_per_s'] / floor:.1f}%",
    )
    big = f"{results['million']:,}"
    scaled = bool(results["million"])  # --million 0 skips the scale test
    sizes = [("pages_small", f"{n:,}")] + ([("pages_large", big)] if scaled else [])
    for size_key, label in sizes:
        if size_key == "pages_large":
            row(
                f"fill {n:,} -> {results['million']:,} via server, envelopes of 1000 (obj/s)",
                "",
                lambda r: (
                    fmt_rate(r["fill"]["objects_per_s"])
                    + f" ({r['fill']['wall_seconds']:.0f} s wall)"
                ),
            )
        row(
            f"filtered page walk at {label} stored (pages, s)",
            "",
            lambda r, k=size_key: f"{r[k]['pages']} pages, {r[k]['walk_seconds']:.1f} s",
        )
        for pos in ("start", "middle", "end"):
            row(
                f"page latency at {label} stored, {pos} (median / p95 ms)",
                "",
                lambda r, k=size_key, p=pos: (
                    f"{r[k][p]['median_ms']:.1f} / {r[k][p]['p95_ms']:.1f}"
                ),
            )
    for pos in ("start", "middle", "end") if scaled else ():
        row(
            f"page latency ratio {big} / {n:,}, {pos} (medians)",
            "",
            lambda r, p=pos: (
                f"{r['pages_large'][p]['median_ms'] / r['pages_small'][p]['median_ms']:.2f}x"
            ),
        )
    row(f"server RSS after {n:,} stored (MB)", "", lambda r: f"{r['rss_small_mb']:.0f}")
    if scaled:
        row(
            f"server RSS after {big} stored and pages served (MB)",
            "",
            lambda r: f"{r['rss_large_mb']:.0f}",
        )

    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += ["", "| target | backend | measured | met |", "|---|---|---|---|"]
    for t in results["targets"]:
        met = "met" if t["met"] else "NOT met"
        lines.append(f"| {t['target']} | {t['backend']} | {t['value']} | {met} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=10_000, help="objects per phase")
    parser.add_argument(
        "--million",
        "--scale",
        type=int,
        default=1_000_000,
        help="objects stored for the scale test (0 skips it)",
    )
    parser.add_argument("--skip-million", action="store_true", help="same as --million 0")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--million-backends", default=None, help="backends that get the scale test (default all)"
    )
    parser.add_argument("--skip-medallion", action="store_true")
    parser.add_argument("--medallion-timeout", type=float, default=60.0)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/passerelle_bench")
    parser.add_argument(
        "--pg-analyze",
        action="store_true",
        help="ANALYZE the PostgreSQL database after each ingest phase and every 100k of the fill",
    )
    parser.add_argument("--workers", type=int, default=1, help="passerelle serve --workers")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--schema-variants",
        action="store_true",
        help="also measure passerelle's schema with secondary indexes dropped",
    )
    args = parser.parse_args(argv)
    if args.skip_million:
        args.million = 0
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    for b in args.backends:
        if b not in ("sqlite", "postgresql"):
            parser.error(f"unknown backend {b!r}")
    args.million_backends = (
        args.backends
        if args.million_backends is None
        else [b.strip() for b in args.million_backends.split(",") if b.strip()]
    )
    if args.objects < 2 * E2E_ENVELOPE or args.objects % E2E_ENVELOPE:
        parser.error(f"--objects must be a multiple of {E2E_ENVELOPE}, at least 200")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="passerelle-bench-"))
    results: dict[str, Any] = {
        "benchmark": "bench/taxii_ingest.py",
        "command": " ".join([os.path.relpath(sys.executable), *sys.argv]),
        "machine": machine(),
        "objects": args.objects,
        "million": args.million,
        "versions": {
            p: importlib.metadata.version(p)
            for p in ("passerelle", "taxii2-client", "medallion", "uvicorn", "fastapi")
        },
        "source": source_tree(),
    }
    gen = Indicators()
    e2e_objs = gen.make(args.objects)
    server_objs = gen.make(args.objects)
    log(f"temporary directory {tmp}")
    try:
        if not args.skip_medallion:
            results["medallion"] = run_medallion(tmp, e2e_objs, args.medallion_timeout)
        results["floor"] = sqlite_floor(tmp, server_objs)
        log(f"raw sqlite3 floor {results['floor']['rows_per_s']:.0f} rows/s")
        results["schema_floor"] = schema_floor(tmp, server_objs, SERVER_ENVELOPE)
        results["schema_floor_small"] = schema_floor(tmp, server_objs, E2E_ENVELOPE)
        if args.schema_variants:
            results["schema_variants"] = [
                {
                    "without": list(without),
                    **schema_floor(tmp, server_objs, SERVER_ENVELOPE, without=without),
                }
                for without in SCHEMA_VARIANTS
            ]
            for variant in results["schema_variants"]:
                rate = variant["objects_per_s"]
                log(f"schema without {', '.join(variant['without'])}: {rate:.0f} obj/s")
        for key, size in (("schema_floor", SERVER_ENVELOPE), ("schema_floor_small", E2E_ENVELOPE)):
            rate = results[key]["objects_per_s"]
            log(f"passerelle's schema, raw sqlite3, envelopes of {size}: {rate:.0f} obj/s")
        results["passerelle"] = {}
        for backend in args.backends:
            million = args.million if backend in args.million_backends else 0
            fill_gen = Indicators()
            fill_gen.n = 1_000_000_000  # fill objects never share a pattern with the others
            if backend == "sqlite":
                db_dir = tmp / "sqlite"
                db_dir.mkdir()
                results["passerelle"][backend] = run_passerelle(
                    backend,
                    f"sqlite:///{db_dir / 'bench.db'}",
                    tmp,
                    e2e_objs,
                    server_objs,
                    fill_gen,
                    million,
                    args.workers,
                    False,
                )
                size = sum(f.stat().st_size for f in db_dir.iterdir())
                results["passerelle"][backend]["db_size_mb"] = size / 2**20
                shutil.rmtree(db_dir)
            else:
                with postgres_database(args.pg_url) as url:
                    pg = postgres_settings(url)
                    results["postgresql_settings"] = pg
                    if pg["autovacuum"] != "on" and not args.pg_analyze:
                        log("warning: autovacuum is off on this PostgreSQL server, so its tables")
                        log("  are never analyzed; --pg-analyze runs ANALYZE between phases")
                    results["passerelle"][backend] = run_passerelle(
                        backend,
                        url,
                        tmp,
                        e2e_objs,
                        server_objs,
                        fill_gen,
                        million,
                        args.workers,
                        args.pg_analyze,
                    )
        results["targets"] = evaluate(results)
        results["machine"]["loadavg_at_end"] = os.getloadavg()
    finally:
        for server in list(RUNNING):
            server.stop()
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    report = table(results)
    m = results["machine"]
    load = ", ".join(f"{x:.2f}" for x in m["loadavg_at_start"])
    print(f"TAXII ingest benchmark, {m['date_utc']}, {m['nproc']} CPUs ({m['cpu']}), {m['ram']}")
    print(f"load average at start: {load}")
    src = results["source"]
    print(f"source: commit {src['commit']}, uncommitted under src/: {src['dirty_src'] or 'none'}")
    if "postgresql_settings" in results:
        pg = results["postgresql_settings"]
        print(
            "PostgreSQL "
            + ", ".join(f"{k}={v}" for k, v in pg.items())
            + f"; ANALYZE between phases: {'yes' if args.pg_analyze else 'no'}"
        )
    print(report)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
