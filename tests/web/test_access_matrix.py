"""The access matrix extended to the web interface: for every person of the matrix world
(tests/access_world.py, with the workflow matrix's tips, RFI and watch), the inbox and
every tip page show exactly what the rules allow, compared with the rules written out by
hand (``sees``, ``receives``), never with the code under test. A tip a person may not know
of leaves no trace on their pages: no id, no name, no count, no badge."""

from __future__ import annotations

from fastapi import FastAPI

from passerelle.policy.roles import Role
from tests.access_world import LABELS, Outcomes, Person, Relation, wrong_views
from tests.security.test_access_matrix_workflow import TipWorld, receives, sent_by_org
from tests.web.support import rendered, session_client


def _counter(html: str) -> str:
    """The first counter of the inbox: open tips received ('-' when there is none)."""
    start = html.find('class="counters"')
    if start < 0:
        return "-"
    return html[start:].split('<span class="count">', 1)[1].split("<", 1)[0]


def _traces(world: TipWorld, html: str) -> list[str]:
    """The labels of the matrix whose tip id, object id or object name a page holds."""
    found = []
    for label in LABELS:
        obj = world.probe.world.latest(label)
        marks = (world.tip_of[label], obj["id"], obj["name"] + "<")
        if any(mark in html for mark in marks):
            found.append(label)
    return found


def observe_inbox(world: TipWorld, app: FastAPI, person: Person) -> Outcomes:
    with session_client(app, world.probe.world.database, person.username) as client:
        answer = client.get("/")
    html = answer.text
    received, _, sent = html.partition('id="sent-title"')
    return {
        "status": str(answer.status_code),
        "received": ",".join(sorted(world.label_of(t) for t in rendered(received, "tip"))),
        "sent": ",".join(sorted(world.label_of(t) for t in rendered(sent, "tip"))),
        "counter": _counter(html),
        "rfis": str(len(rendered(html, "rfi"))),
        "hits": str(len(rendered(html, "hit"))),
        "traces": ",".join(_traces(world, html)),
        "red badge": str("TLP:RED" in html),
    }


def expect_inbox(person: Person) -> Outcomes:
    worker = person.role is not Role.AUDITOR
    received = [label for label in LABELS if worker and receives(person, label)]
    sent = list(LABELS) if sent_by_org(person) else []
    member = person.relation in (Relation.MEMBER, Relation.NAMED)
    return {
        "status": "200",
        "received": ",".join(sorted(received)),
        "sent": ",".join(sorted(sent)),
        "counter": str(len(received)) if worker else "-",
        "rfis": "1" if worker and member else "0",
        "hits": "1" if worker and person.relation is Relation.PRODUCER else "0",
        "traces": ",".join(label for label in LABELS if label in received or label in sent),
        "red badge": "False",
    }


def observe_tip_pages(world: TipWorld, app: FastAPI, person: Person) -> Outcomes:
    found: Outcomes = {}
    with session_client(app, world.probe.world.database, person.username) as client:
        for label, tip_id in world.tip_of.items():
            answer = client.get(f"/tips/{tip_id}")
            found[label] = str(answer.status_code)
            objects = [world.probe.world.label_of(o) for o in rendered(answer.text, "object")]
            if answer.status_code == 200:
                found[f"{label} receipts"] = ",".join(rendered(answer.text, "organisation"))
                found[f"{label} objects"] = ",".join(objects)
                found[f"{label} badge"] = str(f">{_badge(label)}<" in answer.text)
            # The language links go back to the page asked for: the id the person typed.
            elif objects or _traces(world, answer.text.replace(f"next=/tips/{tip_id}", "")):
                found[f"{label} trace"] = "leaked"
    return found


def _badge(label: str) -> str:
    # What the tip page shows of each matrix object's TLP (unmarked: the channel's AMBER).
    return "TLP:AMBER" if label == "unmarked" else f"TLP:{label}"


def expect_tip_pages(person: Person) -> Outcomes:
    found: Outcomes = {}
    for label in LABELS:
        if person.role is Role.AUDITOR:
            found[label] = "403"
        elif sent_by_org(person) or receives(person, label):
            found[label] = "200"
            found[f"{label} receipts"] = "member"
            found[f"{label} objects"] = label
            found[f"{label} badge"] = "True"
        else:
            found[label] = "404"
    return found


def test_the_inbox_shows_exactly_what_the_rules_allow(tip_world: TipWorld) -> None:
    app = tip_world.probe.client.app
    assert isinstance(app, FastAPI)
    failures = wrong_views(
        "web-inbox", expect_inbox, lambda person: observe_inbox(tip_world, app, person)
    )
    assert not failures, f"{len(failures)} viewer(s) see the wrong thing:\n" + "\n".join(failures)


def test_tip_pages_show_exactly_what_the_rules_allow(tip_world: TipWorld) -> None:
    app = tip_world.probe.client.app
    assert isinstance(app, FastAPI)
    failures = wrong_views(
        "web-tip", expect_tip_pages, lambda person: observe_tip_pages(tip_world, app, person)
    )
    assert not failures, f"{len(failures)} viewer(s) see the wrong thing:\n" + "\n".join(failures)
