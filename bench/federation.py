"""Federation benchmark (issue 13): replication between real nodes on loopback.

How to run it (from the repository root, in the project's venv)::

    PYTHONPATH=src .venv/bin/python bench/federation.py --json /tmp/federation.json

Options: ``--objects N`` (default 100000), ``--backends sqlite,postgresql`` (node B's
backends, in that order), ``--pg-url`` (default
``postgresql://postgres@127.0.0.1:5432/fedbench``: databases ``<name>_base``, ``_push`` and
``_pull`` are created and dropped by the script), ``--steady-seconds S`` (default 30),
``--rate R`` (objects/s of steady traffic, default 100), ``--revocations K`` (default 20),
``--interval`` (the background loop's ``PASSERELLE_SYNC_INTERVAL``, default ``1s``),
``--json PATH``, ``--keep`` (keep the temporary directory).

Every node is a ``passerelle serve`` subprocess bound to 127.0.0.1 on a free port, with its
own database and audit key; every one is stopped at the end, even on failure or Ctrl-C.

What is measured, in one run (times are wall-clock ``time.perf_counter``):

1. Single-node ingest, the baseline: the N indicators POSTed to node A (SQLite, no peer
   yet) over TAXII add-objects in envelopes of 2,000 (push's batch), one keep-alive
   connection, bodies serialised before the clock starts; and, for PostgreSQL, the same
   objects POSTed the same way to a fresh node on PostgreSQL.
2. Push: for each backend of B, a fresh node B serving; A registers it as a peer and links
   its channel to B's collection (``--push``: the N versions are queued), then
   ``passerelle sync --once --peer B`` runs on A (a subprocess: its start-up is included);
   objects/s = N / that time, and as a percentage of the single-node ingest of the same
   backend as B (the target: >= 60%).
3. Pull: for each backend, a fresh node B' whose peer is A (link ``--pull`` to A's
   collection), ``passerelle sync --once`` on B' while A serves: objects/s and percentage
   alike.
4. Latency: a fresh A (SQLite) serving with the background loop (``--interval``) and
   pushing to a fresh B (SQLite); a client POSTs ``--rate`` objects/s to A (one envelope
   every 100 ms) for ``--steady-seconds``; a poller reads B's collection every 50 ms
   (``added_after`` the last date_added). Latency = first seen on B - the 202 of the POST
   on A (the commit). p50 / p95 (nearest rank). Target p95 < 2 s.
5. Retraction: a fresh A pushing to 3 fresh peers (SQLite) with the loop; K objects sent
   and seen everywhere, then each revoked on A (a new version, ``revoked: true``), one every
   0.5 s; the time until each peer serves the revoked version. p50 / p95 over the K x 3.
   Target p95 < 2 s.
6. RSS: peak resident memory (``VmHWM``) of every server process, and of each ``sync``
   subprocess (``ru_maxrss``).

Targets are reported as met / not met, never asserted. The machine may be shared: the
header prints the load average at the start and the end.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson

TAXII = "application/taxii+json;version=2.1"
T0 = "2026-01-01T00:00:00.000Z"
ENVELOPE = 2000  # push's batch (federation.push.BATCH): the baseline posts what push sends


def log(message: str) -> None:
    """Progress on stderr, so that stdout holds only the results."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# TLP:GREEN, set by the producer: a version whose TLP a node defaulted never leaves it
# (docs/federation.md, "A TLP defaulted here").
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


def indicators(count: int, start: int = 0) -> list[dict[str, Any]]:
    """Distinct STIX 2.1 TLP:GREEN indicators (distinct ids and patterns)."""
    out = []
    for n in range(start, start + count):
        out.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{uuid.uuid4()}",
                "created": T0,
                "modified": T0,
                "name": f"Bad address {n}",
                "pattern": (
                    f"[ipv4-addr:value = '10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}']"
                ),
                "pattern_type": "stix",
                "valid_from": T0,
                "object_marking_refs": [GREEN],
            }
        )
    return out


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))]


# --------------------------------------------------------------------------- nodes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a live process (VmHWM), in MiB."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


RUNNING: list[Node] = []


@dataclass
class Node:
    """One node: its database, audit key, users' tokens, channels, and server process."""

    name: str
    url: str
    tmp: Path
    tokens: dict[str, str] = field(default_factory=dict)
    collections: dict[str, str] = field(default_factory=dict)
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PASSERELLE_AUDIT_KEY_FILE"] = str(self.tmp / f"{self.name}.audit-key")
        env.pop("PASSERELLE_SYNC_INTERVAL", None)
        return env

    @property
    def api_root(self) -> str:
        return f"http://127.0.0.1:{self.port}/taxii2/root/"

    def build(self, users: dict[str, tuple[str, str]], channels: dict[str, list[str]]) -> None:
        """Create the database, organisations, users (name: (org, role)) and channels."""
        from passerelle.audit.key import use_audit_key
        from passerelle.policy import directory
        from passerelle.policy.directory import Membership
        from passerelle.policy.roles import Role
        from passerelle.store.database import open_database

        database = open_database(self.url)
        database.migrate()
        use_audit_key(database, Path(self.env["PASSERELLE_AUDIT_KEY_FILE"]))
        with database.write() as conn:
            for org in sorted({org for org, _role in users.values()}):
                directory.add_organisation(conn, org)
            for username, (org, role) in users.items():
                self.tokens[username] = directory.add_user(conn, org, username, Role(role))
            for title, orgs in channels.items():
                members = [Membership(org, True, True) for org in orgs]
                made = directory.add_channel(conn, title, members, alias=title)
                self.collections[title] = made.collection_id
        database.dispose()

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "passerelle", "--db", self.url, *args],
            capture_output=True, text=True, check=False, env=self.env,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"{self.name}: passerelle {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def sync(self, peer: str) -> tuple[float, float, str]:
        """Run ``sync --once --peer`` on this node: seconds, peak RSS (MiB), its output."""
        argv = [sys.executable, "-m", "passerelle", "--db", self.url, "sync", "--once",
                "--peer", peer]  # fmt: skip
        started = time.perf_counter()
        proc = subprocess.Popen(argv, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)  # fmt: skip
        assert proc.stdout is not None
        output = proc.stdout.read().decode(errors="replace")
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError(f"{self.name}: sync failed: {output.strip()[-500:]}")
        return seconds, usage.ru_maxrss / 1024, output.strip().splitlines()[-1:][0]

    def serve(self, interval: str = "") -> None:
        self.port = free_port()
        env = self.env
        if interval:
            env["PASSERELLE_SYNC_INTERVAL"] = interval
        out = open(self.tmp / f"{self.name}.log", "ab")  # noqa: SIM115 - the child keeps it
        argv = [sys.executable, "-m", "passerelle", "--db", self.url, "serve", "--host",
                "127.0.0.1", "--port", str(self.port)]  # fmt: skip
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                     stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        out.close()
        RUNNING.append(self)
        token = next(iter(self.tokens.values()))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                status, _h, _b = Http(self.port, token).request("GET", "/taxii2/")
                if status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready:\n{self.log_tail()}")

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n".join((self.tmp / f"{self.name}.log").read_text().splitlines()[-15:])
        return ""

    def rss_mb(self) -> float:
        return peak_rss_mb(self.proc.pid) if self.proc else 0.0

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if self in RUNNING:
            RUNNING.remove(self)

    def add_peer(self, name: str, other: Node, org: str, speaks_for: str, token: str) -> None:
        token_file = self.tmp / f"{self.name}-{name}.token"
        token_file.write_text(token + "\n")
        token_file.chmod(0o600)
        self.cli("peer", "add", name, "--url", other.api_root, "--org", org, "--speaks-for",
                 speaks_for, "--token-file", str(token_file))  # fmt: skip


class Http:
    """One keep-alive connection to a node, as a user (Bearer token)."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Accept": TAXII, "Authorization": f"Bearer {token}"}

    def request(
        self, method: str, path: str, body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = TAXII
        self.conn.request(method, path, body=body, headers=headers)
        answer = self.conn.getresponse()
        data = answer.read()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, data

    def post(self, collection: str, objects: list[dict[str, Any]] | bytes) -> None:
        body = objects if isinstance(objects, bytes) else orjson.dumps({"objects": objects})
        status, _h, data = self.request("POST", f"/taxii2/root/collections/{collection}/objects/",
                                        body)  # fmt: skip
        if status != 202:
            raise RuntimeError(f"POST answered {status}: {data[:300]!r}")
        answer = orjson.loads(data)
        if answer.get("failure_count"):
            raise RuntimeError(f"POST refused objects: {str(answer.get('failures'))[:300]}")

    def close(self) -> None:
        self.conn.close()


def ingest_rate(node: Node, user: str, collection: str, objs: list[dict[str, Any]]) -> float:
    """POST the objects in envelopes of ENVELOPE; objects/s."""
    bodies = [orjson.dumps({"objects": objs[i : i + ENVELOPE]})
              for i in range(0, len(objs), ENVELOPE)]  # fmt: skip
    client = Http(node.port, node.tokens[user])
    started = time.perf_counter()
    for body in bodies:
        client.post(collection, body)
    seconds = time.perf_counter() - started
    client.close()
    return len(objs) / seconds


class Watcher(threading.Thread):
    """Poll a node's collection every 50 ms and note when each (id, modified) first shows."""

    def __init__(self, node: Node, user: str, collection: str) -> None:
        super().__init__(daemon=True)
        self.client = Http(node.port, node.tokens[user])
        self.path = f"/taxii2/root/collections/{collection}/objects/"
        self.seen: dict[tuple[str, str], float] = {}
        self.stop_event = threading.Event()
        self.after = ""

    def run(self) -> None:
        while not self.stop_event.is_set():
            query = "?limit=1000&match[version]=all" + (
                f"&added_after={self.after}" if self.after else ""
            )
            status, headers, data = self.client.request("GET", self.path + query)
            now = time.perf_counter()
            if status == 200:
                for obj in orjson.loads(data).get("objects", []):
                    self.seen.setdefault((obj["id"], obj["modified"]), now)
                self.after = headers.get("x-taxii-date-added-last", self.after)
                if orjson.loads(data).get("more"):
                    continue
            self.stop_event.wait(0.05)
        self.client.close()

    def wait_for(self, keys: list[tuple[str, str]], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(k in self.seen for k in keys):
                return True
            time.sleep(0.1)
        return False


# --------------------------------------------------------------------------- PostgreSQL


def pg_url(base: str, suffix: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path}_{suffix}"))


@contextlib.contextmanager
def pg_database(url: str) -> Iterator[str]:
    import psycopg

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


# --------------------------------------------------------------------------- phases

A_USERS = {"anna": ("atlas", "liaison"), "boreal-node": ("boreal", "node")}
B_USERS = {"bella": ("boreal", "liaison"), "atlas-node": ("atlas", "node")}
CHANNELS = {"ab": ["atlas", "boreal"]}


def node_url(tmp: Path, backend: str, name: str, pg: str) -> str:
    return f"sqlite:///{tmp / name}.db" if backend == "sqlite" else pg_url(pg, name)


def replication(args: argparse.Namespace, tmp: Path, results: dict[str, Any]) -> None:
    objs = indicators(args.objects)
    a = Node("a", f"sqlite:///{tmp / 'a.db'}", tmp)
    a.build(A_USERS, CHANNELS)
    a.serve()
    log(f"A: creating {args.objects} indicators (single-node ingest, SQLite)")
    base = {"sqlite": ingest_rate(a, "anna", a.collections["ab"], objs)}
    results["single_node_ingest"] = {"sqlite": base["sqlite"]}
    log(f"A: {base['sqlite']:.0f} objects/s")
    for backend in args.backends:
        with contextlib.ExitStack() as stack:
            if backend == "postgresql":
                for name in ("base", "push", "pull"):
                    stack.enter_context(pg_database(pg_url(args.pg_url, name)))
                ref = Node("base-pg", pg_url(args.pg_url, "base"), tmp)
                ref.build(A_USERS, CHANNELS)
                ref.serve()
                log(f"single-node ingest on PostgreSQL of the same {args.objects} objects")
                base[backend] = ingest_rate(ref, "anna", ref.collections["ab"], objs)
                results["single_node_ingest"][backend] = base[backend]
                results.setdefault("rss_mb", {})["base-pg"] = ref.rss_mb()
                ref.stop()
                log(f"PostgreSQL: {base[backend]:.0f} objects/s")
            b = Node(f"b-{backend}", node_url(tmp, backend, "push", args.pg_url), tmp)
            b.build(B_USERS, CHANNELS)
            b.serve()
            peer = f"b-{backend}"
            a.add_peer(peer, b, "boreal", "atlas", b.tokens["atlas-node"])
            a.cli("peer", "link", peer, "--channel", "ab", "--remote-collection",
                  b.collections["ab"], "--push")  # fmt: skip
            log(f"push A -> B ({backend})")
            seconds, sync_rss, line = a.sync(peer)
            rate = args.objects / seconds
            idle = a.sync(peer)[0]
            results.setdefault("push", {})[backend] = {
                "seconds": seconds, "objects_per_s": rate, "ratio": rate / base[backend],
                "sync_rss_mb": sync_rss, "b_rss_mb": b.rss_mb(), "summary": line,
                "idle_pass_seconds": idle,
            }  # fmt: skip
            log(f"push ({backend}): {rate:.0f} objects/s, {rate / base[backend]:.0%}: {line}")
            a.cli("peer", "remove", peer)
            b.stop()

            c = Node(f"bpull-{backend}", node_url(tmp, backend, "pull", args.pg_url), tmp)
            c.build(B_USERS, CHANNELS)
            c.add_peer("atlas", a, "atlas", "boreal", a.tokens["boreal-node"])
            c.cli("peer", "link", "atlas", "--channel", "ab", "--remote-collection",
                  a.collections["ab"], "--pull")  # fmt: skip
            log(f"pull B ({backend}) <- A")
            seconds, sync_rss, line = c.sync("atlas")
            rate = args.objects / seconds
            idle = c.sync("atlas")[0]
            results.setdefault("pull", {})[backend] = {
                "seconds": seconds, "objects_per_s": rate, "ratio": rate / base[backend],
                "sync_rss_mb": sync_rss, "summary": line, "idle_pass_seconds": idle,
            }  # fmt: skip
            log(f"pull ({backend}): {rate:.0f} objects/s, {rate / base[backend]:.0%}: {line}")
    results.setdefault("rss_mb", {})["a (replication)"] = a.rss_mb()
    a.stop()


def latency(args: argparse.Namespace, tmp: Path, results: dict[str, Any]) -> None:
    a = Node("lat-a", f"sqlite:///{tmp / 'lat-a.db'}", tmp)
    b = Node("lat-b", f"sqlite:///{tmp / 'lat-b.db'}", tmp)
    a.build(A_USERS, CHANNELS)
    b.build(B_USERS, CHANNELS)
    b.serve()
    a.add_peer("b", b, "boreal", "atlas", b.tokens["atlas-node"])
    a.cli("peer", "link", "b", "--channel", "ab", "--remote-collection", b.collections["ab"],
          "--push")  # fmt: skip
    a.serve(args.interval)
    watcher = Watcher(b, "bella", b.collections["ab"])
    watcher.start()
    client = Http(a.port, a.tokens["anna"])
    per_tick = max(1, args.rate // 10)
    ticks = int(args.steady_seconds * 10)
    committed: dict[tuple[str, str], float] = {}
    log(f"steady traffic: {per_tick * 10} objects/s for {args.steady_seconds} s")
    start = time.perf_counter()
    for tick in range(ticks):
        batch = indicators(per_tick, tick * per_tick)
        client.post(a.collections["ab"], batch)
        now = time.perf_counter()
        committed.update({(o["id"], o["modified"]): now for o in batch})
        pause = start + (tick + 1) * 0.1 - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
    sent_seconds = time.perf_counter() - start
    complete = watcher.wait_for(list(committed), 120)
    watcher.stop_event.set()
    delays = [watcher.seen[k] - t for k, t in committed.items() if k in watcher.seen]
    results["latency"] = {
        "objects": len(committed), "offered_per_s": len(committed) / sent_seconds,
        "seen": len(delays), "complete": complete, "interval": args.interval,
        "p50_s": percentile(delays, 0.5), "p95_s": percentile(delays, 0.95),
        "max_s": max(delays), "rss_mb": {"lat-a": a.rss_mb(), "lat-b": b.rss_mb()},
    }  # fmt: skip
    log(f"latency p50 {results['latency']['p50_s']:.2f} s, p95 {results['latency']['p95_s']:.2f} s")
    client.close()
    a.stop()
    b.stop()


def retraction(args: argparse.Namespace, tmp: Path, results: dict[str, Any]) -> None:
    a = Node("ret-a", f"sqlite:///{tmp / 'ret-a.db'}", tmp)
    a.build(A_USERS, CHANNELS)
    peers = [Node(f"ret-p{i}", f"sqlite:///{tmp / f'ret-p{i}.db'}", tmp) for i in range(3)]
    for peer in peers:
        peer.build(B_USERS, CHANNELS)
        peer.serve()
        a.add_peer(peer.name, peer, "boreal", "atlas", peer.tokens["atlas-node"])
        a.cli("peer", "link", peer.name, "--channel", "ab", "--remote-collection",
              peer.collections["ab"], "--push")  # fmt: skip
    a.serve(args.interval)
    watchers = [Watcher(p, "bella", p.collections["ab"]) for p in peers]
    for watcher in watchers:
        watcher.start()
    client = Http(a.port, a.tokens["anna"])
    objs = indicators(args.revocations, 900_000)
    client.post(a.collections["ab"], objs)
    keys = [(o["id"], o["modified"]) for o in objs]
    if not all(w.wait_for(keys, 120) for w in watchers):
        raise RuntimeError("the objects to revoke did not reach every peer")
    log(f"revoking {len(objs)} objects, one every 0.5 s, on A (3 peers)")
    revoked: dict[tuple[str, str], float] = {}
    for n, obj in enumerate(objs):
        version = f"2026-01-01T00:00:{n + 1:02d}.000Z"
        client.post(a.collections["ab"], [obj | {"modified": version, "revoked": True}])
        revoked[(obj["id"], version)] = time.perf_counter()
        time.sleep(0.5)
    complete = all(w.wait_for(list(revoked), 120) for w in watchers)
    delays = [w.seen[k] - t for w in watchers for k, t in revoked.items() if k in w.seen]
    for watcher in watchers:
        watcher.stop_event.set()
    results["retraction"] = {
        "revocations": len(revoked), "peers": len(peers), "seen": len(delays),
        "complete": complete, "interval": args.interval,
        "p50_s": percentile(delays, 0.5), "p95_s": percentile(delays, 0.95),
        "max_s": max(delays),
        "rss_mb": {"ret-a": a.rss_mb(), **{p.name: p.rss_mb() for p in peers}},
    }  # fmt: skip
    log(f"retraction p50 {results['retraction']['p50_s']:.2f} s, "
        f"p95 {results['retraction']['p95_s']:.2f} s")  # fmt: skip
    client.close()
    a.stop()
    for peer in peers:
        peer.stop()


# --------------------------------------------------------------------------- report


def report(results: dict[str, Any]) -> str:
    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    lines = [f"objects: {results['objects']}, load average {results['load_start']} -> "
             f"{results['load_end']}", ""]  # fmt: skip
    base = results.get("single_node_ingest", {})
    for backend, rate in base.items():
        lines.append(f"single-node ingest ({backend}): {rate:.0f} objects/s")
    for way in ("push", "pull"):
        for backend, row in results.get(way, {}).items():
            lines.append(
                f"{way} ({backend} B): {row['objects_per_s']:.0f} objects/s = "
                f"{row['ratio']:.0%} of single-node ingest (target >= 60%: "
                f"{met(row['ratio'] >= 0.6)}); {row['seconds']:.1f} s, of which a pass with "
                f"nothing to do takes {row['idle_pass_seconds']:.1f} s (start-up); sync peak RSS "
                f"{row['sync_rss_mb']:.0f} MiB"
            )
    for name in ("latency", "retraction"):
        row = results.get(name)
        if row:
            lines.append(
                f"{name}: p50 {row['p50_s']:.2f} s, p95 {row['p95_s']:.2f} s, max "
                f"{row['max_s']:.2f} s over {row['seen']} (target p95 < 2 s: "
                f"{met(row['p95_s'] < 2 and row['complete'])})"
            )
    rss = dict(results.get("rss_mb", {}))
    for name in ("latency", "retraction"):
        rss.update(results.get(name, {}).get("rss_mb", {}))
    for backend, row in results.get("push", {}).items():
        rss[f"b-{backend} (push)"] = row["b_rss_mb"]
    lines.append("peak RSS (MiB): " + ", ".join(f"{k} {v:.0f}" for k, v in rss.items()))
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/fedbench")
    parser.add_argument("--steady-seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--revocations", type=int, default=20)
    parser.add_argument("--interval", default="1s")
    parser.add_argument("--skip", default="", help="phases to skip: replication,latency,retraction")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    args.backends = [b for b in args.backends.split(",") if b]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="fedbench-"))
    results: dict[str, Any] = {"objects": args.objects, "load_start": os.getloadavg()[0]}
    skip = set(args.skip.split(","))
    try:
        if "replication" not in skip:
            replication(args, tmp, results)
        if "latency" not in skip:
            latency(args, tmp, results)
        if "retraction" not in skip:
            retraction(args, tmp, results)
    finally:
        for node in list(RUNNING):
            node.stop()
        results["load_end"] = os.getloadavg()[0]
        if not args.keep:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"kept {tmp}")
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
