"""The access matrix for entity resolution's read paths: resolve and entity show.

In the matrix world (tests/access_world.py), the producer organisation's liaison posts an
identity per TLP level with a name of its own, and the same man ("Amir Khalilov") at every
level, which resolve to one entity. What each person of the world sees of those entities,
their names and their links is compared with what the handling rules allow: a name or a
link learnt from an object only for those who may see that object, and an entity none of
whose names one may see answers like one that does not exist.
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
    LABELS,
    MARKINGS,
    NAMED_RECIPIENTS,
    PEOPLE,
    Outcomes,
    Person,
    Probe,
    handling,
    open_probe,
    sees,
    wrong_views,
)
from tests.stixgen import identity

SHARED = "Amir Khalilov"
# Names of one's own, unlike each other and unlike any shipped alias.
OWN = {
    "CLEAR": "Zoltan Brezhnevsky",
    "GREEN": "Quentin Haldorsen",
    "AMBER": "Yusuf Marwanzadeh",
    "AMBER+STRICT": "Oleander Pitkanen",
    "RED": "Tiberius Okonkwo",
    "unmarked": "Casimir Vandewalle",
}


@dataclass
class EntityWorld:
    probe: Probe
    ids: dict[str, str]  # label -> identity id (own name)
    shared_ids: dict[str, str]  # label -> identity id (shared name)

    def get(self, person: Person, path: str, **params: str) -> tuple[int, Any]:
        token = self.probe.world.tokens[person.username]
        answer = self.probe.client.get(
            path, params=params, headers={"Authorization": f"Bearer {token}"}
        )
        return answer.status_code, answer.json()


def _marked(name: str, label: str) -> dict[str, Any]:
    tlp = MARKINGS[label]
    obj = identity(name)
    if tlp is not None:
        obj["object_marking_refs"] = [TLP2_IDS[tlp]]
    recipients = NAMED_RECIPIENTS if label == "RED" else ()
    if recipients:
        obj.update(handling(tlp, recipients))
    return obj


@pytest.fixture
def entity_world(database: Database, database_url: str) -> Iterator[EntityWorld]:
    with open_probe(database, database_url) as probe:
        own = {label: _marked(OWN[label], label) for label in LABELS}
        shared = {label: _marked(SHARED, label) for label in LABELS}
        for label in LABELS:
            posted = probe.world.post("producer-liaison", [own[label], shared[label]])
            assert not posted.failures, posted.failures
        yield EntityWorld(
            probe,
            {label: obj["id"] for label, obj in own.items()},
            {label: obj["id"] for label, obj in shared.items()},
        )


def observe_resolve(world: EntityWorld, person: Person) -> Outcomes:
    found: Outcomes = {}
    for label in LABELS:
        status, body = world.get(person, "/api/resolve", name=OWN[label], type="person")
        if status != 200:
            found[label] = str(status)
            continue
        matched = [c for c in body if c["best_name"] == OWN[label]]
        found[label] = "found" if matched else "not found"
    status, body = world.get(person, "/api/resolve", name=SHARED, type="person")
    if status == 200:
        found["shared"] = ",".join(sorted({c["name"] for c in body if c["name"] == SHARED}))
        found["shared names"] = ",".join(str(c["names"]) for c in body if c["name"] == SHARED)
    else:
        found["shared"] = str(status)
    return found


def expect_resolve(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return dict.fromkeys(LABELS, "403") | {"shared": "403"}
    found = {label: "found" if sees(person, label) else "not found" for label in LABELS}
    visible = sum(sees(person, label) for label in LABELS)
    found["shared"] = SHARED if visible else ""
    found["shared names"] = str(visible) if visible else ""
    return found


def _shared_entity(world: EntityWorld) -> str:
    producer = next(p for p in PEOPLE if p.username == "producer-analyst")
    status, body = world.get(producer, "/api/resolve", name=SHARED, type="person")
    assert status == 200
    return str(body[0]["entity_id"])


def observe_show(world: EntityWorld, person: Person) -> Outcomes:
    entity = _shared_entity(world)
    status, body = world.get(person, f"/api/entities/{entity}")
    if status != 200:
        return {"status": str(status)}
    by_id = {v: k for k, v in world.shared_ids.items()}
    found: Outcomes = {"status": "200"}
    for link in body["links"]:
        found[f"link {by_id.get(link['object_id'], link['object_id'])}"] = link["status"]
    for name in body["names"]:
        if name["object_id"]:
            found[f"name from {by_id.get(name['object_id'], name['object_id'])}"] = name["name"]
    found["objects"] = ",".join(sorted(by_id.get(o, o) for o in body["objects"]))
    return found


def expect_show(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {"status": "403"}
    visible = [label for label in LABELS if sees(person, label)]
    if not visible:
        return {"status": "404"}
    found: Outcomes = {"status": "200"}
    for label in visible:
        found[f"link {label}"] = "auto"
        found[f"name from {label}"] = SHARED
    found["objects"] = ",".join(sorted(visible))
    return found


@dataclass(frozen=True)
class EntityPath:
    name: str
    observe: Callable[[EntityWorld, Person], Outcomes]
    expect: Callable[[Person], Outcomes]


ENTITY_PATHS = [
    EntityPath("api-resolve", observe_resolve, expect_resolve),
    EntityPath("api-entity-show", observe_show, expect_show),
]


@pytest.mark.parametrize("path", ENTITY_PATHS, ids=[p.name for p in ENTITY_PATHS])
def test_entity_path_shows_exactly_what_the_rules_allow(
    entity_world: EntityWorld, path: EntityPath
) -> None:
    failures = wrong_views(
        path.name, path.expect, lambda person: path.observe(entity_world, person)
    )
    assert not failures, f"{len(failures)} viewer(s) see the wrong thing:\n" + "\n".join(failures)
