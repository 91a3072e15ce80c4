"""Instructions a node spends per object ingested and per page read, counted by Valgrind.

Wall-clock and CPU-time figures of `bench/taxii_ingest.py` need a quiet machine: on a busy
one, two runs of the same code differ by 25%. This benchmark counts the instructions the
serving process executes instead (Valgrind's callgrind, instrumentation switched on only
around the measured requests), which the machine's load changes little, so two source
trees can be compared to a few per cent anywhere:

    .venv/bin/python bench/ingest_instructions.py --tree . --tree /path/to/older/checkout

Each tree is run with its own ``src`` first on PYTHONPATH, under this interpreter. A run
makes a SQLite node (with ``--db``, a PostgreSQL one in a scratch database), starts
``passerelle serve`` under callgrind, posts warm-up envelopes, then counts the
instructions of ``--envelopes`` times 1,000 new indicators posted by TAXII in envelopes of
``--size`` (1,000; 100 is what taxii2-client sends in bench/taxii_ingest.py), each followed
by a GET of its status, and of reading
them back by pages of 1,000. Valgrind runs Python about 50 times slower: the default
sizes take two to four minutes per tree. Needs the ``valgrind`` package.

The load does leak in one way: an idle server still runs (uvicorn's loop wakes ten times a
second), so a measure that takes longer on a busier machine counts more. Each run also
counts ten idle seconds and takes that rate, times each measure's seconds, off it (the
"idle time taken off" columns); ``--rounds`` runs the trees in turn several times.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson

ENVELOPE = 1000
IDLE_SECONDS = 10
T0 = "2026-01-01T00:00:00.000Z"
MEDIA = "application/taxii+json;version=2.1"


def indicators(start: int, count: int) -> bytes:
    """An envelope of distinct indicators, numbered from ``start``."""
    objs = [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--{uuid.uuid4()}",
            "created": T0,
            "modified": T0,
            "name": f"Bad address {n}",
            "pattern": f"[ipv4-addr:value = '10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}']",
            "pattern_type": "stix",
            "valid_from": T0,
        }
        for n in range(start, start + count)
    ]
    return orjson.dumps({"objects": objs})


class Node:
    """A node of one source tree (SQLite, or the scratch PostgreSQL database ``db``),
    served under callgrind."""

    def __init__(self, tree: Path, work: Path, db: str = "") -> None:
        self.work = work
        self.env = dict(os.environ, PYTHONPATH=str(tree / "src"))
        self.env["PASSERELLE_AUDIT_KEY_FILE"] = str(work / "audit-key")
        self.db = db or f"sqlite:///{work / 'node.db'}"
        self.cli("init")
        self.cli("org", "add", "Bench")
        token = self.cli("user", "add", "Bench", "bench")
        self.channel = self.cli("channel", "add", "bench", "--member", "Bench:rw")
        self.headers = {
            "Authorization": "Basic " + base64.b64encode(f"bench:{token}".encode()).decode(),
            "Accept": MEDIA,
            "Content-Type": MEDIA,
        }
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]
        argv += [f"--callgrind-out-file={work / 'callgrind.out'}", sys.executable]
        argv += ["-m", "passerelle", "--db", self.db, "serve", "--port", str(self.port)]
        log = (work / "serve.log").open("wb")
        self.process = subprocess.Popen(
            argv, env=self.env, stdout=log, stderr=log, start_new_session=True
        )
        self.http = self._connect()

    def cli(self, *args: str) -> str:
        """Run a passerelle command on this node's database; return its output."""
        argv = [sys.executable, "-m", "passerelle", "--db", self.db, *args]
        done = subprocess.run(argv, env=self.env, check=True, capture_output=True, text=True)
        return done.stdout.strip()

    def _connect(self) -> http.client.HTTPConnection:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"serve stopped: see {self.work / 'serve.log'}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
                conn.request("GET", "/taxii2/", headers=self.headers)
                conn.getresponse().read()
                return conn
            except OSError:
                time.sleep(0.5)
        raise SystemExit("serve did not answer within 10 minutes")

    def request(self, method: str, path: str, body: bytes | None = None) -> Any:
        """Send one TAXII request; return its JSON answer."""
        self.http.request(method, path, body=body, headers=self.headers)
        answer = self.http.getresponse()
        data = answer.read()
        if answer.status >= 300:
            raise SystemExit(f"{method} {path}: HTTP {answer.status}: {data[:300]!r}")
        return orjson.loads(data)

    def post(self, body: bytes) -> None:
        """Add one envelope, then read its status; every object must be accepted."""
        status = self.request("POST", f"/taxii2/root/collections/{self.channel}/objects/", body)
        if status.get("failure_count"):
            raise SystemExit(f"objects refused: {status}")
        self.request("GET", f"/taxii2/root/status/{status['id']}/")

    def read_all(self) -> int:
        """Read the channel by pages of 1,000; return how many pages."""
        pages, after = 0, ""
        while True:
            query = f"?limit={ENVELOPE}" + (f"&next={after}" if after else "")
            page = self.request("GET", f"/taxii2/root/collections/{self.channel}/objects/{query}")
            pages += 1
            after = page.get("next", "")
            if not page.get("more"):
                return pages

    def counted(self, action: Any) -> tuple[Any, int, float]:
        """Run ``action`` with instrumentation on; return its result, the instructions and
        the seconds it took. On PostgreSQL, also note in ``self.server_work`` what the
        database server did meanwhile (see :class:`ServerWork`)."""
        server = ServerWork.of(self.db)
        pid = str(self.process.pid)
        for old in self.work.glob("callgrind.out*"):
            old.unlink()
        subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
        subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
        start = time.monotonic()
        result = action()
        seconds = time.monotonic() - start
        subprocess.run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)
        subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)
        self.server_work = server.since() if server else {}
        return result, max(_totals(path) for path in self.work.glob("callgrind.out*")), seconds

    def stop(self) -> None:
        """Stop the server and Valgrind."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


class ServerWork:
    """What the PostgreSQL server spent for one database: the CPU seconds of the backends
    connected to it (from ``/proc``; the node's pool keeps its connections, so they live
    through a measure) and the counters of ``pg_stat_database`` (blocks read from shared
    buffers, rows returned, fetched and inserted, transactions), which load changes little."""

    COUNTERS = ("xact_commit", "blks_hit", "tup_returned", "tup_fetched", "tup_inserted")

    def __init__(self, conn: Any, name: str) -> None:
        self.conn, self.name = conn, name
        self.before = self._sample()

    @classmethod
    def of(cls, url: str) -> ServerWork | None:
        """Start counting for the database ``url`` names (None for SQLite)."""
        if not url.startswith("postgresql"):
            return None
        import psycopg

        name = url.rsplit("/", 1)[1]
        conn = psycopg.connect(url.replace(name, "postgres").split("+")[0], autocommit=True)
        return cls(conn, name)

    def _sample(self) -> dict[str, float]:
        # Statistics reach pg_stat_database at most once a second: let them settle.
        time.sleep(1.5)
        self.conn.execute("SELECT pg_stat_clear_snapshot()")
        found = self.conn.execute(
            f"SELECT {', '.join(self.COUNTERS)} FROM pg_stat_database WHERE datname = %s",
            (self.name,),
        ).fetchone()
        values = found or (0,) * len(self.COUNTERS)
        sample = dict(zip(self.COUNTERS, map(float, values), strict=True))
        pids = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.name,)
        ).fetchall()
        ticks = os.sysconf("SC_CLK_TCK")
        for (pid,) in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            sample[f"pid{pid}"] = (int(fields[11]) + int(fields[12])) / ticks
        return sample

    def since(self) -> dict[str, float]:
        """What the server did since this was made (CPU of backends alive at both ends)."""
        after = self._sample()
        self.conn.close()
        done = {key: after[key] - self.before[key] for key in self.COUNTERS}
        # A backend that started meanwhile spent all its CPU within the measure.
        done["cpu"] = sum(
            after[key] - self.before.get(key, 0.0) for key in after if key.startswith("pid")
        )
        return done


def _totals(path: Path) -> int:
    """The instructions a dump counts (its ``summary:`` line may say 0; ``totals:`` holds)."""
    found = [
        int(line.split()[1])
        for line in path.read_text().splitlines()
        if line.startswith(("summary:", "totals:"))
    ]
    return max(found, default=0)


def scratch_database(url: str, drop_only: bool = False) -> None:
    """(Re)create the PostgreSQL database a URL names, empty; or only drop it."""
    from sqlalchemy import create_engine, make_url, text

    target = make_url(url)
    if target.drivername == "postgresql":
        target = target.set(drivername="postgresql+psycopg")
    name = target.database
    if not name or not name.replace("_", "").isalnum():
        raise SystemExit(f"--db must name a scratch database (letters, digits, _): {url}")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not drop_only:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def measure(
    tree: Path, warm: int, envelopes: int, db: str = "", size: int = ENVELOPE
) -> dict[str, float]:
    """Instructions per object ingested (in envelopes of ``size``, each followed by a read
    of its status, as taxii2-client does) and per page read, for one source tree."""
    work = Path(tempfile.mkdtemp(prefix="passerelle-instr-"))
    if db:
        scratch_database(db)
    node = Node(tree, work, db)
    try:
        for n in range(warm):
            node.post(indicators(n * ENVELOPE, ENVELOPE))
        count = envelopes * ENVELOPE // size
        bodies = [indicators((warm * ENVELOPE) + n * size, size) for n in range(count)]
        _none, ingest, ingest_seconds = node.counted(lambda: [node.post(body) for body in bodies])
        ingest_server = node.server_work
        pages, read, read_seconds = node.counted(node.read_all)
        read_server = node.server_work
        _none, idle, idle_seconds = node.counted(lambda: time.sleep(IDLE_SECONDS))
    finally:
        node.stop()
        if db:
            scratch_database(db, drop_only=True)
    shutil.rmtree(work, ignore_errors=True)
    # An idle server still runs (uvicorn's loop wakes ten times a second): what it spends
    # per second idle, times the seconds a measure took, is taken off that measure.
    idle_rate = idle / idle_seconds
    objects = envelopes * ENVELOPE
    server = {f"pg_{key}_per_object": value / objects for key, value in ingest_server.items()}
    server |= {f"pg_{key}_per_page": value / pages for key, value in read_server.items()}
    return server | {
        "instructions_per_object": ingest / (envelopes * ENVELOPE),
        "instructions_per_page": read / pages,
        "busy_per_object": (ingest - idle_rate * ingest_seconds) / (envelopes * ENVELOPE),
        "busy_per_page": (read - idle_rate * read_seconds) / pages,
        "idle_per_second": idle_rate,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", action="append", type=Path, help="a source tree (repeat)")
    parser.add_argument("--warm", type=int, default=5, help="warm-up envelopes (not counted)")
    parser.add_argument("--envelopes", type=int, default=3, help="envelopes counted")
    parser.add_argument("--rounds", type=int, default=1, help="run the trees this many times")
    parser.add_argument(
        "--size",
        type=int,
        default=ENVELOPE,
        help="objects per envelope ingested (1000; taxii2-client's ingest in "
        "bench/taxii_ingest.py sends 100)",
    )
    parser.add_argument(
        "--db",
        default="",
        help="a PostgreSQL URL whose database is created afresh for each tree and dropped "
        "after (e.g. postgresql://postgres@127.0.0.1:5432/passerelle_instr); default: "
        "a SQLite file. Only the serving process is counted, not the PostgreSQL server",
    )
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    trees = args.tree or [Path(".")]
    results = []
    for round_ in range(args.rounds):
        for tree in trees:
            print(f"[{time.strftime('%H:%M:%S')}] {tree}", file=sys.stderr, flush=True)
            got = measure(tree.resolve(), args.warm, args.envelopes, args.db, args.size)
            results.append((f"{tree} (round {round_ + 1})", got))
    base = sum(got["busy_per_object"] for _t, got in results[len(trees) - 1 :: len(trees)])
    base /= args.rounds
    print(
        "| tree | instructions per object ingested | the same, idle time taken off "
        "(the last tree's mean / this) | per page of 1,000 read | idle off | idle per second |"
    )
    print("|---|---|---|---|---|---|")
    for tree, got in results:
        ratio = base / got["busy_per_object"]
        print(
            f"| {tree} | {got['instructions_per_object']:,.0f} | "
            f"{got['busy_per_object']:,.0f} ({ratio:.3f}) | "
            f"{got['instructions_per_page']:,.0f} | {got['busy_per_page']:,.0f} | "
            f"{got['idle_per_second']:,.0f} |"
        )
    if args.db:
        print()
        print(
            "PostgreSQL server, per object ingested: backend CPU (µs), transactions, "
            "buffer hits, rows returned/fetched/inserted; per page read: CPU (µs), buffer hits"
        )
        print("| tree | CPU | xacts | hits | returned | fetched | inserted | page CPU | hits |")
        print("|---|---|---|---|---|---|---|---|---|")
        for tree, got in results:
            per_object = [got[f"pg_{key}_per_object"] for key in ServerWork.COUNTERS]
            cells = [f"{got['pg_cpu_per_object'] * 1e6:,.1f}", f"{per_object[0]:.3f}"]
            cells += [f"{value:.1f}" for value in per_object[1:]]
            cells += [f"{got['pg_cpu_per_page'] * 1e6:,.0f}", f"{got['pg_blks_hit_per_page']:,.0f}"]
            print(f"| {tree} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
