"""Benchmark: TAXII page latency for a viewer who sees 1% of a channel vs one who sees all.

Run (from the repository, after ``make setup``)::

    .venv/bin/python bench/policy_filter.py [--objects 1000000] [--backends sqlite,postgresql]

One channel holds N indicators produced by ``producer``; ``member`` reads it. One in a
hundred is TLP:AMBER, the rest TLP:AMBER+STRICT. ``client`` is a declared client of
``member``, so it sees only the AMBER ones: 1% of what is stored. The script fills the
database directly (SQL, not HTTP: the fill is not what is measured), starts a real
``passerelle serve`` on a free loopback port, and times GET objects (limit=1000,
match[type]=indicator) at the start, middle and end of the channel for both viewers.
It prints medians and the ratio client/member (target: <= 2).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx2
import orjson
from sqlalchemy import create_engine, text

from passerelle.policy import directory
from passerelle.policy.directory import Membership
from passerelle.policy.roles import Role
from passerelle.stix.markings import TLP2_IDS, Tlp
from passerelle.stix.timestamps import now_micros
from passerelle.store import open_database
from passerelle.store.schema import channel_objects, objects

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ACCEPT = {"Accept": "application/taxii+json;version=2.1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def indicator(n: int, tlp: Tlp) -> dict[str, Any]:
    stamp = "2026-01-01T00:00:00.000Z"
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.UUID(int=n + 1, version=4)}",
        "created": stamp,
        "modified": stamp,
        "pattern": f"[ipv4-addr:value = '10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}']",
        "pattern_type": "stix",
        "valid_from": stamp,
        "object_marking_refs": [TLP2_IDS[tlp]],
    }


def fill(url: str, count: int) -> tuple[str, dict[str, str]]:
    database = open_database(url)
    database.migrate()
    tokens: dict[str, str] = {}
    with database.write() as conn:
        for name in ("producer", "member", "client"):
            directory.add_organisation(conn, name)
            tokens[name] = directory.add_user(conn, name, f"{name}-user", Role.LIAISON)
        directory.add_client(conn, "member", "client")
        channel = directory.add_channel(
            conn, "bulk", [Membership("producer", True, True), Membership("member", True, False)]
        )
        producer = directory.find_organisation(conn, "producer").id
        user_id = conn.execute(text("SELECT id FROM users WHERE username='producer-user'")).scalar()
    base = now_micros()
    started = time.perf_counter()
    batch = 20_000
    for start in range(0, count, batch):
        object_rows, placement_rows = [], []
        for n in range(start, min(start + batch, count)):
            tlp = Tlp.AMBER if n % 100 == 0 else Tlp.AMBER_STRICT
            obj = indicator(n, tlp)
            version = "2026-01-01T00:00:00.000000Z"
            object_rows.append(
                {
                    "stix_id": obj["id"], "version": version, "type": "indicator",
                    "spec_version": "2.1", "revoked": False, "producer_org_id": producer,
                    "body": orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode(),
                    "tlp": int(tlp), "pap": None, "handling_codes": 0, "h3_text": "",
                }
            )  # fmt: skip
            placement_rows.append(
                {
                    "channel_id": channel.id, "stix_id": obj["id"], "version": version,
                    "type": "indicator", "spec_version": "2.1", "date_added": base + n,
                    "added_by": user_id, "tlp": int(tlp), "tlp_defaulted": False,
                    "clients_see": tlp <= Tlp.AMBER,
                    "producer_org_id": producer,
                }
            )  # fmt: skip
        with database.write([channel.id]) as conn:
            conn.execute(objects.insert(), object_rows)
            conn.execute(channel_objects.insert(), placement_rows)
        print(f"  filled {min(start + batch, count):>9,} / {count:,}", end="\r", flush=True)
    elapsed = time.perf_counter() - started
    print(f"  filled {count:,} objects in {elapsed:.0f} s ({count / elapsed:,.0f}/s)        ")
    if database.backend == "postgresql":
        # Planner statistics, as autovacuum keeps them on a live PostgreSQL node (it is off
        # on this machine); committed, or they would roll back with the transaction. A
        # SQLite node has none unless someone runs ANALYZE, so none are made for it here.
        with database.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    database.dispose()
    return channel.collection_id, tokens


def start_server(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "passerelle", "--db", url, "serve", "--port", str(port)]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, env=os.environ.copy())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def page_times(client: httpx2.Client, collection: str, user: str, token: str) -> dict[str, float]:
    url = f"/taxii2/root/collections/{collection}/objects/"
    params: dict[str, str] = {"limit": "1000", "match[type]": "indicator"}
    cursors: list[str | None] = [None]
    body = client.get(url, params=params, headers=ACCEPT, auth=(user, token)).json()
    # Walk to the middle and the end once to learn their cursors.
    walked = [body.get("next")]
    while body.get("more") and len(walked) < 10_000:
        body = client.get(
            url, params={**params, "next": body["next"]}, headers=ACCEPT, auth=(user, token)
        ).json()
        walked.append(body.get("next"))
    tokens = [t for t in walked if t]
    if tokens:
        cursors += [tokens[len(tokens) // 2], tokens[-1]]
    results: dict[str, float] = {}
    for label, cursor in zip(("start", "middle", "end"), cursors, strict=False):
        timings = []
        for _ in range(15):
            query = {**params, **({"next": cursor} if cursor else {})}
            began = time.perf_counter()
            response = client.get(url, params=query, headers=ACCEPT, auth=(user, token))
            timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.text
        results[label] = statistics.median(timings)
    return results


def run(backend: str, count: int, workdir: Path) -> dict[str, dict[str, float]]:
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'policy.db'}"
    else:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS passerelle_policy_bench WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE passerelle_policy_bench"))
        url = "postgresql://postgres@127.0.0.1:5432/passerelle_policy_bench"
    print(f"{backend}: filling")
    collection, tokens = fill(url, count)
    process, base = start_server(url)
    try:
        with httpx2.Client(base_url=base, timeout=120) as client:
            return {
                who: page_times(client, collection, f"{who}-user", tokens[who])
                for who in ("member", "client")
            }
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    print(f"policy filter benchmark: {args.objects:,} objects, 1% visible to the client")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            figures = run(backend, args.objects, Path(tmp))
            print(f"\n{backend}: median ms per page (limit 1000, match[type]=indicator)")
            print(f"  {'where':<8}{'member (100%)':>16}{'client (1%)':>14}{'ratio':>8}")
            places = [w for w in figures["member"] if w in figures["client"]]
            for where in places:
                member, client = figures["member"][where], figures["client"][where]
                print(f"  {where:<8}{member:>16.1f}{client:>14.1f}{client / member:>8.2f}")
            worst = max(figures["client"][w] / figures["member"][w] for w in places)
            print(f"  worst ratio {worst:.2f} (target <= 2: {'met' if worst <= 2 else 'NOT met'})")


if __name__ == "__main__":
    main()
