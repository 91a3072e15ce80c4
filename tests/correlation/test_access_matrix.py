"""The access matrix for correlation: correlate and lookup show every viewer exactly the
objects the handling rules let them see, and count nothing else.

The matrix world (tests/access_world.py) is extended with one indicator per marking that
carries the shared address 192.0.2.7, posted by ``producer-liaison`` into ``matrix``, and
one indicator of the network 192.0.2.0/24 (which holds that address) in the outsider's own
channel ``outsider-own``. For every person, over REST and the command line:

- correlating each of these objects answers 403 to auditors, 404 (the same answer as a
  missing id) to whoever may not see it, and otherwise lists exactly the other objects
  the person may see, with exact counts (also when the listing is cut to one object);
- looking up the address and the network lists exactly what the person may see.

Per marking, the producer also posts an indicator of another address under H3 (nobody
has acknowledged it), and an identity of one man, which all resolve to one entity:

- looking the H3 address up lists what the person may see, each withheld (no name, no
  key); correlating an H3 indicator answers 403 to whoever may see it;
- looking the entity up, and correlating the man's TLP:CLEAR identity, list exactly the
  identities the person may see; to whoever sees none, the entity answers like a missing
  one.

Expectations derive from ``access_world.sees`` only, never from the code under test.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from passerelle.cli import cli
from passerelle.objects.ingest import ingest
from passerelle.policy.directory import viewer_by_name
from passerelle.policy.roles import Role
from passerelle.stix.markings import HANDLING_EXTENSION_ID, Tlp
from passerelle.store.database import Database
from passerelle.store.entity_tables import entity_links
from tests.access_world import (
    CHANNEL,
    LABELS,
    MARKINGS,
    NAMED_RECIPIENTS,
    OWN_CHANNEL,
    PEOPLE,
    Outcomes,
    Person,
    Probe,
    Relation,
    differences,
    handling,
    marked_indicator,
    open_probe,
    sees,
    wrong_views,
)
from tests.stixgen import identity, stix_id
from tests.world import NODE_HOOKS

ADDRESS = "192.0.2.7"
NETWORK = "192.0.2.0/24"
OWN = "outsider-own"
H3_ADDRESS = "198.51.100.99"  # outside the network above: its own key
H3 = {"handling_codes": ["H3"], "h3_text": "Ask the producer's desk before any use"}
MAN = "Amir Khalilov"


@dataclass
class CorrelationWorld:
    """The matrix world with objects sharing an address at every marking."""

    probe: Probe
    ids: dict[str, str]  # label (or OWN) -> id of the object carrying the address
    h3_ids: dict[str, str] = field(default_factory=dict)  # label -> H3 indicator
    man_ids: dict[str, str] = field(default_factory=dict)  # label -> identity of the man
    entity: str = ""  # the man's entity

    def label_of(self, ident: str) -> str:
        return next((label for label, i in self.ids.items() if i == ident), f"?{ident}")


@pytest.fixture
def corr_world(database: Database, database_url: str) -> Iterator[CorrelationWorld]:
    with open_probe(database, database_url) as probe:
        ids: dict[str, str] = {}
        envelope = []
        for n, (label, tlp) in enumerate(MARKINGS.items()):
            recipients = NAMED_RECIPIENTS if tlp is Tlp.RED else ()
            obj = marked_indicator(
                100 + n,
                tlp,
                recipients,
                ident=stix_id("indicator"),
                pattern=f"[ipv4-addr:value = '{ADDRESS}']",
            )
            ids[label] = obj["id"]
            envelope.append(obj)
        assert not probe.world.post("producer-liaison", envelope).failures
        own = marked_indicator(200, None, pattern=f"[ipv4-addr:value = '{NETWORK}']")
        with database.read() as conn:
            outsider = viewer_by_name(conn, "outsider-liaison")
        posted = ingest(database, NODE_HOOKS, outsider, probe.world.channels[OWN_CHANNEL], [own])
        assert not posted.failures
        ids[OWN] = own["id"]
        yield _with_h3_and_entity(CorrelationWorld(probe, ids))


def _with_h3_and_entity(world: CorrelationWorld) -> CorrelationWorld:
    """Post, per marking, an H3 indicator of another address and an identity of one man."""
    for n, (label, tlp) in enumerate(MARKINGS.items()):
        recipients = NAMED_RECIPIENTS if tlp is Tlp.RED else ()
        told = marked_indicator(
            300 + n, tlp, recipients, pattern=f"[ipv4-addr:value = '{H3_ADDRESS}']"
        )
        told.setdefault("extensions", {}).setdefault(
            HANDLING_EXTENSION_ID, {"extension_type": "property-extension"}
        ).update(H3)
        man = {**identity(MAN), **handling(tlp, recipients)}
        assert not world.probe.world.post("producer-liaison", [told, man]).failures
        world.h3_ids[label], world.man_ids[label] = told["id"], man["id"]
    with world.probe.world.database.read() as conn:
        world.entity = conn.execute(
            select(entity_links.c.entity_id).where(entity_links.c.stix_id == world.man_ids["CLEAR"])
        ).scalar_one()
    return world


# What the rules allow, by hand.


def sees_own(person: Person) -> bool:
    return person.relation is Relation.NON_MEMBER and person.role is not Role.AUDITOR


def visible(person: Person, subject: str) -> bool:
    return sees_own(person) if subject == OWN else sees(person, subject)


def where(subject: str) -> str:
    return OWN_CHANNEL if subject == OWN else CHANNEL


def described(labels: list[str], total: int) -> str:
    return f"200 total={total} " + ",".join(sorted(f"{label}@{where(label)}" for label in labels))


def expect_correlate(world: CorrelationWorld, person: Person, limit: int | None = None) -> Outcomes:
    found: Outcomes = {}
    for subject in [*LABELS, OWN]:
        if person.role is Role.AUDITOR:
            found[subject] = "403"
        elif not visible(person, subject):
            found[subject] = "404"
        else:
            others = [s for s in [*LABELS, OWN] if s != subject and visible(person, s)]
            # Listed first by id: what is shown depends on the visible ids only.
            shown = sorted(others, key=lambda label: world.ids[label])[:limit]
            found[subject] = described(shown, len(others))
    return found


def expect_lookup(world: CorrelationWorld, person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {ADDRESS: "403", NETWORK: "403"}
    seen = [s for s in [*LABELS, OWN] if visible(person, s)]
    return {ADDRESS: described(seen, len(seen)), NETWORK: described(seen, len(seen))}


# What correlation shows.


def summarise(world: CorrelationWorld, body: dict[str, Any]) -> str:
    """Describe an answer: total, and each object listed with its channels; check counts."""
    listed: list[str] = []
    for group in body["groups"]:
        assert group["more"] == (group["count"] > len(group["objects"])), group
        listed += [f"{world.label_of(o['id'])}@{','.join(o['channels'])}" for o in group["objects"]]
        assert group["count"] == body["total"], body  # one key here: one group holds all
    return f"200 total={body['total']} " + ",".join(sorted(listed))


def observe_correlate_rest(world: CorrelationWorld, person: Person, limit: int = 50) -> Outcomes:
    token = world.probe.world.tokens[person.username]
    found: Outcomes = {}
    for subject, ident in world.ids.items():
        answer = world.probe.client.get(
            f"/api/correlations/{ident}",
            params={"limit": limit},
            headers={"Authorization": f"Bearer {token}"},
        )
        if answer.status_code == 404:
            assert answer.json()["description"] == f"no object {ident!r}", answer.text
        found[subject] = (
            summarise(world, answer.json())
            if answer.status_code == 200
            else str(answer.status_code)
        )
    return found


def observe_correlate_cli(world: CorrelationWorld, person: Person) -> Outcomes:
    env = {"PASSERELLE_DB": world.probe.database_url, "PASSERELLE_USER": person.username}
    found: Outcomes = {}
    for subject, ident in world.ids.items():
        result = world.probe.runner.invoke(cli, ["correlate", ident, "--json"], env=env)
        if result.exit_code != 0:
            output = result.output
            found[subject] = "403" if "auditors" in output else "404"
            if found[subject] == "404":
                assert f"no object {ident!r}" in output, output
        else:
            found[subject] = summarise(world, json.loads(result.stdout))
    return found


def observe_lookup_rest(world: CorrelationWorld, person: Person) -> Outcomes:
    token = world.probe.world.tokens[person.username]
    found: Outcomes = {}
    for value in (ADDRESS, NETWORK):
        answer = world.probe.client.get(
            "/api/lookup", params={"value": value}, headers={"Authorization": f"Bearer {token}"}
        )
        found[value] = (
            summarise(world, answer.json())
            if answer.status_code == 200
            else str(answer.status_code)
        )
    return found


def observe_lookup_cli(world: CorrelationWorld, person: Person) -> Outcomes:
    env = {"PASSERELLE_DB": world.probe.database_url, "PASSERELLE_USER": person.username}
    found: Outcomes = {}
    for value in (ADDRESS, NETWORK):
        result = world.probe.runner.invoke(cli, ["lookup", value, "--json"], env=env)
        if result.exit_code != 0:
            found[value] = "403" if "auditors" in result.output else f"refused {result.output}"
        else:
            found[value] = summarise(world, json.loads(result.stdout))
    return found


def observe_h3(world: CorrelationWorld, person: Person) -> Outcomes:
    token = world.probe.world.tokens[person.username]
    headers = {"Authorization": f"Bearer {token}"}
    answer = world.probe.client.get("/api/lookup", params={"value": H3_ADDRESS}, headers=headers)
    if answer.status_code != 200:
        return {"lookup": str(answer.status_code)}
    label_of = {i: label for label, i in world.h3_ids.items()}
    found: Outcomes = {}
    for group in answer.json()["groups"]:
        for o in group["objects"]:
            shown = "withheld" if o["withheld"] else "shown"
            if o["name"] or o["via"]:
                shown += f" {o['name']!r} {o['via']}"
            found[f"lookup {label_of.get(o['id'], o['id'])}"] = shown
    for label, ident in world.h3_ids.items():
        asked = world.probe.client.get(f"/api/correlations/{ident}", headers=headers)
        found[f"correlate {label}"] = str(asked.status_code)
    return found


def expect_h3(world: CorrelationWorld, person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {"lookup": "403"}
    found: Outcomes = {f"lookup {label}": "withheld" for label in LABELS if sees(person, label)}
    for label in LABELS:
        found[f"correlate {label}"] = "403" if sees(person, label) else "404"
    return found


def observe_entity(world: CorrelationWorld, person: Person) -> Outcomes:
    token = world.probe.world.tokens[person.username]
    headers = {"Authorization": f"Bearer {token}"}
    label_of = {i: label for label, i in world.man_ids.items()}
    found: Outcomes = {}
    looked = world.probe.client.get(
        "/api/lookup", params={"value": f"entity:{world.entity}"}, headers=headers
    )
    if looked.status_code == 200:
        body = looked.json()
        listed = sorted(label_of[o["id"]] for g in body["groups"] for o in g["objects"])
        found["lookup"] = f"total={body['total']} " + ",".join(listed)
    else:
        found["lookup"] = str(looked.status_code)
    asked = world.probe.client.get(f"/api/correlations/{world.man_ids['CLEAR']}", headers=headers)
    if asked.status_code == 200:
        groups = {g["key"]: g for g in asked.json()["groups"]}
        group = groups.get(f"entity:{world.entity}", {"objects": []})
        found["correlate"] = ",".join(sorted(label_of[o["id"]] for o in group["objects"]))
    else:
        found["correlate"] = str(asked.status_code)
    return found


def expect_entity(world: CorrelationWorld, person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {"lookup": "403", "correlate": "403"}
    seen = [label for label in LABELS if sees(person, label)]
    if not seen:
        return {"lookup": "404", "correlate": "404"}
    return {
        "lookup": f"total={len(seen)} " + ",".join(sorted(seen)),
        "correlate": ",".join(sorted(label for label in seen if label != "CLEAR")),
    }


PATHS = {
    "rest-correlate": (observe_correlate_rest, expect_correlate),
    "cli-correlate": (observe_correlate_cli, expect_correlate),
    "rest-lookup": (observe_lookup_rest, expect_lookup),
    "cli-lookup": (observe_lookup_cli, expect_lookup),
    "rest-h3": (observe_h3, expect_h3),
    "rest-entity-group": (observe_entity, expect_entity),
}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_correlation_shows_exactly_what_the_handling_rules_allow(
    corr_world: CorrelationWorld, path: str
) -> None:
    observe, expect = PATHS[path]
    failures = wrong_views(
        path,
        lambda person: expect(corr_world, person),
        lambda person: observe(corr_world, person),
    )
    assert not failures, f"{len(failures)} viewer(s) see the wrong thing:\n" + "\n".join(failures)


def test_counts_stay_exact_when_the_listing_is_cut(corr_world: CorrelationWorld) -> None:
    """With one object listed per key, the count still counts only what the person sees,
    and the one listed is the first by id of what they see (no gap betrays the others)."""
    failures = []
    for person in PEOPLE:
        expected = expect_correlate(corr_world, person, limit=1)
        wrong = differences(expected, observe_correlate_rest(corr_world, person, limit=1))
        if wrong:
            failures.append(f"limit=1 as {person}:\n    " + "\n    ".join(wrong))
    assert not failures, "\n".join(failures)


def test_the_expectations_are_not_vacuous() -> None:
    """Someone correlates across the whole matrix; someone sees only part of it; the
    outsider's own object correlates for nobody else."""
    totals = {p.username: sum(visible(p, s) for s in [*LABELS, OWN]) for p in PEOPLE}
    assert max(totals.values()) == len(LABELS)
    assert len(set(totals.values())) >= 4
    assert [p.username for p in PEOPLE if sees_own(p)] == [
        p.username
        for p in PEOPLE
        if p.relation is Relation.NON_MEMBER and p.role is not Role.AUDITOR
    ]


def test_a_missing_id_answers_like_a_hidden_one(corr_world: CorrelationWorld) -> None:
    token = corr_world.probe.world.tokens["client-analyst"]
    missing = f"indicator--{uuid.uuid4()}"
    hidden = corr_world.ids["AMBER+STRICT"]
    answers = [
        corr_world.probe.client.get(
            f"/api/correlations/{ident}", headers={"Authorization": f"Bearer {token}"}
        )
        for ident in (missing, hidden)
    ]
    assert [a.status_code for a in answers] == [404, 404]
    bodies = [a.json() for a in answers]
    bodies[0]["description"] = bodies[0]["description"].replace(missing, hidden)
    assert bodies[0] == bodies[1]
