"""The audit page: auditors read the log with filters and the chain's verification;
everyone else is refused; reading the log is itself audited."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import update

from passerelle.audit import log as audit
from passerelle.policy import directory
from passerelle.policy.roles import Role
from passerelle.store.schema import audit_log
from tests.exchange_support import cell_report, store
from tests.web.support import rendered, session_client
from tests.world import World


def test_auditors_read_the_log_with_filters_and_its_chain(web_app: FastAPI, world: World) -> None:
    with world.database.write() as conn:
        directory.add_user(conn, "dgsi", "audrey", Role.AUDITOR)
    store(world, "alice", "fr-ru", cell_report())
    with world.database.read() as conn:
        every = audit.entries(conn)
    with session_client(web_app, world.database, "audrey") as client:
        page = client.get("/audit")
        assert page.status_code == 200
        assert 'data-chain="intact"' in page.text
        assert sorted(int(s) for s in rendered(page.text, "entry")) == [e.seq for e in every]
        by_alice = rendered(client.get("/audit", params={"user": "alice"}).text, "entry")
        assert by_alice
        assert len(by_alice) == len([e for e in every if e.username == "alice"])
        reads = rendered(client.get("/audit", params={"action": "read-audit"}).text, "entry")
        # The two reads before this one (a read is recorded after what it shows).
        assert len(reads) == 2
    with session_client(web_app, world.database, "alice") as client:
        refused = client.get("/audit")
        assert refused.status_code == 403
        assert "data-entry" not in refused.text
        assert "Only an auditor may read the audit log." in refused.text


def test_the_object_filter_and_a_broken_chain(web_app: FastAPI, world: World) -> None:
    with world.database.write() as conn:
        directory.add_user(conn, "dgsi", "audrey", Role.AUDITOR)
    items = cell_report()
    store(world, "alice", "fr-ru", items)
    leader = items[1]["id"]
    with world.database.read() as conn:
        about = [e.seq for e in audit.entries(conn, leader)]
        every = audit.entries(conn)
    assert about
    assert len(about) < len(every)
    with session_client(web_app, world.database, "audrey") as client:
        shown = client.get("/audit", params={"object": leader}).text
        assert sorted(int(s) for s in rendered(shown, "entry")) == about
        assert f'name="object" value="{leader}"' in shown  # the filter kept in its field
        # Someone rewrites who did an entry behind the node's back.
        with world.database.write() as conn:
            conn.execute(
                update(audit_log).where(audit_log.c.seq == about[0]).values(username="mallory")
            )
        broken = client.get("/audit").text
    assert rendered(broken, "chain") == ["broken"]
    problem = broken.split('data-chain="broken">', 1)[1].split("</p>", 1)[0]
    assert "Broken:" in problem
    assert str(about[0]) in problem  # the entry that no longer holds
    assert 'role="alert"' in broken
