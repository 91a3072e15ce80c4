"""The access matrix for the exchange workflow's read paths: tips, RFIs, partner figures.

The matrix world (tests/access_world.py) is extended with one tip per object: the producer
organisation's liaison shares each labelled indicator into ``matrix``, on a clock a month
back so that every tip is overdue. Each path is observed for every person of the world and
compared with what the rules allow: a tip is the producer's, and the receiving member
organisation's as far as its user may see the object; nobody else has any trace of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from passerelle.core.context import Context
from passerelle.durations import DAY
from passerelle.exchange import rfis, tips, watches
from passerelle.policy.roles import Role
from passerelle.stix.markings import TLP2_IDS, Tlp
from passerelle.stix.timestamps import now_micros
from passerelle.store.database import Database
from tests.access_world import (
    CHANNEL,
    LABELS,
    PEOPLE,
    Outcomes,
    Person,
    Probe,
    Relation,
    open_probe,
    sees,
    wrong_views,
)
from tests.stixgen import indicator
from tests.world import NODE_HOOKS, NODE_KEYS


@dataclass
class TipWorld:
    """The matrix world with a tip per label and an RFI from producer to member."""

    probe: Probe
    tip_of: dict[str, str]
    rfi_id: str
    watch_id: str

    def label_of(self, tip_id: str) -> str:
        return next(label for label, ident in self.tip_of.items() if ident == tip_id)

    def get(self, person: Person, path: str) -> tuple[int, object]:
        token = self.probe.world.tokens[person.username]
        answer = self.probe.client.get(path, headers={"Authorization": f"Bearer {token}"})
        return answer.status_code, answer.json()


@pytest.fixture
def tip_world(database: Database, database_url: str) -> Iterator[TipWorld]:
    with open_probe(database, database_url) as probe:
        month_ago = now_micros() - 30 * DAY
        sharer = Context(
            database,
            probe.world.viewer("producer-liaison"),
            NODE_KEYS,
            NODE_HOOKS,
            clock=lambda: month_ago,
        )
        tip_of = {
            label: tips.share(
                sharer, tips.ShareRequest(object_id=probe.world.id_of(label), channel=CHANNEL)
            ).id
            for label in LABELS
        }
        asked = rfis.send_rfi(
            sharer, rfis.SendRfi(to="member", purpose="matrix question", urgency="urgent")
        )
        watcher = Context(database, probe.world.viewer("producer-analyst"), NODE_KEYS, NODE_HOOKS)
        watch = watches.add_watch(watcher, watches.AddWatch(observable="cell@example.org"))
        clue = indicator(
            99,
            pattern="[email-addr:value = 'cell@example.org']",
            object_marking_refs=[TLP2_IDS[Tlp.GREEN]],
        )
        assert not probe.world.post("member-liaison", [clue]).failures
        yield TipWorld(probe, tip_of, asked.id, watch.id)


def receives(person: Person, label: str) -> bool:
    """The receiving organisation is the member one; its users as far as they see the object."""
    return person.relation in (Relation.MEMBER, Relation.NAMED) and sees(person, label)


def sent_by_org(person: Person) -> bool:
    return person.relation is Relation.PRODUCER and person.role is not Role.AUDITOR


def _listing(status: int, labels: list[str]) -> Outcomes:
    found = {"status": str(status)}
    found.update(dict.fromkeys(labels, "listed"))
    return found


def observe_inbox(world: TipWorld, person: Person) -> Outcomes:
    status, body = world.get(person, "/api/tips/inbox?all=true")
    if status != 200:
        return {"status": str(status)}
    assert isinstance(body, dict)
    return _listing(status, [world.label_of(t["id"]) for t in body["tips"]])


def expect_inbox(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {"status": "403"}
    return _listing(200, [label for label in LABELS if receives(person, label)])


def observe_sent(world: TipWorld, person: Person) -> Outcomes:
    status, body = world.get(person, "/api/tips/sent?all=true")
    if status != 200:
        return {"status": str(status)}
    assert isinstance(body, list)
    return _listing(status, [world.label_of(t["id"]) for t in body])


def expect_sent(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {"status": "403"}
    return _listing(200, list(LABELS) if sent_by_org(person) else [])


def observe_show(world: TipWorld, person: Person) -> Outcomes:
    found: Outcomes = {}
    for label, tip_id in world.tip_of.items():
        status, body = world.get(person, f"/api/tips/{tip_id}")
        found[label] = str(status)
        if status == 200:
            assert isinstance(body, dict)
            found[f"{label} receipts"] = ",".join(r["organisation"] for r in body["receipts"])
    return found


def expect_show(person: Person) -> Outcomes:
    found: Outcomes = {}
    for label in LABELS:
        if person.role is Role.AUDITOR:
            found[label] = "403"
        elif sent_by_org(person) or receives(person, label):
            found[label] = "200"
            found[f"{label} receipts"] = "member"
        else:
            found[label] = "404"
    return found


def observe_overdue(world: TipWorld, person: Person) -> Outcomes:
    status, body = world.get(person, "/api/tips/overdue")
    if status != 200:
        return {"status": str(status)}
    assert isinstance(body, list)
    return _listing(status, [f"{world.label_of(o['tip_id'])} {o['side']}" for o in body])


def expect_overdue(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {"status": "403"}
    if sent_by_org(person):
        return _listing(200, [f"{label} sent" for label in LABELS])
    return _listing(200, [f"{label} received" for label in LABELS if receives(person, label)])


def observe_partners(world: TipWorld, person: Person) -> Outcomes:
    status, body = world.get(person, "/api/partners")
    if status != 200:
        return {"status": str(status)}
    assert isinstance(body, list)
    found: Outcomes = {"status": str(status)}
    for partner in body:
        for key in ("to_them", "from_them"):
            figures = partner[key]
            if figures["tips"] or figures["rfis_asked"]:
                found[f"{partner['partner']} {key}"] = (
                    f"tips {figures['tips']} rfis {figures['rfis_asked']}"
                )
    return found


def expect_partners(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {"status": "403"}
    found: Outcomes = {"status": "200"}
    if sent_by_org(person):
        found["member to_them"] = f"tips {len(LABELS)} rfis 1"
    elif person.relation in (Relation.MEMBER, Relation.NAMED):
        received = sum(receives(person, label) for label in LABELS)
        found["producer from_them"] = f"tips {received} rfis 1"
    return found


def observe_rfis(world: TipWorld, person: Person) -> Outcomes:
    status, body = world.get(person, "/api/rfis")
    if status != 200:
        return {"status": str(status)}
    assert isinstance(body, list)
    shown = world.get(person, f"/api/rfis/{world.rfi_id}")[0]
    return {"status": str(status), "listed": str(len(body)), "show": str(shown)}


def expect_rfis(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {"status": "403"}
    party = person.relation in (Relation.PRODUCER, Relation.MEMBER, Relation.NAMED)
    return {"status": "200", "listed": "1" if party else "0", "show": "200" if party else "404"}


def observe_watches(world: TipWorld, person: Person) -> Outcomes:
    status, body = world.get(person, "/api/watches")
    if status != 200:
        return {"status": str(status)}
    assert isinstance(body, list)
    hits = world.get(person, "/api/watch-hits")[1]
    assert isinstance(hits, list)
    return {
        "status": "200",
        "watches": str(len(body)),
        "hits": str(len(hits)),
        "show": str(world.get(person, f"/api/watches/{world.watch_id}")[0]),
    }


def expect_watches(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {"status": "403"}
    keeper = person.relation is Relation.PRODUCER
    return {
        "status": "200",
        "watches": "1" if keeper else "0",
        "hits": "1" if keeper else "0",
        "show": "200" if keeper else "404",
    }


def observe_cli_inbox(world: TipWorld, person: Person) -> Outcomes:
    from passerelle.cli import cli

    env = {"PASSERELLE_DB": world.probe.database_url, "PASSERELLE_USER": person.username}
    result = world.probe.runner.invoke(cli, ["tips", "inbox", "--all", "--json"], env=env)
    if result.exit_code != 0:
        return {"status": "refused" if "auditors" in result.output else result.output}
    body = json.loads(result.output)
    return _listing(200, [world.label_of(t["id"]) for t in body["tips"]])


def expect_cli_inbox(person: Person) -> Outcomes:
    if person.role is Role.AUDITOR:
        return {"status": "refused"}
    return expect_inbox(person)


@dataclass(frozen=True)
class WorkflowPath:
    name: str
    observe: Callable[[TipWorld, Person], Outcomes]
    expect: Callable[[Person], Outcomes]


WORKFLOW_PATHS = [
    WorkflowPath("api-tips-inbox", observe_inbox, expect_inbox),
    WorkflowPath("api-tips-sent", observe_sent, expect_sent),
    WorkflowPath("api-tip-show", observe_show, expect_show),
    WorkflowPath("api-tips-overdue", observe_overdue, expect_overdue),
    WorkflowPath("api-partners", observe_partners, expect_partners),
    WorkflowPath("api-rfis", observe_rfis, expect_rfis),
    WorkflowPath("api-watches", observe_watches, expect_watches),
    WorkflowPath("cli-tips-inbox", observe_cli_inbox, expect_cli_inbox),
]


@pytest.mark.parametrize("path", WORKFLOW_PATHS, ids=[p.name for p in WORKFLOW_PATHS])
def test_workflow_path_shows_exactly_what_the_rules_allow(
    tip_world: TipWorld, path: WorkflowPath
) -> None:
    failures = wrong_views(path.name, path.expect, lambda person: path.observe(tip_world, person))
    assert not failures, f"{len(failures)} viewer(s) see the wrong thing:\n" + "\n".join(failures)


def test_the_workflow_expectations_are_not_vacuous() -> None:
    """Someone receives every tip, someone does not, and RED differs for the named."""
    for label in LABELS:
        assert any(receives(p, label) for p in PEOPLE), label
        assert not all(receives(p, label) for p in PEOPLE), label
    named = next(p for p in PEOPLE if p.relation is Relation.NAMED and p.role is Role.ANALYST)
    member = next(p for p in PEOPLE if p.relation is Relation.MEMBER and p.role is Role.ANALYST)
    assert receives(named, "RED")
    assert not receives(member, "RED")
