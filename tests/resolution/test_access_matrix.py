"""The access matrix for entity resolution: resolve, entity show, the review decisions.

In the matrix world (tests/access_world.py), the producer organisation's liaison posts
per marking:

- an identity with a name of its own, and the same man ("Amir Khalilov"), which resolve
  to one entity; and that man once more under H3 (nobody has acknowledged it);
- an identity whose first version is TLP:CLEAR and whose second, at that marking, brings
  a new name, an alias and a passport number;
- for each of its own roles, a namesake of a known man waiting in its review queue.

What each person of the world sees of those entities, names, facts and links, and which
review items they may decide, is compared with what the handling rules allow: a name, a
fact or a link learnt from a version only for those who may see that version (an H3 one
listed withheld, with nothing of its content); an entity none of whose names one may see
answers like one that does not exist; a review item is decided by the object's owner
only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from passerelle.policy.roles import Role
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS
from passerelle.store.database import Database
from passerelle.store.entity_tables import entity_links
from tests.access_world import (
    LABELS,
    MARKINGS,
    NAMED_RECIPIENTS,
    PEOPLE,
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

T1 = "2026-02-01T00:00:00.000Z"
H3 = {"handling_codes": ["H3"], "h3_text": "Ask the producer's desk before any use"}
DECIDERS = (Role.ADMIN, Role.ANALYST, Role.LIAISON, Role.NODE)
KNOWN = "Boris Kalmykov"

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


# The first (TLP:CLEAR) and second (at the marking) versions' names, and the second's
# passport: unlike each other, the names above and any shipped alias.
BASE = {
    "CLEAR": "Ingrid Solvang",
    "GREEN": "Teodor Vasquez",
    "AMBER": "Halvard Moreno",
    "AMBER+STRICT": "Priya Ramaswamy",
    "RED": "Lucjan Wozniak",
    "unmarked": "Edmund Achterberg",
}
LATER = {
    "CLEAR": "Wilhelmina Kask",
    "GREEN": "Oswaldo Frei",
    "AMBER": "Nadezhda Orlova",
    "AMBER+STRICT": "Gunnar Tveit",
    "RED": "Ximena Cardenal",
    "unmarked": "Fabrizio Lentini",
}
PASSPORTS = {label: f"P{n:07d}" for n, label in enumerate(LABELS)}


@dataclass
class EntityWorld:
    probe: Probe
    ids: dict[str, str]  # label -> identity id (own name)
    shared_ids: dict[str, str]  # label -> identity id (shared name)
    h3_ids: dict[str, str]  # label -> identity id (shared name, under H3)
    versioned: dict[str, str]  # label -> entity of the identity in two versions
    review: dict[tuple[str, Role], str]  # (label, deciding role) -> namesake id
    known: str  # the entity the namesakes may be

    def get(self, person: Person, path: str, **params: str) -> tuple[int, Any]:
        token = self.probe.world.tokens[person.username]
        answer = self.probe.client.get(
            path, params=params, headers={"Authorization": f"Bearer {token}"}
        )
        return answer.status_code, answer.json()

    def post(self, person: Person, path: str) -> int:
        token = self.probe.world.tokens[person.username]
        answer = self.probe.client.post(path, headers={"Authorization": f"Bearer {token}"})
        return answer.status_code


def _marked(name: str, label: str, **extra: Any) -> dict[str, Any]:
    tlp = MARKINGS[label]
    obj = identity(name, **extra)
    if tlp is not None:
        obj["object_marking_refs"] = [TLP2_IDS[tlp]]
    recipients = NAMED_RECIPIENTS if label == "RED" else ()
    if recipients:
        obj.update(handling(tlp, recipients))
    return obj


def _under_h3(obj: dict[str, Any]) -> dict[str, Any]:
    extensions = obj.setdefault("extensions", {})
    props = extensions.setdefault(HANDLING_EXTENSION_ID, {"extension_type": "property-extension"})
    props.update(H3)
    return obj


def _versioned(label: str) -> list[dict[str, Any]]:
    """A first version at TLP:CLEAR, a second at the label with more to say."""
    first = _marked(BASE[label], "CLEAR")
    later = _marked(
        LATER[label],
        label,
        x_aliases=[f"Alias {LATER[label]}"],
        x_passport_number=PASSPORTS[label],
    )
    later.update(id=first["id"], modified=T1)
    return [first, later]


def _post(probe: Probe, *objs: dict[str, Any]) -> None:
    posted = probe.world.post("producer-liaison", list(objs))
    assert not posted.failures, posted.failures


@pytest.fixture
def entity_world(database: Database, database_url: str) -> Iterator[EntityWorld]:
    with open_probe(database, database_url) as probe:
        own = {label: _marked(OWN[label], label) for label in LABELS}
        shared = {label: _marked(SHARED, label) for label in LABELS}
        for label in LABELS:
            _post(probe, own[label], shared[label])
        told = {label: _under_h3(_marked(SHARED, label)) for label in LABELS}
        _post(probe, *told.values())
        versioned = {label: _versioned(label) for label in LABELS}
        for first, later in versioned.values():
            _post(probe, first)
            _post(probe, later)
        known = identity(KNOWN, x_birth_date="1970-01-01")
        _post(probe, known)
        review = {
            (label, role): _marked(KNOWN, label, x_birth_date="1985-05-05")
            for label in LABELS
            for role in DECIDERS
        }
        _post(probe, *review.values())
        yield EntityWorld(
            probe,
            {label: obj["id"] for label, obj in own.items()},
            {label: obj["id"] for label, obj in shared.items()},
            {label: obj["id"] for label, obj in told.items()},
            {label: _entity_of(database, pair[0]["id"]) for label, pair in versioned.items()},
            {key: obj["id"] for key, obj in review.items()},
            _entity_of(database, known["id"]),
        )


def _entity_of(database: Database, stix_id: str) -> str:
    with database.read() as conn:
        found = conn.execute(
            select(entity_links.c.entity_id).where(
                entity_links.c.stix_id == stix_id, entity_links.c.status == "auto"
            )
        ).scalar_one()
    return str(found)


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
    by_id |= {v: f"h3 {k}" for k, v in world.h3_ids.items()}
    found: Outcomes = {"status": "200"}
    for link in body["links"]:
        shown = [link["status"]]
        if link["withheld"]:
            shown.append("withheld")
        if link["object_name"] or link["reasons"] or link["best_name"]:
            shown.append(f"named {link['object_name']!r}")
        found[f"link {by_id.get(link['object_id'], link['object_id'])}"] = " ".join(shown)
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
        found[f"link {label}"] = f"auto named {SHARED!r}"
        found[f"name from {label}"] = SHARED
        # under H3: listed, withheld, nothing of its content (nobody acknowledged it)
        found[f"link h3 {label}"] = "auto withheld"
    found["objects"] = ",".join(sorted([*visible, *(f"h3 {label}" for label in visible)]))
    return found


def observe_versions(world: EntityWorld, person: Person) -> Outcomes:
    found: Outcomes = {}
    for label in LABELS:
        entity = world.versioned[label]
        status, body = world.get(person, f"/api/entities/{entity}")
        if status != 200:
            found[label] = str(status)
            continue
        names = {n["name"] for n in body["names"]}
        shown = [n for n in (BASE[label], LATER[label], f"Alias {LATER[label]}") if n in names]
        _status, ranked = world.get(
            person, "/api/resolve", name=BASE[label], identifiers=PASSPORTS[label]
        )
        reasons = [r for c in ranked if c["entity_id"] == entity for r in c["reasons"]]
        if any(r.startswith("identifier equal") for r in reasons):
            shown.append("passport")
        found[label] = ", ".join(shown)
        found[f"{label} object"] = ",".join(link["object_name"] for link in body["links"])
    return found


def expect_versions(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return dict.fromkeys(LABELS, "403")
    if not sees(person, "CLEAR"):
        return dict.fromkeys(LABELS, "404")
    found: Outcomes = {}
    for label in LABELS:
        later = sees(person, label)
        found[label] = BASE[label] + (
            f", {LATER[label]}, Alias {LATER[label]}, passport" if later else ""
        )
        found[f"{label} object"] = LATER[label] if later else BASE[label]
    return found


def observe_decide(world: EntityWorld, person: Person) -> Outcomes:
    """Try to decide a review item of each marking: a deciding role of the producer its
    own item (accepting it), anyone else the analyst's (both ways)."""
    deciding = person.relation is Relation.PRODUCER and person.role in DECIDERS
    role = person.role if deciding else Role.ANALYST
    found: Outcomes = {}
    for label in LABELS:
        path = f"/api/review/{world.review[(label, role)]}/{world.known}"
        verbs = ("accept",) if deciding else ("reject", "accept")
        found[label] = ",".join(str(world.post(person, f"{path}/{verb}")) for verb in verbs)
    return found


def expect_decide(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return dict.fromkeys(LABELS, "403,403")
    if person.relation is Relation.PRODUCER:
        return dict.fromkeys(LABELS, "200")
    return dict.fromkeys(LABELS, "404,404")


@dataclass(frozen=True)
class EntityPath:
    name: str
    observe: Callable[[EntityWorld, Person], Outcomes]
    expect: Callable[[Person], Outcomes]


ENTITY_PATHS = [
    EntityPath("api-resolve", observe_resolve, expect_resolve),
    EntityPath("api-entity-show", observe_show, expect_show),
    EntityPath("api-versions", observe_versions, expect_versions),
    EntityPath("api-review-decide", observe_decide, expect_decide),
]
# Those who may not decide try first, while every item is still waiting.
DECIDING_LAST = sorted(PEOPLE, key=lambda p: p.relation is Relation.PRODUCER)


@pytest.mark.parametrize("path", ENTITY_PATHS, ids=[p.name for p in ENTITY_PATHS])
def test_entity_path_shows_exactly_what_the_rules_allow(
    entity_world: EntityWorld, path: EntityPath
) -> None:
    failures = wrong_views(
        path.name,
        path.expect,
        lambda person: path.observe(entity_world, person),
        DECIDING_LAST,
    )
    assert not failures, f"{len(failures)} viewer(s) see the wrong thing:\n" + "\n".join(failures)
