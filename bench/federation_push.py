"""Push between two loopback nodes: objects per second of one ``sync --once`` that sends
N indicators from node A to node B, for one or more source trees in the same run.

    PYTHONPATH=src .venv/bin/python bench/federation_push.py --objects 5000 \
        --tree . --tree /path/to/older/checkout --rounds 2

Each tree is run with its own ``src`` first on PYTHONPATH, under this interpreter, for
every process (the CLI that builds the nodes, B's ``passerelle serve``, A's ``sync``).
A and B are fresh SQLite databases in a scratch directory (B on PostgreSQL with ``--db``,
a scratch database created and dropped per run); B serves on a free port of 127.0.0.1.
A holds N TLP:GREEN indicators of atlas in channel ``ab``, pushed to B's ``ab``. What is
timed is the one sync process: wall time, and its CPU time and B's (from the kernel's
accounting, less sensitive to the load of other processes than wall time). The trees are
run in turn (``--rounds``), so a change of load touches each alike.
"""

from __future__ import annotations

import argparse
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

import orjson

T0 = "2026-01-01T00:00:00.000Z"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


def free_port() -> int:
    """Return a port of 127.0.0.1 free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def bundle(count: int, author: str) -> bytes:
    """A bundle of ``count`` distinct TLP:GREEN indicators by ``author``."""
    objs = [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--{uuid.uuid4()}",
            "created": T0,
            "modified": T0,
            "created_by_ref": author,
            "object_marking_refs": [GREEN],
            "name": f"Bad address {n}",
            "pattern": f"[ipv4-addr:value = '10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}']",
            "pattern_type": "stix",
            "valid_from": T0,
        }
        for n in range(count)
    ]
    return orjson.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objs})


class Run:
    """Two nodes of one source tree in a scratch directory."""

    def __init__(self, tree: Path, work: Path, b_db: str) -> None:
        self.work = work
        self.env = dict(os.environ, PYTHONPATH=str(tree / "src"))
        self.env["PASSERELLE_AUDIT_KEY_FILE"] = str(work / "audit-key")
        self.env.pop("PASSERELLE_URL", None)
        self.a = f"sqlite:///{work / 'a.db'}"
        self.b = b_db or f"sqlite:///{work / 'b.db'}"
        self.server: subprocess.Popen[bytes] | None = None

    def cli(self, db: str, *args: str) -> str:
        """Run a passerelle command on a node's database; return its output."""
        argv = [sys.executable, "-m", "passerelle", "--db", db, *args]
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"{' '.join(args)}: {done.stderr.strip()}")
        return done.stdout.strip()

    def build(self, objects: int, author: str) -> None:
        """Make both nodes, serve B, register B on A and fill A's channel."""
        for db in (self.a, self.b):
            self.cli(db, "init")
            for org in ("atlas", "boreal"):
                self.cli(db, "org", "add", org)
        token = self.cli(self.b, "user", "add", "atlas", "atlas-node", "--role", "node")
        remote = self.cli(self.b, "channel", "add", "ab", "--alias", "ab",
                          "--member", "atlas:rw", "--member", "boreal:rw")  # fmt: skip
        self.cli(self.a, "user", "add", "atlas", "anna", "--role", "liaison")
        self.cli(self.a, "channel", "add", "ab", "--alias", "ab",
                 "--member", "atlas:rw", "--member", "boreal:rw")  # fmt: skip
        (self.work / "token").write_text(token.split()[-1] + "\n")
        (self.work / "token").chmod(0o600)
        port = self.serve()
        self.cli(self.a, "peer", "add", "boreal", "--url", f"http://127.0.0.1:{port}/taxii2/root/",
                 "--org", "boreal", "--speaks-for", "atlas",
                 "--token-file", str(self.work / "token"))  # fmt: skip
        self.cli(self.a, "peer", "link", "boreal", "--channel", "ab",
                 "--remote-collection", remote.split()[-1], "--push")  # fmt: skip
        (self.work / "bundle.json").write_bytes(bundle(objects, author))
        self.cli(self.a, "import", str(self.work / "bundle.json"), "--channel", "ab",
                 "--user", "anna")  # fmt: skip

    def serve(self) -> int:
        """Start B's server; return its port once it answers."""
        port = free_port()
        argv = [sys.executable, "-m", "passerelle", "--db", self.b, "serve", "--port", str(port)]
        log = (self.work / "serve.log").open("wb")
        self.server = subprocess.Popen(argv, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise SystemExit(f"serve stopped: see {self.work / 'serve.log'}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return port
            except OSError:
                time.sleep(0.1)
        raise SystemExit("serve did not answer within 2 minutes")

    def server_cpu(self) -> float:
        """Return the CPU seconds B's server has used so far."""
        assert self.server is not None
        fields = Path(f"/proc/{self.server.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def sync(self) -> tuple[float, float, str]:
        """Run A's ``sync --once``; return its wall seconds, CPU seconds and summary."""
        argv = [sys.executable, "-m", "passerelle", "--db", self.a, "sync", "--once"]
        started = time.monotonic()
        process = subprocess.Popen(argv, env=self.env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)  # fmt: skip
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        out = (process.stdout.read() if process.stdout else b"").decode()
        err = (process.stderr.read() if process.stderr else b"").decode()
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"sync failed: {err.strip()}")
        return wall, usage.ru_utime + usage.ru_stime, (out + err).strip().splitlines()[-1]

    def stop(self) -> None:
        """Stop B's server."""
        if self.server is not None and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            self.server.wait(timeout=30)


def scratch_database(url: str, drop_only: bool = False) -> None:
    """Create (or only drop) the PostgreSQL database named by ``url``."""
    import sqlalchemy

    base, name = url.rsplit("/", 1)
    engine = sqlalchemy.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop_only:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()


def measure(tree: Path, objects: int, author: str, db: str) -> dict[str, float | str]:
    """Build two nodes of one tree, push ``objects`` from A to B; return the figures."""
    work = Path(tempfile.mkdtemp(prefix="passerelle-fedbench-"))
    if db:
        scratch_database(db)
    run = Run(tree, work, db)
    try:
        run.build(objects, author)
        b_before = run.server_cpu()
        wall, cpu, summary = run.sync()
        b_cpu = run.server_cpu() - b_before
    finally:
        run.stop()
        shutil.rmtree(work, ignore_errors=True)
        if db:
            scratch_database(db, drop_only=True)
    return {"wall": wall, "cpu": cpu, "b_cpu": b_cpu, "summary": summary}


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", type=Path, help="a source tree (repeat)")
    parser.add_argument("--objects", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--db", default="", help="a PostgreSQL URL for B (scratch database)")
    args = parser.parse_args()
    from passerelle.stix.organisations import organisation_identity_id

    author = organisation_identity_id("atlas")
    trees = args.tree or [Path(".")]
    print(f"load average before: {os.getloadavg()}", file=sys.stderr)
    print("| tree | round | wall s | objects/s | A sync CPU s | B serve CPU s | summary |")
    print("|---|---|---|---|---|---|---|")
    for round_ in range(args.rounds):
        for tree in trees:
            got = measure(tree.resolve(), args.objects, author, args.db)
            rate = args.objects / float(got["wall"])
            times = (f"{got[k]:.1f}" for k in ("cpu", "b_cpu"))
            cells = [f"{got['wall']:.1f}", f"{rate:,.0f}", *times]
            print(f"| {tree} | {round_ + 1} | {' | '.join(cells)} | {got['summary']} |", flush=True)
    print(f"load average after: {os.getloadavg()}", file=sys.stderr)


if __name__ == "__main__":
    main()
