"""Push to a peer that serves HTTPS (``serve --tls-cert --tls-key``): verified with the CA
given at ``peer add --ca-file``; a peer whose certificate is not trusted is a one-line
error, recorded, and nothing is marked sent."""

from __future__ import annotations

import json

from passerelle.objects.ingest import ingest
from passerelle.policy.directory import viewer_by_name
from passerelle.stix.markings import TLP2_IDS, Tlp
from tests.federation.conftest import Topology
from tests.federation.support import read_all
from tests.live_server import run_cli
from tests.stixgen import indicator
from tests.world import NODE_HOOKS


def test_push_over_tls_verifies_the_peer_with_its_ca(tls_topology: Topology) -> None:
    topology = tls_topology
    assert topology.b_server.api_root_url.startswith("https://127.0.0.1:")
    topology.link("ab", "--push")
    untrusting = topology.run_a(
        "peer", "add", "boreal-unverified", "--url", topology.b_server.api_root_url,
        "--org", "boreal", "--speaks-for", "atlas", "--token-file", str(topology.token_file),
    )  # fmt: skip
    assert untrusting.exit_code == 0, untrusting.output
    remote = topology.b.channels["ab"].collection_id
    linked = topology.run_a("peer", "link", "boreal-unverified", "--channel", "ab",
                            "--remote-collection", remote, "--push")  # fmt: skip
    assert linked.exit_code == 0, linked.output
    sent = indicator(1, object_marking_refs=[TLP2_IDS[Tlp.GREEN]])
    with topology.a.database.read() as conn:
        anna = viewer_by_name(conn, "anna")
    stored = ingest(topology.a.database, NODE_HOOKS, anna, topology.a.channels["ab"], [sent])
    assert not stored.failures

    trusted = run_cli(topology.a.url, "sync", "--once", "--peer", "boreal", timeout=120)
    assert trusted.returncode == 0, trusted.stderr
    bella = topology.b.tokens["bella"]
    arrived = read_all(topology.b_server, bella, remote, topology.tmp / "ca.pem")
    assert [o["id"] for o in arrived] == [sent["id"]]

    refused = run_cli(topology.a.url, "sync", "--once", "--peer", "boreal-unverified",
                      timeout=120)  # fmt: skip
    assert refused.returncode == 1
    assert (
        refused.stderr.strip()
        .splitlines()[-1]
        .endswith("its certificate is not trusted (give --ca-file)")
    )
    shown = topology.run_a("peer", "status", "boreal-unverified", "--json").output
    status = json.loads(shown)[0]
    assert (status["pending"], status["sent"]) == (1, 0)
    assert "not trusted" in status["last_error"]
