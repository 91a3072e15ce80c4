"""The access matrix on the partners and administration pages: for every person of the
matrix world, what the pages show and what their forms do, compared with the rules
written out by hand, never with the code under test. Forged forms carry a valid CSRF
token of the attacker's own session: only the rules stop them."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from passerelle.audit import log as audit
from passerelle.policy import directory
from passerelle.policy import register as rules
from passerelle.policy.roles import Role
from passerelle.store.schema import channels
from tests.access_world import CHANNEL, OWN_CHANNEL, PEOPLE, Outcomes, Person, wrong_views
from tests.security.test_access_matrix_workflow import TipWorld, expect_partners
from tests.web.support import csrf_of, rendered, session_client
from tests.web.test_access_matrix import _traces
from tests.web.test_partners_page import shown_rows

# The operator's organisation in these tests.
OPERATOR_ORG = "producer"
TARGET = "producer-analyst"


def _app(world: TipWorld) -> FastAPI:
    app = world.probe.client.app
    assert isinstance(app, FastAPI)
    return app


def observe_partners(world: TipWorld, app: FastAPI, person: Person) -> Outcomes:
    with session_client(app, world.probe.world.database, person.username) as client:
        answer = client.get("/partners")
    if answer.status_code != 200:
        return {"status": str(answer.status_code)}
    found: Outcomes = {"status": "200"}
    for (partner, direction), row in shown_rows(answer.text).items():
        if row["tips"] != "0" or row["rfis-asked"] != "0":
            key = "to_them" if direction == "to" else "from_them"
            found[f"{partner} {key}"] = f"tips {row['tips']} rfis {row['rfis-asked']}"
    if _traces(world, answer.text):
        found["traces"] = ",".join(_traces(world, answer.text))
    return found


def test_the_partners_page_shows_exactly_what_the_rules_allow(tip_world: TipWorld) -> None:
    app = _app(tip_world)
    failures = wrong_views(
        "web-partners",
        expect_partners,
        lambda person: observe_partners(tip_world, app, person),
    )
    assert not failures, f"{len(failures)} viewer(s) see the wrong thing:\n" + "\n".join(failures)


def _make_operator(world: TipWorld) -> None:
    with world.probe.world.database.write() as conn:
        rules.set_operator(conn, directory.find_organisation(conn, OPERATOR_ORG).id, True)


def observe_admin(world: TipWorld, app: FastAPI, person: Person) -> Outcomes:
    with session_client(app, world.probe.world.database, person.username) as client:
        answer = client.get("/admin")
        node = client.get("/admin/node")
        inbox = client.get("/").text
    found = {
        "status": str(answer.status_code),
        "link": str('href="/admin"' in inbox),
        "users": ",".join(sorted(rendered(answer.text, "user"))),
        "channels": ",".join(sorted(rendered(answer.text, "channel"))),
        "clients": ",".join(rendered(answer.text, "client")),
        "node": str(node.status_code),
        "node organisations": ",".join(rendered(node.text, "organisation")),
    }
    return found


def expect_admin(world: TipWorld, person: Person) -> Outcomes:
    admin = person.role is Role.ADMIN
    operator = admin and person.org == OPERATOR_ORG
    channels = {"producer": [CHANNEL], "member": [CHANNEL], "outsider": [OWN_CHANNEL]}
    collections = [
        world.probe.world.channels[c].collection_id for c in channels.get(person.org, [])
    ]
    return {
        "status": "200" if admin else "403",
        "link": str(admin),
        "users": ",".join(sorted(p.username for p in PEOPLE if p.org == person.org))
        if admin
        else "",
        "channels": ",".join(sorted(collections)) if admin else "",
        "clients": "client" if admin and person.org == "member" else "",
        "node": "200" if operator else "403",
        "node organisations": "client,member,outsider,producer" if operator else "",
    }


def test_the_admin_pages_show_exactly_what_the_rules_allow(tip_world: TipWorld) -> None:
    _make_operator(tip_world)
    app = _app(tip_world)
    failures = wrong_views(
        "web-admin",
        lambda person: expect_admin(tip_world, person),
        lambda person: observe_admin(tip_world, app, person),
    )
    assert not failures, f"{len(failures)} viewer(s) see the wrong thing:\n" + "\n".join(failures)


def _forge(client: TestClient, path: str, **data: str) -> tuple[int, str]:
    # The attacker's own session's token, from any page they may open.
    token = csrf_of(client.get("/").text)
    answer = client.post(path, data={"csrf": token, **data}, follow_redirects=False)
    return answer.status_code, answer.text


def observe_forged(world: TipWorld, app: FastAPI, person: Person) -> Outcomes:
    database = world.probe.world.database
    with database.read() as conn:
        before = len(audit.entries(conn, username=person.username))
    with session_client(app, database, person.username) as client:
        token_status, token_page = _forge(client, f"/admin/users/{TARGET}/token")
        role_status, _ = _forge(client, f"/admin/users/{TARGET}/role", role="admin")
        node_status, _ = _forge(
            client, "/admin/node/members", channel=CHANNEL, organisation="client", rights="-"
        )
        title = f"forged by {person.username}"
        made_status, _ = _forge(
            client, "/admin/node/channels", title=title, **{"member:client": "rw"}
        )
    with database.read() as conn:
        made = conn.execute(select(channels.c.id).where(channels.c.title == title)).first()
        written = [e.action for e in audit.entries(conn, username=person.username)[before:]]
        role = rules.user_in(conn, TARGET, None)[2]
        if role is Role.ADMIN:  # put back for the next person
            with database.write() as write:
                rules.set_role(write, rules.user_in(write, TARGET, None)[0], Role.ANALYST)
    return {
        "token": str(token_status),
        "token shown": str('data-token-for="' in token_page),
        "role": f"{role_status} {role.value}",
        "node": str(node_status),
        "channel made": f"{made_status} {made is not None}",
        "audited": ",".join(sorted(set(written))),
    }


def expect_forged(person: Person) -> Outcomes:
    admin = person.role is Role.ADMIN
    same_org = person.org == "producer"
    if admin and same_org:
        # The producer's admin is the operator: everything is theirs to do.
        return {
            "token": "200",
            "token shown": "True",
            "role": "303 admin",
            "node": "303",
            "channel made": "303 True",
            "audited": "admin.channel-add,admin.channel-member,admin.user-role,admin.user-token",
        }
    # Another organisation's user is not found, even to its admins; one's own
    # organisation's is refused to anyone but its admin. Every refusal is audited.
    status = "403" if same_org else "404"
    return {
        "token": status,
        "token shown": "False",
        "role": f"{status} analyst",
        "node": "403",
        "channel made": "403 False",
        "audited": "admin.refused",
    }


def test_forged_admin_forms_do_only_what_the_rules_allow(tip_world: TipWorld) -> None:
    _make_operator(tip_world)
    app = _app(tip_world)
    failures = wrong_views(
        "web-admin-forged", expect_forged, lambda person: observe_forged(tip_world, app, person)
    )
    assert not failures, f"{len(failures)} viewer(s) did the wrong thing:\n" + "\n".join(failures)
