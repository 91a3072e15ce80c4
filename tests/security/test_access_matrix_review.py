"""The access matrix for the review read paths: entity links awaiting review, and intake
drafts. Both belong to the organisation that produced what they are about; within it, a
review item shows only while its object may be seen; nobody else has any trace of either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from passerelle.policy.roles import Role
from passerelle.stix.markings import TLP2_IDS
from passerelle.store.database import Database
from tests.access_world import (
    CHANNEL,
    LABELS,
    MARKINGS,
    NAMED_RECIPIENTS,
    Outcomes,
    Person,
    Probe,
    Relation,
    handling,
    open_probe,
    sees,
    wrong_views,
)
from tests.stixgen import identity

NAME = "Boris Kalmykov"
ARTICLE = "Le FSB a annoncé mardi l'arrestation de M. Ivan Petrov à Saint-Pétersbourg.\n"


@dataclass
class ReviewWorld:
    probe: Probe
    label_of: dict[str, str]  # object id -> label
    draft_id: str

    def get(self, person: Person, path: str) -> tuple[int, Any]:
        token = self.probe.world.tokens[person.username]
        answer = self.probe.client.get(path, headers={"Authorization": f"Bearer {token}"})
        return answer.status_code, answer.json()


def _namesake(label: str) -> dict[str, Any]:
    """The same name as the known man, born fifteen years later: a case for review."""
    obj = identity(NAME, x_birth_date="1985-05-05")
    tlp = MARKINGS[label]
    if tlp is not None:
        obj["object_marking_refs"] = [TLP2_IDS[tlp]]
    if label == "RED":
        obj.update(handling(tlp, NAMED_RECIPIENTS))
    return obj


@pytest.fixture
def review_world(database: Database, database_url: str) -> Iterator[ReviewWorld]:
    with open_probe(database, database_url) as probe:
        known = identity(NAME, x_birth_date="1970-01-01")
        assert not probe.world.post("producer-liaison", [known]).failures
        label_of = {}
        for label in LABELS:
            obj = _namesake(label)
            assert not probe.world.post("producer-liaison", [obj]).failures
            label_of[obj["id"]] = label
        token = probe.world.tokens["producer-liaison"]
        stored = probe.client.post(
            "/api/intake/drafts",
            json={"channel": CHANNEL, "text": ARTICLE, "lang": "fr"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert stored.status_code in (200, 201), stored.text
        yield ReviewWorld(probe, label_of, stored.json()["id"])


def observe_review(world: ReviewWorld, person: Person) -> Outcomes:
    status, body = world.get(person, "/api/review")
    if status != 200:
        return {"status": str(status)}
    found: Outcomes = {"status": "200"}
    for item in body:
        label = world.label_of.get(item["object_id"], item["object_id"])
        found[label] = item["status"]
    return found


def expect_review(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {"status": "403"}
    found: Outcomes = {"status": "200"}
    if person.relation is Relation.PRODUCER:
        found.update({label: "review" for label in LABELS if sees(person, label)})
    return found


def observe_drafts(world: ReviewWorld, person: Person) -> Outcomes:
    status, body = world.get(person, "/api/intake/drafts")
    if status != 200:
        return {"status": str(status)}
    shown = world.get(person, f"/api/intake/drafts/{world.draft_id}")[0]
    return {"status": "200", "listed": str(len(body)), "show": str(shown)}


def expect_drafts(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {"status": "403"}
    mine = person.relation is Relation.PRODUCER
    return {"status": "200", "listed": "1" if mine else "0", "show": "200" if mine else "404"}


def observe_additions(world: ReviewWorld, person: Person) -> Outcomes:
    """Add an entity and a fact to the draft, as each person would try (an attacker from
    another organisation included)."""
    token = world.probe.world.tokens[person.username]
    headers = {"Authorization": f"Bearer {token}"}
    base = f"/api/intake/drafts/{world.draft_id}"
    entity = world.probe.client.post(
        f"{base}/entities", json={"name": "Intrus", "label": "person"}, headers=headers
    )
    number = str(entity.json()["number"]) if entity.status_code == 201 else "1"
    fact = world.probe.client.post(
        f"{base}/facts", json={"subject": number, "object": "1", "kind": "phoned"}, headers=headers
    )
    return {"entity": str(entity.status_code), "fact": str(fact.status_code)}


def expect_additions(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {"entity": "403", "fact": "403"}
    mine = person.relation is Relation.PRODUCER
    return {"entity": "201" if mine else "404", "fact": "201" if mine else "404"}


@dataclass(frozen=True)
class ReviewPath:
    name: str
    observe: Callable[[ReviewWorld, Person], Outcomes]
    expect: Callable[[Person], Outcomes]


REVIEW_PATHS = [
    ReviewPath("api-review", observe_review, expect_review),
    ReviewPath("api-intake-drafts", observe_drafts, expect_drafts),
    ReviewPath("api-intake-additions", observe_additions, expect_additions),
]


@pytest.mark.parametrize("path", REVIEW_PATHS, ids=[p.name for p in REVIEW_PATHS])
def test_review_path_shows_exactly_what_the_rules_allow(
    review_world: ReviewWorld, path: ReviewPath
) -> None:
    failures = wrong_views(
        path.name, path.expect, lambda person: path.observe(review_world, person)
    )
    assert not failures, f"{len(failures)} viewer(s) see the wrong thing:\n" + "\n".join(failures)
