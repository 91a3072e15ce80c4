"""The administration pages: an organisation's admin manages its users, clients and
channels; the node's operator its organisations, channel members and sees its peers.
Every action runs the administration's operation or action and is audited with
before/after as over REST and on the command line; nobody else sees or does anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from passerelle.audit import log as audit
from passerelle.federation import peers
from passerelle.policy import directory, register
from passerelle.policy.roles import Role
from passerelle.store.schema import channels, organisations
from tests.web.support import csrf_of, rendered, session_client
from tests.world import World


@pytest.fixture
def admins(world: World) -> World:
    """adam administers dgsi, bella fsb; olga is the node's operator (of ``node``)."""
    with world.database.write() as conn:
        directory.add_organisation(conn, "node")
        for org, name in (("dgsi", "adam"), ("fsb", "bella"), ("node", "olga")):
            world.tokens[name] = directory.add_user(conn, org, name, Role.ADMIN)
        node_id = conn.execute(organisations.select().where(organisations.c.name == "node")).one()
        register.set_operator(conn, node_id.id, True)
    return world


def _last(world: World, action: str) -> audit.Entry:
    with world.database.read() as conn:
        found = [e for e in audit.entries(conn) if e.action == action]
    assert found, f"no {action} entry"
    return found[-1]


def _post(browser: TestClient, path: str, **data: str) -> Any:
    token = csrf_of(browser.get("/admin").text)
    return browser.post(path, data={"csrf": token, **data}, follow_redirects=False)


def test_the_admin_page_shows_the_organisation_only(web_app: FastAPI, admins: World) -> None:
    with session_client(web_app, admins.database, "adam") as client:
        answer = client.get("/admin")
        assert answer.status_code == 200
        assert sorted(rendered(answer.text, "user")) == ["adam", "alain", "alice"]
        titles = {admins.collection(t) for t in ("fr-ru", "community", "dropbox")}
        assert set(rendered(answer.text, "channel")) == titles
        assert "boris" not in answer.text
        assert 'href="/admin"' in answer.text
        # adam is no operator: no way to the node's page, which refuses him.
        assert 'href="/admin/node"' not in answer.text
        assert client.get("/admin/node").status_code == 403


def test_user_actions_work_and_are_audited(web_app: FastAPI, admins: World) -> None:
    with session_client(web_app, admins.database, "adam") as client:
        assert _post(client, "/admin/users/alain/disable").status_code == 303
        entry = _last(admins, "admin.user-disable")
        assert (entry.username, entry.detail["before"], entry.detail["after"]) == (
            "adam",
            {"disabled": False},
            {"disabled": True},
        )
        assert rendered(client.get("/admin").text, "user")
        assert 'class="disabled"' in client.get("/admin").text
        assert _post(client, "/admin/users/alain/enable").status_code == 303
        assert _last(admins, "admin.user-enable").detail["after"] == {"disabled": False}
        assert _post(client, "/admin/users/alain/role", role="liaison").status_code == 303
        entry = _last(admins, "admin.user-role")
        assert (entry.detail["before"], entry.detail["after"]) == (
            {"role": "analyst"},
            {"role": "liaison"},
        )
        shown = _post(client, "/admin/users/alain/token")
        assert shown.status_code == 200
        assert shown.headers["cache-control"] == "no-store"
        token = shown.text.split('data-token-for="alain">', 1)[1].split("<", 1)[0]
        with admins.database.read() as conn:
            assert directory.viewer_by_token(conn, token) is not None
            assert directory.viewer_by_token(conn, admins.tokens["alain"]) is None
        assert _last(admins, "admin.user-token").detail["after"] == {"token": "issued"}
        # Shown once: the page afterwards does not hold it.
        assert token not in client.get("/admin").text
        added = _post(client, "/admin/users", username="amelie", role="analyst", purpose="")
        assert added.status_code == 200
        assert 'data-token-for="amelie"' in added.text
        assert _last(admins, "admin.user-add").detail["after"]["role"] == "analyst"


def test_refusals_of_the_rules_are_shown_and_audited(web_app: FastAPI, admins: World) -> None:
    with session_client(web_app, admins.database, "adam") as client:
        answer = _post(client, "/admin/users/adam/disable")
        assert answer.status_code == 409
        assert "you cannot disable yourself" in answer.text
        assert _post(client, "/admin/users/alain/role", role="king").status_code == 400
        # Raising dgsi's rights is the operator's: refused, and the refusal audited.
        refused = _post(
            client, f"/admin/channels/{admins.collection('dropbox')}/rights", rights="rw"
        )
        assert refused.status_code == 403
        assert _last(admins, "admin.refused").detail["action"] == "admin.channel-member"
        without_token = client.post("/admin/users/alain/disable", data={}, follow_redirects=False)
        assert without_token.status_code == 403
    with admins.database.read() as conn:
        assert register.user_in(conn, "alain", None)[3] is False


def test_clients_channels_and_name(web_app: FastAPI, admins: World) -> None:
    community = admins.collection("community")
    with session_client(web_app, admins.database, "adam") as client:
        assert _post(client, "/admin/clients/add", client="cert").status_code == 303
        assert rendered(client.get("/admin").text, "client") == ["cert"]
        assert _last(admins, "admin.client-add").detail["after"] == {"client": True}
        assert _post(client, "/admin/clients/remove", client="cert").status_code == 303
        assert rendered(client.get("/admin").text, "client") == []
        assert _post(client, f"/admin/channels/{community}/rights", rights="r").status_code == 303
        entry = _last(admins, "admin.channel-member")
        assert (entry.detail["before"], entry.detail["after"]) == (
            {"rights": "rw"},
            {"rights": "r"},
        )
        renamed = _post(client, f"/admin/channels/{community}/rename", title="Communauté")
        assert renamed.status_code == 303
        assert _last(admins, "admin.channel-rename").detail["after"]["title"] == "Communauté"
        assert _post(client, "/admin/organisation/rename", name="DGSI").status_code == 303
        entry = _last(admins, "admin.org-rename")
        assert (entry.detail["before"], entry.detail["after"]) == (
            {"name": "dgsi"},
            {"name": "DGSI"},
        )
        assert "Administration of DGSI" in client.get("/admin").text


def test_non_admins_see_no_admin_page_nor_link(web_app: FastAPI, admins: World) -> None:
    with session_client(web_app, admins.database, "alice") as client:
        inbox = client.get("/")
        assert 'href="/admin"' not in inbox.text
        answer = client.get("/admin")
        assert answer.status_code == 403
        assert "Only an admin of your organisation may manage it." in answer.text
        assert "alain" not in answer.text
        token = csrf_of(inbox.text)
        forged = client.post(
            "/admin/users/alain/disable", data={"csrf": token}, follow_redirects=False
        )
        assert forged.status_code == 403
        assert _last(admins, "admin.refused").username == "alice"
        assert client.get("/admin/node").status_code == 403
    with admins.database.read() as conn:
        assert register.user_in(conn, "alain", None)[3] is False


def test_another_organisations_admin_reaches_nothing(web_app: FastAPI, admins: World) -> None:
    with session_client(web_app, admins.database, "bella") as client:
        page = client.get("/admin")
        assert sorted(rendered(page.text, "user")) == ["bella", "boris"]
        assert admins.collection("community") not in page.text
        for path, data in (
            ("/admin/users/alain/disable", {}),
            ("/admin/users/alain/token", {}),
            ("/admin/users/alain/role", {"role": "admin"}),
            (f"/admin/channels/{admins.collection('community')}/rename", {"title": "x"}),
        ):
            answer = _post(client, path, **data)
            assert answer.status_code == 404, path
            assert "data-token-for" not in answer.text
        node = _post(
            client, "/admin/node/members", channel="community", organisation="fsb", rights="rw"
        )
        assert node.status_code == 403
    with admins.database.read() as conn:
        assert register.user_in(conn, "alain", None)[2:] == (Role.ANALYST, False)
        assert directory.viewer_by_token(conn, admins.tokens["alain"]) is not None
        members = directory.channel_members_of(conn, admins.channels["community"].id)
    assert "fsb" not in {m.org_name for m in members}


def test_the_operator_manages_the_node(
    web_app: FastAPI, admins: World, tmp_path: Path, clock: Any
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("secret-of-the-peer")
    with admins.database.write() as conn:
        peers.add_peer(
            conn, "east", "https://east.example", "fsb", "dgsi", str(token_file), None, clock()
        )
        peers.link_peer(conn, "east", "fr-ru", "remote-fr-ru", True, False, clock())
    with session_client(web_app, admins.database, "olga") as client:
        assert 'href="/admin/node"' in client.get("/admin").text
        page = client.get("/admin/node")
        assert page.status_code == 200
        assert rendered(page.text, "organisation") == ["cert", "dgsi", "fsb", "node", "outsider"]
        assert rendered(page.text, "peer") == ["east"]
        token = csrf_of(page.text)
        added = client.post(
            "/admin/node/organisations", data={"csrf": token, "name": "bka"}, follow_redirects=False
        )
        assert added.status_code == 303
        assert _last(admins, "admin.org-add").detail["organisation"] == "bka"
        member = client.post(
            "/admin/node/members",
            data={"csrf": token, "channel": "fr-ru", "organisation": "cert", "rights": "r"},
            follow_redirects=False,
        )
        assert member.status_code == 303
        entry = _last(admins, "admin.channel-member")
        assert (entry.username, entry.detail["before"], entry.detail["after"]) == (
            "olga",
            {"rights": "-"},
            {"rights": "r"},
        )
        made = client.post(
            "/admin/node/channels",
            data={
                "csrf": token,
                "title": "Bilateral DGSI-CERT",
                "alias": "dgsi-cert",
                "default_tlp": "green",
                "member:dgsi": "rw",
                "member:cert": "r",
                "member:fsb": "",
            },
            follow_redirects=False,
        )
        assert made.status_code == 303
        entry = _last(admins, "admin.channel-add")
        assert (entry.username, entry.detail["after"]) == (
            "olga",
            {
                "title": "Bilateral DGSI-CERT",
                "alias": "dgsi-cert",
                "members": {"dgsi": "rw", "cert": "r"},
                "default_tlp": "TLP:GREEN",
            },
        )
        page = client.get("/admin/node").text
        row = page.split(f'data-channel="{entry.detail["channel"]}"')[1].split("</tr>")[0]
        assert rendered(row, "member") == ["cert", "dgsi"]
        for refused, asked in (
            ("TLP:RED", {"title": "Red", "member:dgsi": "rw", "default_tlp": "red"}),
            ("unknown TLP level", {"title": "Odd", "member:dgsi": "rw", "default_tlp": "purple"}),
            ("at least one member", {"title": "Empty"}),
            ("ORG:rw", {"title": "Odd", "member:dgsi": "x"}),
            ("no organisation", {"title": "Ghost", "member:ghost": "rw"}),
        ):
            answer = client.post("/admin/node/channels", data={"csrf": token, **asked})
            assert answer.status_code in (400, 404, 409), answer.status_code
            assert refused in answer.text, (refused, answer.text[-2000:])
        with admins.database.read() as conn:
            titles = set(conn.execute(select(channels.c.title)).scalars())
        assert not titles & {"Red", "Empty", "Odd", "Ghost"}
        shown = client.get("/admin/peers/east")
        assert shown.status_code == 200
        assert rendered(shown.text, "link") == ["remote-fr-ru"]
        assert "secret-of-the-peer" not in shown.text
        assert client.get("/admin/peers/west").status_code == 404
    with session_client(web_app, admins.database, "adam") as client:
        assert client.get("/admin/peers/east").status_code == 403
