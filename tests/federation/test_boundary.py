"""The boundary: every combination of TLP, handling code, kind of object and relation of
the peer's organisation to the channel is pushed from A to B in one real sync, and B
holds exactly what the rules let leave, nothing more; each version kept back is in the
outbox with its reason.

The expectation is written from the rules (docs/security.md, "What leaves the node"),
not from the code under test:

- the peer's organisation reads the channel as a member (``ab``), as a declared client of
  a member (``ac``) or not at all (``ax``): nothing leaves a channel it does not read;
- CLEAR, GREEN and AMBER (also the channel's default, AMBER) reach members and clients;
  AMBER+STRICT members only; RED only when every named recipient is a user of the peer's
  organisation (and only from a channel it is a member of);
- an object its producer left unmarked (the channel's default applied here) never leaves
  as such: its producer must set the TLP in a new version (docs/federation.md, "A TLP
  defaulted here"); a cyber-observable, which has no version, leaves with the default
  made explicit;
- H2 only with the producer's grant to federate to the peer's organisation (a grant to
  another organisation does not count); H0, H1 and H3 travel with their codes;
- a (GREEN) relationship leaves only when the object it refers to leaves, and never when
  that object is TLP:RED: the relationship would show the whole organisation what only
  named people may see.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from passerelle.objects.ingest import ingest
from passerelle.policy import actions
from passerelle.policy.departure import FEDERATE, defaulted_refusal
from passerelle.policy.directory import find_organisation, viewer_by_name
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from passerelle.store.federation_tables import federation_outbox
from tests.access_world import relationship
from tests.federation.conftest import Topology
from tests.federation.support import read_with_withheld
from tests.live_server import run_cli
from tests.stixgen import indicator, stix_id
from tests.world import NODE_HOOKS

CHANNELS = {"ab": "member", "ac": "client", "ax": "none"}
BOREAL_USERS = {"bella"}
LEVELS: dict[str, tuple[Tlp | None, tuple[str, ...]]] = {
    "default": (None, ()),
    "CLEAR": (Tlp.CLEAR, ()),
    "GREEN": (Tlp.GREEN, ()),
    "AMBER": (Tlp.AMBER, ()),
    "AMBER+STRICT": (Tlp.AMBER_STRICT, ()),
    "RED to bella": (Tlp.RED, ("bella",)),
    "RED to anna": (Tlp.RED, ("anna",)),
    "RED to bella and anna": (Tlp.RED, ("bella", "anna")),
}
CODES = ("none", "H0", "H1", "H2", "H2 granted", "H2 granted to cert", "H3")
KINDS = ("indicator", "ipv4-addr")


@dataclass(frozen=True)
class Case:
    """One base object of the enumeration."""

    channel: str
    level: str
    code: str
    kind: str


def audience_admits(case: Case) -> bool:
    """The TLP rule for the peer's organisation (see the module's docstring)."""
    relation = CHANNELS[case.channel]
    tlp, recipients = LEVELS[case.level]
    level = Tlp.AMBER if tlp is None else tlp
    if relation == "none":
        return False
    if level is Tlp.RED:
        return relation == "member" and set(recipients) <= BOREAL_USERS
    if level is Tlp.AMBER_STRICT:
        return relation == "member"
    return True


def may_leave(case: Case) -> bool:
    """The whole rule for a base object."""
    if case.level == "default" and case.kind == "indicator":
        return False  # its producer set no TLP: it must, in a new version
    return audience_admits(case) and case.code not in ("H2", "H2 granted to cert")


def relationship_may_leave(case: Case) -> bool:
    """A GREEN relationship in ``ab`` referring to the case's object."""
    return may_leave(case) and LEVELS[case.level][0] is not Tlp.RED


def make(case: Case, n: int) -> dict[str, Any]:
    """Return the object of a case."""
    tlp, recipients = LEVELS[case.level]
    if case.kind == "indicator":
        obj = indicator(n)
    else:
        obj = {"type": "ipv4-addr", "spec_version": "2.1", "id": stix_id("ipv4-addr"),
               "value": f"192.0.{n // 256}.{n % 256}"}  # fmt: skip
    if tlp is not None:
        obj["object_marking_refs"] = [TLP2_IDS[tlp]]
    extension: dict[str, Any] = {"extension_type": "property-extension"}
    if recipients:
        extension["recipients"] = list(recipients)
    code = case.code.split()[0]
    if code != "none":
        extension["handling_codes"] = [code]
    if code == "H3":
        extension["h3_text"] = "Ask the producer before any arrest."
    if len(extension) > 1:
        obj["extensions"] = {HANDLING_EXTENSION_ID: extension}
    return obj


def test_exactly_what_the_rules_allow_reaches_the_peer(topology: Topology) -> None:
    for channel in CHANNELS:
        topology.link(channel, "--push")
    cases = [Case(*c) for c in itertools.product(CHANNELS, LEVELS, CODES, KINDS)]
    bases = {case: make(case, n) for n, case in enumerate(cases)}
    anchor = indicator(9999, object_marking_refs=[TLP2_IDS[Tlp.CLEAR]])
    relations = {
        case: relationship(anchor["id"], obj["id"], Tlp.GREEN) for case, obj in bases.items()
    }
    _store(topology, bases, anchor, relations)

    done = run_cli(topology.a.url, "sync", "--once", timeout=120)
    assert done.returncode == 0, done.stderr

    remote = topology.b.channels["ab"].collection_id
    arrived, withheld = read_with_withheld(
        topology.b_server, topology.b.tokens["atlas-node"], remote
    )
    expected = {anchor["id"]}
    expected |= {obj["id"] for case, obj in bases.items() if may_leave(case)}
    expected |= {rel["id"] for case, rel in relations.items() if relationship_may_leave(case)}
    h3 = {obj["id"] for case, obj in bases.items() if case.code == "H3" and may_leave(case)}
    # H3 objects arrived with their restriction: B withholds them until acknowledged.
    assert withheld == h3
    assert {o["id"] for o in arrived} | withheld == expected
    assert len(arrived) + len(withheld) == len(expected)  # one version each, nothing twice
    _check_kept_back(topology, len(bases) + len(relations) + 1 - len(expected))
    _check_reasons(topology, bases)
    _check_red_on_the_far_side(topology, bases)


def _store(
    topology: Topology,
    bases: dict[Case, dict[str, Any]],
    anchor: dict[str, Any],
    relations: dict[Case, dict[str, Any]],
) -> None:
    database = topology.a.database
    with database.read() as conn:
        anna = viewer_by_name(conn, "anna")
    for channel in CHANNELS:
        batch = [obj for case, obj in bases.items() if case.channel == channel]
        result = ingest(database, NODE_HOOKS, anna, topology.a.channels[channel], batch)
        assert not result.failures, result.failures[:3]
    ab = topology.a.channels["ab"]
    result = ingest(database, NODE_HOOKS, anna, ab, [anchor, *relations.values()])
    assert not result.failures, result.failures[:3]
    with database.write() as conn:
        for case, obj in bases.items():
            if case.code.startswith("H2 granted"):
                org = "cert" if case.code.endswith("cert") else "boreal"
                org_id = find_organisation(conn, org).id
                actions.grant(conn, anna, obj["id"], FEDERATE, org_id=org_id)


def _check_kept_back(topology: Topology, withheld: int) -> None:
    shown = topology.run_a("peer", "status", "boreal", "--json")
    assert shown.exit_code == 0, shown.output
    status = json.loads(shown.output)[0]
    assert (status["withheld"], status["pending"], status["refused"]) == (withheld, 0, 0)
    assert "withheld" in topology.run_a("peer", "status", "boreal").output


def _check_reasons(topology: Topology, bases: dict[Case, dict[str, Any]]) -> None:
    """Every version kept back says why; spot the reason of each rule."""
    with topology.a.database.read() as conn:
        rows = conn.execute(
            select(federation_outbox.c.stix_id, federation_outbox.c.reason).where(
                federation_outbox.c.state == "withheld"
            )
        )
        reasons = {r.stix_id: r.reason for r in rows}
    assert all(reasons.values())

    def reason(channel: str, level: str, code: str) -> str:
        return reasons[bases[Case(channel, level, code, "indicator")]["id"]]

    assert reason("ab", "RED to anna", "none") == (
        "TLP:RED names a recipient who is not a user of the peer's organisation"
    )
    assert reason("ab", "GREEN", "H2") == "H2: its producer has not granted it to 'boreal'"
    assert reason("ac", "AMBER+STRICT", "none").startswith("TLP:AMBER+STRICT in this channel")
    assert reason("ax", "CLEAR", "none").startswith("TLP:CLEAR in this channel")
    assert reason("ab", "default", "none") == defaulted_refusal(Tlp.AMBER)


def _check_red_on_the_far_side(topology: Topology, bases: dict[Case, dict[str, Any]]) -> None:
    red = {
        obj["id"] for case, obj in bases.items() if case.level == "RED to bella" and may_leave(case)
    }
    assert red
    remote = topology.b.channels["ab"].collection_id
    bella = topology.b.tokens["bella"]
    seen, withheld = read_with_withheld(topology.b_server, bella, remote)
    assert (
        red <= {o["id"] for o in seen} | withheld
    )  # named on the far side, so bella reads them there
