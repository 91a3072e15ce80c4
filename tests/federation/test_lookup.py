"""Federated look-ups across two real nodes: anna (atlas, node A) asks whether boreal's
node B holds a value or a name, and hears hit or no-hit with the holders, never the
content; B decides for atlas as a whole with the one visibility rule, refuses look-ups
from an organisation when its administrator says so, and both nodes audit every question
with its purpose. Seen as an attacker would: a no-hit for what atlas may not see is the
very answer, byte for byte, of a value B never heard of, and a node account cannot ask
on behalf of another organisation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2

from passerelle.audit.log import Entry, entries
from passerelle.objects.ingest import ingest
from passerelle.policy import directory
from passerelle.policy.directory import Membership, viewer_by_name
from passerelle.policy.roles import Role
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from tests.cli_runner import cli_runner
from tests.federation.conftest import Topology
from tests.federation.support import NodeDb
from tests.stixgen import identity, indicator
from tests.world import NODE_HOOKS

PURPOSE = "case 17: the cell's contacts"
_NO_HIT = {"answer": "no-hit", "holders": [], "suggested_rfis": [], "error": ""}


def _marked(tlp: Tlp, **extra: Any) -> dict[str, Any]:
    return {"object_marking_refs": [TLP2_IDS[tlp]], **extra}


def _store(b: NodeDb, username: str, channel: str, items: list[dict[str, Any]]) -> list[str]:
    with b.database.read() as conn:
        writer = viewer_by_name(conn, username)
    stored = ingest(b.database, NODE_HOOKS, writer, b.channels[channel], items)
    return [f.message for f in stored.failures]


def _holdings_of_b(b: NodeDb) -> None:
    """On B: cobalt, with bc (boreal and cobalt); what boreal and cobalt hold there."""
    with b.database.write() as conn:
        directory.add_organisation(conn, "cobalt")
        b.tokens["cora"] = directory.add_user(conn, "cobalt", "cora", Role.LIAISON)
        members = [Membership("boreal", True, True), Membership("cobalt", True, True)]
        b.channels["bc"] = directory.add_channel(conn, "bc", members, alias="bc")
    h2 = {HANDLING_EXTENSION_ID: {"extension_type": "property-extension", "handling_codes": ["H2"]}}
    red = {HANDLING_EXTENSION_ID: {"extension_type": "property-extension", "recipients": ["bella"]}}
    cobalt_h2 = indicator(4, **_marked(Tlp.GREEN), extensions=h2)
    assert _store(b, "bella", "ab", [
        indicator(1, **_marked(Tlp.GREEN)),  # atlas reads ab: a hit
        indicator(2, **_marked(Tlp.RED), extensions=red),  # RED to bella only
        identity("Dzhokhar Tsarnaev", **_marked(Tlp.AMBER)),
    ]) == []  # fmt: skip
    assert _store(b, "cora", "bc", [indicator(3, **_marked(Tlp.AMBER_STRICT)), cobalt_h2]) == []
    # H2 without cobalt's grant: boreal may not share it onward into ab, where atlas reads.
    assert _store(b, "bella", "ab", [cobalt_h2]) != []


def _ask(topology: Topology, value: str, *extra: str, purpose: str = PURPOSE) -> Any:
    args = ["--purpose", purpose] if purpose else []
    result = topology.run_a(*args, "lookup", value, "--federated", "--json", *extra, user="anna")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _raw(topology: Topology, token: str, body: dict[str, str]) -> httpx2.Response:
    url = topology.b_server.api_root_url.split("/taxii2/")[0] + "/api/federation/lookups"
    with httpx2.Client(trust_env=False, timeout=20) as client:
        return client.post(url, json=body, headers={"Authorization": f"Bearer {token}"})


def _log(node: NodeDb, action: str) -> list[Entry]:
    with node.database.read() as conn:
        return [e for e in entries(conn) if e.action == action]


def _hits(topology: Topology) -> None:
    [found] = _ask(topology, "10.0.0.1")
    assert (found["peer"], found["organisation"], found["answer"]) == ("boreal", "boreal", "hit")
    assert found["holders"] == ["boreal"]
    [rfi] = found["suggested_rfis"]
    assert rfi["to"] == "boreal"
    assert "10.0.0.1" in rfi["purpose"]
    assert "Bad address" not in json.dumps(found)  # never the content
    # A name in another script: the identity is in Latin letters on B.
    [named] = _ask(topology, "Джохар Царнаев")
    assert (named["answer"], named["holders"]) == ("hit", ["boreal"])
    text = topology.run_a("--purpose", PURPOSE, "lookup", "ip:10.0.0.1", "--federated",
                          user="anna").output  # fmt: skip
    assert "peer 'boreal' (boreal): hit: held by boreal" in text
    assert "ask: passerelle rfi send --to boreal --urgency normal --purpose" in text


def _no_hits_look_like_nothing(topology: Topology) -> None:
    never = _ask(topology, "10.9.9.9")
    assert [{k: v for k, v in a.items() if k not in ("peer", "organisation")} for a in never] == [
        _NO_HIT
    ]
    # RED to bella, AMBER+STRICT in bc, cobalt's H2 kept from ab: nothing for atlas.
    for hidden in ("10.0.0.2", "10.0.0.3", "10.0.0.4", "name:Ivan Nobodyski"):
        assert _ask(topology, hidden) == never, hidden
    token = topology.b.tokens["atlas-node"]
    question = {"asking_org": "atlas", "purpose": "probe"}
    nothing = _raw(topology, token, {**question, "value": "10.9.9.9"})
    assert nothing.status_code == 200
    for hidden in ("10.0.0.2", "10.0.0.3", "10.0.0.4"):
        answer = _raw(topology, token, {**question, "value": hidden})
        assert (answer.status_code, answer.content) == (200, nothing.content), hidden


def _nobody_speaks_for_another(topology: Topology) -> None:
    question = {"value": "10.0.0.3", "asking_org": "cobalt", "purpose": "probe"}
    forged = _raw(topology, topology.b.tokens["atlas-node"], question)
    assert forged.status_code == 403
    assert "atlas-node speaks for atlas only" in forged.json()["description"]
    person = _raw(topology, topology.b.tokens["anna"], {**question, "asking_org": "atlas"})
    assert person.status_code == 403
    refused = _log(topology.b, "refused")
    assert {(e.username, e.detail["operation"]) for e in refused} == {
        ("atlas-node", "federation.lookup"),
        ("anna", "federation.lookup"),
    }
    # On A: a peer that speaks for atlas cannot be used by a user of boreal.
    other = topology.run_a("--purpose", PURPOSE, "lookup", "10.0.0.1", "--federated",
                           "--peer", "boreal", user="bella")  # fmt: skip
    assert other.exit_code != 0
    assert "speaks for atlas, not boreal" in other.output
    [kept] = _log(topology.a, "refused")
    assert (kept.username, kept.detail["operation"], kept.detail["peer"]) == (
        "bella", "lookup --federated", "boreal",
    )  # fmt: skip


def _refusal_per_organisation(topology: Topology) -> None:
    run_b = cli_runner(topology.b.url)
    said = run_b("peer", "refuse-lookups", "atlas", "--reason", "agreement suspended")
    assert said.exit_code == 0, said.output
    listed = json.loads(run_b("peer", "lookup-refusals", "--json").output)
    assert [(r["organisation"], r["reason"]) for r in listed] == [("atlas", "agreement suspended")]
    [refused] = _ask(topology, "10.0.0.1")
    assert (refused["answer"], refused["holders"], refused["suggested_rfis"]) == ("refused", [], [])
    assert "refused" in topology.run_a("--purpose", PURPOSE, "lookup", "10.0.0.1",
                                       "--federated", user="anna").output  # fmt: skip
    assert run_b("peer", "refuse-lookups", "atlas", "--allow").exit_code == 0
    assert _ask(topology, "10.0.0.1")[0]["answer"] == "hit"
    changes = [e.action for e in _log(topology.b, "lookups-refused") + _log(topology.b,
               "lookups-allowed")]  # fmt: skip
    assert sorted(changes) == ["lookups-allowed", "lookups-refused"]


def _audited_on_both_sides(topology: Topology) -> None:
    asked = _log(topology.a, "federated-lookup-ask")
    assert asked
    assert {(e.username, e.org_name, e.purpose) for e in asked} == {("anna", "atlas", PURPOSE)}
    assert {(e.detail["peer"], e.detail["answer"]) for e in asked} >= {
        ("boreal", "hit"), ("boreal", "no-hit"), ("boreal", "refused"),
    }  # fmt: skip
    answered = [e for e in _log(topology.b, "federated-lookup") if e.purpose != "probe"]
    assert {(e.username, e.detail["asking_org"]) for e in answered} == {("atlas-node", "atlas")}
    assert all(e.purpose.startswith(f"{PURPOSE} (asked by anna of atlas)") for e in answered)
    kinds = {(e.detail["value"], e.detail["answer"]) for e in answered}
    assert {("10.0.0.1", "hit"), ("Джохар Царнаев", "hit"), ("10.0.0.2", "no-hit"),
            ("10.0.0.1", "refused")} <= kinds  # fmt: skip


def _failures_are_one_line(topology: Topology, tmp: Path) -> None:
    wrong = tmp / "wrong.token"
    wrong.write_text("not-a-token\n")
    for name, url, token in (
        ("ghost", "http://127.0.0.1:9/taxii2/root/", topology.token_file),
        ("stale", topology.b_server.api_root_url, wrong),
    ):
        added = topology.run_a("peer", "add", name, "--url", url, "--org", "boreal",
                               "--speaks-for", "atlas", "--token-file", str(token))  # fmt: skip
        assert added.exit_code == 0, added.output
    found = {a["peer"]: a for a in _ask(topology, "10.0.0.1", "--timeout", "5")}
    assert found["boreal"]["answer"] == "hit"
    assert found["ghost"]["answer"] == "unreachable"
    assert (found["stale"]["answer"], found["stale"]["holders"]) == ("unreachable", [])
    assert "HTTP 401" in found["stale"]["error"]
    text = topology.run_a("--purpose", PURPOSE, "lookup", "10.0.0.1", "--federated",
                          user="anna").output  # fmt: skip
    assert "Traceback" not in text
    assert "peer 'ghost' (boreal): unreachable: " in text
    lines = [line for line in text.splitlines() if line.startswith("peer 'stale'")]
    assert len(lines) == 1
    alone = topology.run_a("lookup", "10.0.0.1", "--peer", "boreal", user="anna")
    assert alone.exit_code != 0
    assert "--peer goes with --federated" in alone.output
    [entity] = _ask(topology, "entity:0123456789ab", "--peer", "boreal")
    assert entity["answer"] == "error"
    assert "entity id is its node's own" in entity["error"]
    only = _ask(topology, "10.0.0.1", "--peer", "boreal")
    assert [a["peer"] for a in only] == ["boreal"]


def test_federated_lookup_hit_no_hit_refusal_and_audit(topology: Topology) -> None:
    _holdings_of_b(topology.b)
    unexplained = topology.run_a("lookup", "10.0.0.1", "--federated", user="anna")
    assert unexplained.exit_code != 0
    assert "needs a purpose" in unexplained.output
    _hits(topology)
    _no_hits_look_like_nothing(topology)
    _nobody_speaks_for_another(topology)
    _refusal_per_organisation(topology)
    _audited_on_both_sides(topology)
    _failures_are_one_line(topology, topology.tmp)
