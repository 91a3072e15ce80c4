"""kill -9 of either side in the middle of a push of 20,000 objects (B on PostgreSQL;
5,000 with B on SQLite): A's ``sync`` process killed, then B's server killed, each while
envelopes are in flight; after restarts and a last sync, every version A's ledger says B
accepted is on B whole (its body equal to A's), none twice, and the ledger and B agree:
every version is there, accepted once, and B holds nothing the ledger does not name.

Then the other way, B's collection pulled by A: B's server killed, then A's ``sync``
killed in the middle of a page; every version A holds is one of B's, whole and once, and
the pass after the restart resumes from A's cursor (at most the page stored before its
cursor was saved comes again, found known) and brings A every version."""

from __future__ import annotations

import functools
import os
import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import func, select

from passerelle.federation.pull import PAGE_SIZE
from passerelle.objects.ingest import ingest
from passerelle.policy.directory import viewer_by_name
from passerelle.stix.markings import TLP2_IDS, Tlp
from passerelle.stix.organisations import organisation_identity_id
from passerelle.store.database import Database
from passerelle.store.federation_tables import (
    federation_ledger,
    federation_outbox,
    peer_cursors,
    peers,
)
from passerelle.store.schema import channel_objects, objects
from tests.federation.conftest import Topology
from tests.federation.support import NodeDb
from tests.live_server import passerelle_command, run_cli
from tests.stixgen import indicator
from tests.world import NODE_HOOKS

# How many objects are pushed: the 20,000, on both backends (with batches of
# 2,000 a run of 5,000 could end before B was killed).
N_BIG = 20_000
# How many objects are pulled when the puller is killed: the 20,000 too (with
# 5,000 on a quiet machine the pull could end before the kill).
N_PULL = 20_000
_CHUNK = 2_000
_WAIT = 240.0
Sync = subprocess.Popen[bytes]


def _fill(node: NodeDb, user: str, org: str, count: int) -> list[dict[str, Any]]:
    """Store ``count`` TLP:GREEN indicators of ``org`` in a node's channel ab, as ``user``."""
    green, author = [TLP2_IDS[Tlp.GREEN]], organisation_identity_id(org)
    made = [indicator(i, created_by_ref=author, object_marking_refs=green) for i in range(count)]
    with node.database.read() as conn:
        writer = viewer_by_name(conn, user)
    for start in range(0, count, _CHUNK):
        done = ingest(node.database, NODE_HOOKS, writer, node.channels["ab"],
                      made[start : start + _CHUNK])  # fmt: skip
        assert not done.failures
    return made


def _keys(made: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(o["id"], o["modified"].replace(".000Z", ".000000Z")) for o in made}


def _accepted(database: Database) -> Counter[tuple[str, str]]:
    """Each version A's ledger records accepted, with how many rows say so."""
    with database.read() as conn:
        rows = conn.execute(
            select(federation_ledger.c.stix_id, federation_ledger.c.version).where(
                federation_ledger.c.result == "accepted"
            )
        )
        return Counter((r.stix_id, r.version) for r in rows)


def _accepted_count(database: Database) -> int:
    with database.read() as conn:
        found = conn.execute(
            select(func.count()).where(federation_ledger.c.result == "accepted")
        ).scalar_one()
    return int(found)


def _sync_until(topology: Topology, reached: Callable[[], int], at_least: int) -> Sync:
    """Start ``sync --once`` on A in a process; return it once ``reached()`` (what B
    accepted, or what A pulled) is ``at_least``."""
    process = subprocess.Popen(
        [*passerelle_command(), "--db", topology.a.url, "sync", "--once", "--timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + _WAIT
    while reached() < at_least:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the sync did not get that far in time"
        time.sleep(0.1)
    return process


def _killed(process: Sync) -> None:
    """kill -9 a sync process and reap it."""
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=10)


def _failed_on_peer_death(process: Sync) -> None:
    """The sync whose peer died ends by itself, with a one-line error."""
    _out, err = process.communicate(timeout=_WAIT)
    assert process.returncode == 1  # the peer gone: a one-line error, not a hang
    said = err.decode().strip().splitlines()
    assert said[-1].startswith("Error: peer 'boreal': ")
    assert "Traceback" not in "\n".join(said)


def _restart_b(topology: Topology) -> None:
    topology.b_server.start()
    with topology.a.database.write() as conn:  # B is back on another port
        conn.execute(peers.update().values(url=topology.b_server.api_root_url))


def _bodies(database: Database, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    with database.read() as conn:
        rows = conn.execute(select(objects.c.stix_id, objects.c.version, objects.c.body))
        return {
            (r.stix_id, r.version): orjson.loads(r.body)
            for r in rows
            if (r.stix_id, r.version) in keys
        }


def _placements(node: NodeDb) -> Counter[tuple[str, str]]:
    """Each version placed in a node's channel ab, with how many times."""
    with node.database.read() as conn:
        rows = conn.execute(
            select(channel_objects.c.stix_id, channel_objects.c.version).where(
                channel_objects.c.channel_id == node.channels["ab"].id
            )
        )
        return Counter((r.stix_id, r.version) for r in rows)


def _check_b(topology: Topology) -> set[tuple[str, str]]:
    """Every version A's ledger says B accepted is on B whole and once; return them."""
    accepted = _accepted(topology.a.database)
    assert set(accepted.values()) <= {1}  # accepted once: never sent again after
    keys = set(accepted)
    placed = _placements(topology.b)
    assert keys <= set(placed)
    assert set(placed.values()) == {1}  # no version twice
    assert _bodies(topology.b.database, keys) == _bodies(topology.a.database, keys)
    return keys


def test_kill_9_of_either_side_mid_sync_loses_and_doubles_nothing(topology: Topology) -> None:
    topology.link("ab", "--push")
    n = N_BIG
    made = _fill(topology.a, "anna", "atlas", n)
    accepted = functools.partial(_accepted_count, topology.a.database)
    a_sync = _sync_until(topology, accepted, n // 4)
    _killed(a_sync)  # A dies: envelopes in flight, ledger not written
    first = _check_b(topology)
    assert n // 4 <= len(first) < n

    b_sync = _sync_until(topology, accepted, len(first) + n // 4)
    topology.b_server.kill()  # B dies while A sends
    _failed_on_peer_death(b_sync)
    second = _check_b(topology)  # B down: its database is read directly
    assert len(first) < len(second) < n

    _restart_b(topology)
    done = run_cli(topology.a.url, "sync", "--once", timeout=_WAIT)
    assert done.returncode == 0, done.stderr
    every = _keys(made)
    assert _check_b(topology) == every
    assert set(_placements(topology.b)) == every  # B holds nothing the ledger does not name
    assert _outbox_states(topology.a.database) == {"sent": n}


def _outbox_states(database: Database) -> dict[str, int]:
    with database.read() as conn:
        rows = conn.execute(
            select(federation_outbox.c.state, func.count()).group_by(federation_outbox.c.state)
        )
        return {state: int(n) for state, n in rows}


def _check_a(topology: Topology, offered: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Every version A pulled is one B offered, on A whole (its body B's) and once."""
    placed = _placements(topology.a)
    assert set(placed) <= offered
    assert set(placed.values()) <= {1}  # no version twice
    keys = set(placed)
    assert _bodies(topology.a.database, keys) == _bodies(topology.b.database, keys)
    return keys


def _cursor(topology: Topology) -> str | None:
    """The page token A's cursor keeps for B's collection (None: no cursor yet)."""
    with topology.a.database.read() as conn:
        found = conn.execute(select(peer_cursors.c.next_token)).scalar()
    return None if found is None else str(found)


def test_kill_9_of_the_puller_mid_page_resumes_by_cursor_and_doubles_nothing(
    topology: Topology,
) -> None:
    topology.link("ab", "--pull")
    offered = _keys(_fill(topology.b, "bella", "boreal", N_PULL))

    def pulled() -> int:
        return sum(_placements(topology.a).values())

    b_sync = _sync_until(topology, pulled, N_PULL // 4)
    topology.b_server.kill()  # B dies while A pulls
    _failed_on_peer_death(b_sync)
    first = _check_a(topology, offered)
    assert N_PULL // 4 <= len(first) < N_PULL

    _restart_b(topology)
    a_sync = _sync_until(topology, pulled, len(first) + N_PULL // 4)
    _killed(a_sync)  # A dies mid-page: a page stored or not, its cursor saved or not
    second = _check_a(topology, offered)
    assert len(first) < len(second) < N_PULL
    assert _cursor(topology)  # in the middle of a run: a page token

    done = run_cli(topology.a.url, "sync", "--once", timeout=_WAIT)
    assert done.returncode == 0, done.stderr
    # Resumed from the cursor, not from the start: at most the page stored whose cursor
    # was not saved comes again, found known.
    stored, known = map(int, re.findall(r"pulled (\d+) stored, (\d+) known, 0 refused",
                                        done.stdout)[0])  # fmt: skip
    assert stored == N_PULL - len(second)
    assert known <= PAGE_SIZE
    assert _check_a(topology, offered) == offered
    assert _cursor(topology) == ""
