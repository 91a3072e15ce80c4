"""A loop of two nodes, each pushing to and pulling from the other on the same channel
(A pushes to and pulls B's ``ab``; B pushes to and pulls A's ``ab``), on each backend for
B: after a few rounds of ``sync`` on both, each holds every version once, and a further
round moves nothing (no version sent, none fetched, no ledger row, no cursor moved)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from passerelle.objects.ingest import ingest
from passerelle.policy.directory import viewer_by_name
from passerelle.stix.markings import TLP2_IDS, Tlp
from passerelle.stix.organisations import organisation_identity_id
from passerelle.store.federation_tables import federation_ledger, peer_cursors
from passerelle.store.schema import channel_objects
from tests.cli_runner import Run, cli_runner
from tests.federation.conftest import Topology
from tests.federation.support import NodeDb, read_all
from tests.live_server import LiveServer
from tests.stixgen import indicator
from tests.world import NODE_HOOKS

GREEN = [TLP2_IDS[Tlp.GREEN]]
LATER = "2026-02-01T00:00:00.000Z"
_MOVED = re.compile(r"(\d+) accepted, .*pulled (\d+) stored, (\d+) known, (\d+) refused")


def _stores(node: NodeDb, user: str, objects: list[dict[str, Any]]) -> None:
    with node.database.read() as conn:
        writer = viewer_by_name(conn, user)
    done = ingest(node.database, NODE_HOOKS, writer, node.channels["ab"], objects)
    assert not done.failures, done.failures


def _round(run_a: Run, run_b: Run) -> list[tuple[int, ...]]:
    """One ``sync --once`` on A then on B; return (accepted, stored, known, refused) of each."""
    moved = []
    for run in (run_a, run_b):
        result = run("sync", "--once")
        assert result.exit_code == 0, result.output
        found = _MOVED.search(result.output)
        assert found, result.output
        moved.append(tuple(int(n) for n in found.groups()))
    return moved


def _state(node: NodeDb) -> tuple[Counter[tuple[str, str]], int, list[str]]:
    """Each (id, version) placed in ``ab`` with its count; ledger rows; cursors."""
    with node.database.read() as conn:
        placed = Counter(
            (r.stix_id, r.version)
            for r in conn.execute(
                select(channel_objects.c.stix_id, channel_objects.c.version).where(
                    channel_objects.c.channel_id == node.channels["ab"].id
                )
            )
        )
        ledger = conn.execute(select(func.count()).select_from(federation_ledger)).scalar_one()
        cursors = [f"{r.next_token}|{r.added_after}" for r in conn.execute(select(peer_cursors))]
    return placed, int(ledger), cursors


def _versions(objects: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(o["id"], o["modified"].replace(".000Z", ".000000Z")) for o in objects}


def test_a_and_b_pulling_and_pushing_each_other_converge_without_ping_pong(
    topology: Topology,
) -> None:
    a, b = topology.a, topology.b
    topology.link("ab", "--push", "--pull")
    token = topology.tmp / "atlas.token"
    token.write_text(a.tokens["boreal-node"] + "\n")
    run_b = cli_runner(b.url)
    (topology.tmp / "a-logs").mkdir()
    atlas = [indicator(i, created_by_ref=organisation_identity_id("atlas"),
                       object_marking_refs=GREEN) for i in range(20)]  # fmt: skip
    boreal = [indicator(100 + i, created_by_ref=organisation_identity_id("boreal"),
                        object_marking_refs=GREEN) for i in range(20)]  # fmt: skip
    _stores(a, "anna", atlas)
    _stores(b, "bella", boreal)
    with LiveServer(a.url, topology.tmp / "a-logs") as a_server:
        added = run_b("peer", "add", "atlas", "--url", a_server.api_root_url, "--org", "atlas",
                      "--speaks-for", "boreal", "--token-file", str(token))  # fmt: skip
        assert added.exit_code == 0, added.output
        linked = run_b("peer", "link", "atlas", "--channel", "ab", "--remote-collection",
                       a.channels["ab"].collection_id, "--push", "--pull")  # fmt: skip
        assert linked.exit_code == 0, linked.output

        first = _round(topology.run_a, run_b)
        # Each side's own versions went over once, either way (pushed or pulled).
        assert first[0][0] == 20
        assert first[0][1] == 20  # A pulled boreal's 20 (and met its own 20 again)
        revised = [{**atlas[0], "modified": LATER, "name": "revised on A"}]
        revised_b = [{**boreal[0], "modified": LATER, "name": "revised on B"}]
        _stores(a, "anna", revised)
        _stores(b, "bella", revised_b)
        second = _round(topology.run_a, run_b)
        assert (second[0][0], second[1][0]) == (1, 1)  # only the new versions are sent

        expected = _versions([*atlas, *boreal, *revised, *revised_b])
        for node in (a, b):
            placed, _ledger, _cursors = _state(node)
            assert set(placed) == expected
            assert set(placed.values()) == {1}  # one row per id and version, no duplicate
        bella_sees = read_all(topology.b_server, b.tokens["bella"], b.channels["ab"].collection_id)
        assert Counter((o["id"], o["modified"]) for o in bella_sees).most_common(1)[0][1] == 1
        assert len(bella_sees) == len(expected)

        # Converged: a further round sends nothing, fetches nothing, records nothing.
        before = [_state(a), _state(b)]
        assert _round(topology.run_a, run_b) == [(0, 0, 0, 0), (0, 0, 0, 0)]
        assert [_state(a), _state(b)] == before
