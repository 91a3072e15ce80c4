"""Push between two real ``passerelle serve`` nodes: what anna stores on A reaches B once,
with its handling explicit; the outbox commits with the objects; a sync that dies after
sending sends again and the far node keeps one copy."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import func, select

from passerelle.federation import find_peer, push_peer, queue_pushed_versions
from passerelle.federation import push as push_module
from passerelle.objects.hooks import Hooks, ObjectsStored
from passerelle.objects.ingest import ingest
from passerelle.policy.directory import viewer_by_name
from passerelle.policy.viewer import Viewer
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from passerelle.stix.organisations import organisation_identity_id
from passerelle.store.federation_tables import federation_ledger, federation_outbox
from passerelle.store.schema import audit_log, objects
from tests.federation.conftest import Topology
from tests.federation.support import post, read_all
from tests.live_server import LiveServer, run_cli
from tests.stixgen import indicator
from tests.world import NODE_HOOKS

LATER = "2026-02-01T00:00:00.000Z"


def _sync(topology: Topology, real_process: bool = False) -> str:
    """Run ``passerelle sync --once`` on A: in a process of its own, or in this one."""
    if real_process:
        done = run_cli(topology.a.url, "sync", "--once", timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout
    result = topology.run_a("sync", "--once")
    assert result.exit_code == 0, result.output
    return str(result.output)


def _status(topology: Topology) -> dict[str, object]:
    result = topology.run_a("peer", "status", "--json")
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.output)
    return rows[0]


def test_what_anna_stores_on_a_reaches_b_once(topology: Topology) -> None:
    topology.link("ab", "--push")
    marked = [indicator(i, object_marking_refs=[TLP2_IDS[Tlp.GREEN]]) for i in range(2)]
    unmarked = indicator(9)  # handled under the channel's default, TLP:AMBER
    (topology.tmp / "a-logs").mkdir()
    with LiveServer(topology.a.url, topology.tmp / "a-logs") as a_server:
        post(a_server, topology.a.tokens["anna"], topology.a.channels["ab"].collection_id,
             [*marked, unmarked])  # fmt: skip
    assert _status(topology)["pending"] == 3
    # The unmarked one stays: its producer must set its TLP (docs/federation.md).
    assert "2 accepted, 0 refused, 1 withheld, 0 pending" in _sync(topology, real_process=True)
    explicit = {**unmarked, "modified": LATER, "object_marking_refs": [TLP2_IDS[Tlp.AMBER]]}
    result = ingest(topology.a.database, NODE_HOOKS, _anna(topology), topology.a.channels["ab"],
                    [explicit])  # fmt: skip
    assert not result.failures
    assert "1 accepted, 0 refused, 0 withheld, 0 pending" in _sync(topology)

    remote = topology.b.channels["ab"].collection_id
    arrived = {o["id"]: o for o in read_all(topology.b_server, topology.b.tokens["bella"], remote)}
    assert set(arrived) == {o["id"] for o in [*marked, unmarked]}
    # Only the version its producer marked; the producer named as the identity A publishes.
    assert arrived[unmarked["id"]]["modified"] == LATER
    assert arrived[unmarked["id"]]["object_marking_refs"] == [TLP2_IDS[Tlp.AMBER]]
    assert {o["created_by_ref"] for o in arrived.values()} == {organisation_identity_id("atlas")}

    # A second pass sends nothing; a new version is sent, and only it.
    assert "0 accepted, 0 refused, 0 withheld, 0 pending" in _sync(topology)
    newer = {**marked[0], "modified": LATER, "name": "Bad address, revised"}
    result = ingest(topology.a.database, NODE_HOOKS, _anna(topology), topology.a.channels["ab"],
                    [newer])  # fmt: skip
    assert not result.failures
    assert "1 accepted" in _sync(topology)
    versions = Counter(
        o["id"] for o in read_all(topology.b_server, topology.b.tokens["bella"], remote)
    )
    assert versions == {marked[0]["id"]: 2, marked[1]["id"]: 1, unmarked["id"]: 1}
    status = _status(topology)
    assert (status["sent"], status["pending"], status["withheld"]) == (4, 0, 1)
    with topology.a.database.read() as conn:
        ledger = conn.execute(select(func.count()).select_from(federation_ledger)).scalar()
        audited = conn.execute(
            select(audit_log.c.object_ids).where(audit_log.c.action == "federate")
        ).scalars()
        sent_ids = [i for ids in audited for i in json.loads(ids)]
    assert ledger == 4
    # Every envelope that left is in the audit log, with the ids it carried.
    assert Counter(sent_ids) == {marked[0]["id"]: 2, marked[1]["id"]: 1, unmarked["id"]: 1}


def _anna(topology: Topology) -> Viewer:
    with topology.a.database.read() as conn:
        return viewer_by_name(conn, "anna")


def test_the_outbox_commits_or_rolls_back_with_the_objects(topology: Topology) -> None:
    topology.link("ab", "--push")
    hooks = Hooks()
    hooks.on_stored(queue_pushed_versions)

    def fail(_event: ObjectsStored) -> None:
        raise RuntimeError("the process dies before the commit")

    hooks.on_stored(fail)
    lost = indicator(1)
    with pytest.raises(RuntimeError):
        ingest(topology.a.database, hooks, _anna(topology), topology.a.channels["ab"], [lost])
    kept = indicator(2)
    ingest(topology.a.database, NODE_HOOKS, _anna(topology), topology.a.channels["ab"], [kept])
    with topology.a.database.read() as conn:
        stored = set(conn.execute(select(objects.c.stix_id)).scalars())
        queued = set(conn.execute(select(federation_outbox.c.stix_id)).scalars())
    # Neither the object nor its outbox row without the other: nothing to re-scan.
    assert stored == queued == {kept["id"]}


def test_a_sync_that_dies_after_sending_sends_again_and_b_keeps_one_copy(
    topology: Topology, monkeypatch: pytest.MonkeyPatch
) -> None:
    topology.link("ab", "--push")
    sent = [indicator(i, object_marking_refs=[TLP2_IDS[Tlp.GREEN]]) for i in range(5)]
    ingest(topology.a.database, NODE_HOOKS, _anna(topology), topology.a.channels["ab"], sent)
    with topology.a.database.read() as conn:
        peer = find_peer(conn, "boreal")

    def die(*_args: object) -> bool:
        raise KeyboardInterrupt  # as a kill between the peer's answer and our record

    with monkeypatch.context() as patched:
        patched.setattr(push_module, "_record", die)
        with pytest.raises(KeyboardInterrupt):
            push_peer(topology.a.database, peer, timeout=20)
    assert _status(topology)["pending"] == 5
    report = push_peer(topology.a.database, peer, timeout=20)
    assert (report.accepted, report.pending, report.refused) == (5, 0, 0)
    remote = topology.b.channels["ab"].collection_id
    copies = Counter(
        (o["id"], o["modified"])
        for o in read_all(topology.b_server, topology.b.tokens["atlas-node"], remote)
    )
    assert copies == {(o["id"], o["modified"]): 1 for o in sent}


def test_an_h2_object_leaves_once_its_producer_grants_it(topology: Topology) -> None:
    topology.link("ab", "--push")
    h2 = indicator(3, object_marking_refs=[TLP2_IDS[Tlp.GREEN]])
    h2["extensions"] = {
        HANDLING_EXTENSION_ID: {"extension_type": "property-extension", "handling_codes": ["H2"]}
    }
    ingest(topology.a.database, NODE_HOOKS, _anna(topology), topology.a.channels["ab"], [h2])
    assert "0 accepted, 0 refused, 1 withheld" in _sync(topology)
    granted = topology.run_a("grant", h2["id"], "--federate", "boreal", user="anna")
    assert granted.exit_code == 0, granted.output
    assert "1 withheld version(s) queued again" in topology.run_a("peer", "retry", "boreal").output
    assert "1 accepted, 0 refused, 0 withheld" in _sync(topology)
    remote = topology.b.channels["ab"].collection_id
    arrived = read_all(topology.b_server, topology.b.tokens["atlas-node"], remote)
    assert [o["id"] for o in arrived] == [h2["id"]]
