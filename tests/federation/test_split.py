"""A batch the far node refuses as too large (HTTP 413) is split in halves and sent
again, down to single objects; one too large alone is refused and listed, the others
arrive (against a real node with a small request limit)."""

from __future__ import annotations

import json

from sqlalchemy import select

from passerelle.federation.transport import PeerClient
from passerelle.objects.ingest import ingest
from passerelle.policy.directory import viewer_by_name
from passerelle.stix.markings import TLP2_IDS, Tlp
from passerelle.store.federation_tables import federation_ledger
from passerelle.store.schema import audit_log
from tests.federation.conftest import Topology
from tests.federation.support import read_all
from tests.stixgen import indicator
from tests.world import NODE_HOOKS


def test_a_batch_too_large_for_the_peer_is_split_and_what_fits_arrives(
    small_topology: Topology,
) -> None:
    topology = small_topology
    topology.link("ab", "--push")
    green = [TLP2_IDS[Tlp.GREEN]]
    fitting = [indicator(i, object_marking_refs=green) for i in range(12)]
    huge = indicator(99, object_marking_refs=green, description="x" * 6000)
    with topology.a.database.read() as conn:
        anna = viewer_by_name(conn, "anna")
    stored = ingest(topology.a.database, NODE_HOOKS, anna, topology.a.channels["ab"],
                    [*fitting[:6], huge, *fitting[6:]])  # fmt: skip
    assert not stored.failures
    result = topology.run_a("sync", "--once")
    assert result.exit_code == 0, result.output
    assert "12 accepted, 1 refused, 0 withheld, 0 pending" in result.output

    remote = topology.b.channels["ab"].collection_id
    arrived = read_all(topology.b_server, topology.b.tokens["bella"], remote)
    assert sorted(o["id"] for o in arrived) == sorted(o["id"] for o in fitting)
    status = topology.run_a("peer", "status", "boreal")
    assert huge["id"] in status.output
    assert "HTTP 413" in status.output
    with topology.a.database.read() as conn:
        ledger = conn.execute(select(federation_ledger.c.stix_id, federation_ledger.c.result)).all()
    assert sorted(ledger) == sorted(
        [(o["id"], "accepted") for o in fitting] + [(huge["id"], "refused")]
    )
    counted = json.loads(topology.run_a("peer", "status", "--json").output)[0]
    assert (counted["sent"], counted["refused"]) == (12, 1)
    # Several requests carried the batch, each in A's audit log with what it carried.
    with topology.a.database.read() as conn:
        carried = [
            json.loads(ids)
            for ids in conn.execute(
                select(audit_log.c.object_ids).where(audit_log.c.action == "federate")
            ).scalars()
        ]
    assert len(carried) > 1
    assert sorted(i for ids in carried for i in ids) == sorted(o["id"] for o in fitting)


def test_a_batch_goes_in_envelopes_the_peer_announced_it_takes(
    small_topology: Topology,
) -> None:
    """B announces 4,000 bytes: A cuts its batch to fit before sending, so every version
    arrives, none refused, in several requests each within the limit."""
    topology = small_topology
    topology.link("ab", "--push")
    green = [TLP2_IDS[Tlp.GREEN]]
    sent = [indicator(i, object_marking_refs=green) for i in range(20)]
    with topology.a.database.read() as conn:
        anna = viewer_by_name(conn, "anna")
    stored = ingest(topology.a.database, NODE_HOOKS, anna, topology.a.channels["ab"], sent)
    assert not stored.failures
    result = topology.run_a("sync", "--once")
    assert result.exit_code == 0, result.output
    assert "20 accepted, 0 refused, 0 withheld, 0 pending" in result.output
    remote = topology.b.channels["ab"].collection_id
    arrived = read_all(topology.b_server, topology.b.tokens["bella"], remote)
    assert sorted(o["id"] for o in arrived) == sorted(o["id"] for o in sent)
    with topology.a.database.read() as conn:
        carried = [
            json.loads(ids)
            for ids in conn.execute(
                select(audit_log.c.object_ids).where(audit_log.c.action == "federate")
            ).scalars()
        ]
    assert len(carried) > 1
    assert sorted(i for ids in carried for i in ids) == sorted(o["id"] for o in sent)
    # The limit A cut by is the one B's API root announces to its node account.
    token = topology.token_file.read_text().strip()
    client = PeerClient(topology.b_server.api_root_url, f"Bearer {token}", None, 10.0)
    try:
        assert client.max_content_length() == 4000
    finally:
        client.close()
