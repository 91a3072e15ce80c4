"""The access matrix extended to the web interface: for every person of the matrix world
(tests/access_world.py, with the workflow matrix's tips, RFI and watch), the inbox and
every tip page show exactly what the rules allow, compared with the rules written out by
hand (``sees``, ``receives``), never with the code under test. A tip a person may not know
of leaves no trace on their pages: no id, no name, no count, no badge."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI
from fastapi.testclient import TestClient

from passerelle.objects.search import SearchFilter, search
from passerelle.policy.roles import Role
from passerelle.stix.markings import TLP2_IDS, Tlp
from tests.access_world import LABELS, Outcomes, Person, Relation, sees, wrong_views
from tests.security.test_access_matrix_workflow import TipWorld, receives, sent_by_org
from tests.stixgen import indicator
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


# Search and object pages --------------------------------------------------------------

ECHO_NAME = "Bad address echo"


def _echo(world: TipWorld) -> str:
    """An AMBER indicator carrying the RED object's address: its page correlates with the
    RED object for those who may see that one, and for nobody else."""
    red = world.probe.world.latest("RED")
    echo = indicator(42, pattern=red["pattern"], name=ECHO_NAME)
    echo.update(object_marking_refs=[TLP2_IDS[Tlp.AMBER]])
    assert not world.probe.world.post("producer-liaison", [echo]).failures
    return str(echo["id"])


def _search_labels(world: TipWorld, client: TestClient, **params: str) -> tuple[int, list[str]]:
    """Walk every page of a search (four results a page); return the status and labels."""
    labels: list[str] = []
    link = "/search?" + urlencode({**params, "size": "4"})
    status = 0
    while link:
        answer = client.get(link)
        status = answer.status_code
        html = answer.text
        results = html.split('id="results-title"', 1)[-1]
        labels += [world.probe.world.label_of(i) for i in rendered(results, "object")]
        found = html.split('rel="next" href="', 1)
        link = found[1].split('"', 1)[0].replace("&amp;", "&") if len(found) > 1 else ""
    return status, labels


def observe_search(world: TipWorld, app: FastAPI, echo: str, person: Person) -> Outcomes:
    found: Outcomes = {}
    red = world.probe.world.id_of("RED")
    with session_client(app, world.probe.world.database, person.username) as client:
        status, labels = _search_labels(world, client, q="bad address")
        found["search"] = f"{status} " + ",".join(labels)
        status, labels = _search_labels(world, client, tlp="TLP:RED", type="indicator")
        found["search red"] = f"{status} " + ",".join(sorted(labels))
        # The RED object's address, looked up as an observable and searched as words.
        page = client.get("/search", params={"q": "10.0.0.4"}).text
        found["red trace"] = str(red in page or "Bad address 4<" in page)
        pages = {}
        for label in LABELS:
            answer = client.get(f"/objects/{world.probe.world.id_of(label)}")
            versions = len(rendered(answer.text, "version"))
            found[f"object {label}"] = f"{answer.status_code} {versions}"
            pages[label] = answer.text
        echo_page = client.get(f"/objects/{echo}")
        correlated = rendered(echo_page.text, "correlated")
        found["echo"] = f"{echo_page.status_code} " + ",".join(
            world.probe.world.label_of(i) for i in correlated
        )
        guess = "indicator--00000000-0000-4000-8000-000000000000"
        guessed = client.get(f"/objects/{guess}")
        found["guessed"] = str(guessed.status_code)
        # The RED object's page, to one who may not see it, is the guessed id's page.
        found["red like guessed"] = str(pages["RED"].replace(red, guess) == guessed.text)
    return found


def expect_search(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {
            "search": "403 ",
            "search red": "403 ",
            "red trace": "False",
            **{f"object {label}": "403 0" for label in LABELS},
            "echo": "403 ",
            "guessed": "403",
            "red like guessed": "True",
        }
    seen = [label for label in LABELS if sees(person, label)]
    # The workflow world's clue (GREEN, "Bad address 99") is one more object for whoever
    # sees GREEN; the echo is AMBER.
    listed = seen + (["?clue"] if sees(person, "GREEN") else [])
    listed += ["?echo"] if sees(person, "AMBER") else []
    return {
        "search": "200 " + ",".join(sorted(listed)),
        "search red": "200 " + ("RED" if sees(person, "RED") else ""),
        "red trace": str(sees(person, "RED")),
        # Both versions of what they see (v1 and v2, each in ``matrix``).
        **{f"object {label}": "200 2" if label in seen else "404 0" for label in LABELS},
        "echo": ("200 " + ("RED" if sees(person, "RED") else ""))
        if sees(person, "AMBER")
        else "404 ",
        "guessed": "404",
        "red like guessed": str(not sees(person, "RED")),
    }


def test_search_and_object_pages_show_exactly_what_the_rules_allow(tip_world: TipWorld) -> None:
    app = tip_world.probe.client.app
    assert isinstance(app, FastAPI)
    echo = _echo(tip_world)
    clue = _clue_id(tip_world)

    def observe(person: Person) -> Outcomes:
        found = observe_search(tip_world, app, echo, person)
        status, _, listed = found["search"].partition(" ")
        named = listed.replace(f"?{echo}", "?echo").replace(f"?{clue}", "?clue")
        found["search"] = f"{status} " + ",".join(sorted(named.split(",") if named else []))
        return found

    failures = wrong_views("web-search", expect_search, observe)
    assert not failures, f"{len(failures)} viewer(s) see the wrong thing:\n" + "\n".join(failures)


def _clue_id(world: TipWorld) -> str:
    viewer = world.probe.world.viewer("producer-liaison")
    with world.probe.world.database.read() as conn:
        page = search(conn, viewer, SearchFilter(text="Bad address 99"), 5)
    assert len(page.found) == 1
    return page.found[0].stix_id


# The audit page ------------------------------------------------------------------------


def observe_audit(world: TipWorld, app: FastAPI, person: Person) -> Outcomes:
    with session_client(app, world.probe.world.database, person.username) as client:
        answer = client.get("/audit", params={"object": world.probe.world.id_of("RED")})
    html = answer.text
    return {
        "status": str(answer.status_code),
        "entries": str(bool(rendered(html, "entry"))),
        "chain": ",".join(rendered(html, "chain")),
    }


def expect_audit(person: Person) -> Outcomes:
    auditor = person.role is Role.AUDITOR
    return {
        "status": "200" if auditor else "403",
        # Every auditor reads the whole log (as `passerelle audit show` does).
        "entries": str(auditor),
        "chain": "intact" if auditor else "",
    }


def test_only_auditors_read_the_audit_page(tip_world: TipWorld) -> None:
    app = tip_world.probe.client.app
    assert isinstance(app, FastAPI)
    failures = wrong_views(
        "web-audit", expect_audit, lambda person: observe_audit(tip_world, app, person)
    )
    assert not failures, f"{len(failures)} viewer(s) see the wrong thing:\n" + "\n".join(failures)


# RFI and watch pages -------------------------------------------------------------------


def observe_requests(world: TipWorld, app: FastAPI, person: Person) -> Outcomes:
    with session_client(app, world.probe.world.database, person.username) as client:
        rfis_page = client.get("/rfis")
        if rfis_page.status_code != 200:
            return {"status": str(rfis_page.status_code)}
        watches_page = client.get("/watches")
        shown = client.get(f"/rfis/{world.rfi_id}")
    return {
        "status": str(rfis_page.status_code),
        "rfis": str(len(rendered(rfis_page.text, "rfi"))),
        "rfi page": str(shown.status_code),
        "rfi trace": str("matrix question" in shown.text),
        "watches": str(len(rendered(watches_page.text, "watch"))),
        "hits": str(len(rendered(watches_page.text, "hit"))),
    }


def expect_requests(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {"status": "403"}
    party = person.relation in (Relation.PRODUCER, Relation.MEMBER, Relation.NAMED)
    keeper = person.relation is Relation.PRODUCER
    return {
        "status": "200",
        "rfis": "1" if party else "0",
        "rfi page": "200" if party else "404",
        "rfi trace": str(party),
        "watches": "1" if keeper else "0",
        "hits": "1" if keeper else "0",
    }


def test_rfi_and_watch_pages_show_exactly_what_the_rules_allow(tip_world: TipWorld) -> None:
    app = tip_world.probe.client.app
    assert isinstance(app, FastAPI)
    failures = wrong_views(
        "web-requests", expect_requests, lambda person: observe_requests(tip_world, app, person)
    )
    assert not failures, f"{len(failures)} viewer(s) see the wrong thing:\n" + "\n".join(failures)
