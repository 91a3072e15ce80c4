"""The access matrix extended to the entity page, the review queue and the graph: for
every person of the entity matrix world (tests/resolution/test_access_matrix.py), what
each page and the graph's data show is compared with the rules written out by hand
(``sees``), never with the code under test.

The graph world adds, in the matrix channel, TLP:CLEAR relationships from the CLEAR
identity to the identity of every other marking (a relationship is visible only to those
who may see both its ends), and an AMBER indicator carrying the RED indicator's address
(it correlates with the RED one for those who may see it). A RED object leaves no node,
no label and no count in the graph of anyone who may not see it. A review decision by
anyone but the object's owner is refused, and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from passerelle.policy.roles import Role
from passerelle.stix.markings import TLP2_IDS, Tlp
from passerelle.store.entity_tables import entity_links
from tests.access_world import LABELS, PEOPLE, Outcomes, Person, Relation, relationship, sees
from tests.access_world import wrong_views as _wrong_views
from tests.resolution.test_access_matrix import (  # noqa: F401 (its fixture)
    DECIDERS,
    DECIDING_LAST,
    SHARED,
    EntityWorld,
    entity_world,
)
from tests.stixgen import indicator
from tests.web.support import csrf_of, rendered, session_client

GUESS = "entity--00000000-0000-4000-8000-000000000000"


@dataclass
class GraphWorld:
    """The entity world, with relationships and an echo of the RED indicator."""

    entities: EntityWorld
    app: FastAPI
    shared_entity: str
    relationships: dict[str, str]  # label -> relationship from shared CLEAR
    echo: str

    def label_of(self, ident: str) -> str:
        """Name an id of the world by what it is ('?' for anything else)."""
        world = self.entities
        names = {v: f"shared {k}" for k, v in world.shared_ids.items()}
        names |= {v: f"h3 {k}" for k, v in world.h3_ids.items()}
        names |= {world.probe.world.id_of(k): f"indicator {k}" for k in LABELS}
        names |= {self.shared_entity: "entity", self.echo: "echo"}
        return names.get(ident, f"?{ident}")

    def red_ids(self) -> list[str]:
        world = self.entities
        return [
            world.shared_ids["RED"],
            world.h3_ids["RED"],
            world.ids["RED"],
            world.probe.world.id_of("RED"),
            self.relationships["RED"],
        ]


def _entity_of(world: EntityWorld, stix_id: str) -> str:
    with world.probe.world.database.read() as conn:
        found = conn.execute(
            select(entity_links.c.entity_id).where(
                entity_links.c.stix_id == stix_id, entity_links.c.status == "auto"
            )
        ).scalar_one()
    return str(found)


@pytest.fixture
def graph_world(entity_world: EntityWorld) -> GraphWorld:  # noqa: F811
    world = entity_world.probe.world
    clear = entity_world.shared_ids["CLEAR"]
    related = {
        label: relationship(clear, entity_world.shared_ids[label], Tlp.CLEAR)
        for label in LABELS
        if label != "CLEAR"
    }
    echo = indicator(42, pattern=world.latest("RED")["pattern"], name="Bad address echo")
    echo.update(object_marking_refs=[TLP2_IDS[Tlp.AMBER]])
    posted = world.post("producer-liaison", [*related.values(), echo])
    assert not posted.failures, posted.failures
    app = entity_world.probe.client.app
    assert isinstance(app, FastAPI)
    return GraphWorld(
        entity_world,
        app,
        _entity_of(entity_world, clear),
        {label: str(obj["id"]) for label, obj in related.items()},
        str(echo["id"]),
    )


def wrong_views(name: str, expect: Any, observe: Any, people: Any = PEOPLE) -> None:
    failures = _wrong_views(name, expect, observe, people)
    assert not failures, f"{len(failures)} viewer(s) see the wrong thing:\n" + "\n".join(failures)


# The entity page -----------------------------------------------------------------------


def observe_entity_page(world: GraphWorld, person: Person) -> Outcomes:
    database = world.entities.probe.world.database
    with session_client(world.app, database, person.username) as client:
        answer = client.get(f"/entities/{world.shared_entity}")
        prefix = client.get(f"/entities/{world.shared_entity.removeprefix('entity--')[:8]}")
        guessed = client.get(f"/entities/{GUESS}")
    html = answer.text
    found: Outcomes = {"status": str(answer.status_code), "prefix": str(prefix.status_code)}
    if answer.status_code != 200:
        hidden = html.replace(world.shared_entity, GUESS) == guessed.text
        found["like guessed"] = str(hidden)
        return found
    rows = html.split('data-link="')[1:]
    for row in rows:
        ident, rest = row.split('"', 1)
        shown = "named" if f"{SHARED}</a>" in rest.split("</tr>", 1)[0] else "unnamed"
        found[f"link {world.label_of(ident)}"] = shown
    linked = [world.label_of(i) for i in rendered(html, "object")]
    found["objects"] = ",".join(sorted(linked))
    found["names"] = ",".join(sorted(set(rendered(html, "name"))))
    found["red trace"] = str(any(i in html for i in world.red_ids()))
    return found


def expect_entity_page(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {"status": "403", "prefix": "403", "like guessed": "True"}
    visible = [label for label in LABELS if sees(person, label)]
    if not visible:
        return {"status": "404", "prefix": "404", "like guessed": "True"}
    found: Outcomes = {"status": "200", "prefix": "200"}
    for label in visible:
        found[f"link shared {label}"] = "named"
        found[f"link h3 {label}"] = "unnamed"  # withheld under H3: nothing of its content
    found["objects"] = ",".join(
        sorted([f"shared {x}" for x in visible] + [f"h3 {x}" for x in visible])
    )
    found["names"] = SHARED
    found["red trace"] = str(sees(person, "RED"))
    return found


def test_the_entity_page_shows_exactly_what_the_rules_allow(graph_world: GraphWorld) -> None:
    wrong_views(
        "web-entity",
        expect_entity_page,
        lambda person: observe_entity_page(graph_world, person),
    )


# The review queue and its decisions ------------------------------------------------------


def _queue_labels(world: EntityWorld, html: str) -> str:
    by_id = {obj: f"{label}/{role}" for (label, role), obj in world.review.items()}
    items = [r.split(" ")[0] for r in rendered(html, "review")]
    return ",".join(sorted(by_id.get(i, f"?{i}") for i in items))


def _status_of(world: EntityWorld, object_id: str) -> str:
    with world.probe.world.database.read() as conn:
        return str(
            conn.execute(
                select(entity_links.c.status).where(
                    entity_links.c.stix_id == object_id, entity_links.c.entity_id == world.known
                )
            ).scalar_one()
        )


def observe_review(world: EntityWorld, app: FastAPI, person: Person) -> Outcomes:
    """The queue, then a decision on an item of each marking: a deciding role of the
    producer accepts its own; anyone else tries the analyst's, both ways."""
    deciding = person.relation is Relation.PRODUCER and person.role in DECIDERS
    role = person.role if deciding else Role.ANALYST
    found: Outcomes = {}
    with session_client(app, world.probe.world.database, person.username) as client:
        queue = client.get("/entities/review")
        found["queue"] = f"{queue.status_code} " + _queue_labels(world, queue.text)
        token = csrf_of(client.get("/").text)
        for label in LABELS:
            object_id = world.review[(label, role)]
            answers = []
            for verb in ("accept",) if deciding else ("reject", "accept"):
                answer = client.post(
                    f"/entities/review/{verb}",
                    data={"csrf": token, "object_id": object_id, "entity_id": world.known},
                    follow_redirects=False,
                )
                answers.append(str(answer.status_code))
            found[label] = ",".join(answers) + " " + _status_of(world, object_id)
    return found


def expect_review(person: Person) -> Outcomes:
    deciding = person.relation is Relation.PRODUCER and person.role in DECIDERS
    if person.role is Role.AUDITOR:
        return {"queue": "403 ", **dict.fromkeys(LABELS, "403,403 review")}
    if not deciding:
        return {"queue": "200 ", **dict.fromkeys(LABELS, "404,404 review")}
    # Decided before this person: the items of the deciding roles listed before theirs.
    done = DECIDERS[: DECIDERS.index(person.role)]
    waiting = [f"{label}/{role}" for label in LABELS for role in DECIDERS if role not in done]
    return {"queue": "200 " + ",".join(sorted(waiting)), **dict.fromkeys(LABELS, "303 accepted")}


def test_the_review_queue_lists_and_decides_only_ones_own_items(
    graph_world: GraphWorld,
) -> None:
    world = graph_world.entities
    people = sorted(DECIDING_LAST, key=lambda p: (p.relation is Relation.PRODUCER, _order(p)))
    wrong_views(
        "web-review",
        expect_review,
        lambda person: observe_review(world, graph_world.app, person),
        people,
    )


def _order(person: Person) -> int:
    return DECIDERS.index(person.role) if person.role in DECIDERS else -1


# The graph ------------------------------------------------------------------------------


def _graph(world: GraphWorld, client: Any, **params: str) -> tuple[str, dict[str, Any], str]:
    answer = client.get("/graph/data", params=params)
    return str(answer.status_code), orjson.loads(answer.content), answer.text


def _nodes(world: GraphWorld, body: dict[str, Any]) -> str:
    shown = []
    for node in body.get("nodes", []):
        data = node["data"]
        mark = " withheld" if data["withheld"] else ""
        mark += " named" if data["label"] else ""
        shown.append(world.label_of(data["id"]) + mark)
    return ",".join(sorted(shown))


def observe_graph(world: GraphWorld, person: Person) -> Outcomes:
    found: Outcomes = {}
    texts = []
    database = world.entities.probe.world.database
    clear = world.entities.shared_ids["CLEAR"]
    with session_client(world.app, database, person.username) as client:
        asked = {
            "entity": {"entity": world.shared_entity},
            "object": {"object": clear},
            "echo": {"object": world.echo},
        }
        for name, params in asked.items():
            status, body, text = _graph(world, client, **params)
            found[name] = f"{status} {_nodes(world, body)}".strip()
            found[f"{name} more"] = str(body.get("more", "-"))
            texts.append(text)
        # Two steps out: the nodes reached first in brief, then read in full.
        status, body, text = _graph(world, client, object=clear, depth="2")
        found["object depth 2"] = f"{status} {_nodes(world, body)}".strip()
        texts.append(text)
        page = client.get("/graph", params={"object": clear})
        found["page"] = str(page.status_code)
    found["red trace"] = str(any(i in t for i in world.red_ids() for t in texts))
    return found


def _named(labels: list[str]) -> list[str]:
    return [f"shared {label} named" for label in labels]


def expect_graph(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {
            **dict.fromkeys(("entity", "object", "echo"), "403"),
            "object depth 2": "403",
            **{f"{name} more": "-" for name in ("entity", "object", "echo")},
            "page": "403",
            "red trace": "False",
        }
    visible = [label for label in LABELS if sees(person, label)]
    withheld = [f"h3 {label} withheld" for label in visible]
    entity = ["entity named"] if visible else []
    found: Outcomes = {
        "entity": "200 " + ",".join(sorted(entity + _named(visible) + withheld))
        if visible
        else "404",
        "entity more": "0" if visible else "-",
    }
    if sees(person, "CLEAR"):
        # The CLEAR identity: its relationships to those one sees, and its entity.
        found["object"] = "200 " + ",".join(sorted(entity + _named(visible)))
        found["page"] = "200"
    else:
        found["object"] = found["page"] = "404"
    found["object more"] = "0" if sees(person, "CLEAR") else "-"
    if sees(person, "AMBER"):
        red = ["indicator RED named"] if sees(person, "RED") else []
        found["echo"] = "200 " + ",".join(sorted(["echo named", *red]))
        found["echo more"] = "0"
    else:
        found["echo"], found["echo more"] = "404", "-"
    # Two steps out, the CLEAR identity's graph reaches through its entity every object
    # linked to it that one may see (those withheld under H3 unnamed).
    found["object depth 2"] = found["entity"] if sees(person, "CLEAR") else "404"
    found["red trace"] = str(sees(person, "RED"))
    return found


def test_the_graph_shows_exactly_what_the_rules_allow(graph_world: GraphWorld) -> None:
    wrong_views("web-graph", expect_graph, lambda person: observe_graph(graph_world, person))
