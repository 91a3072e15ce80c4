"""Tips from sharing to outcome: the receipt, acknowledgement and outcome flow back as STIX
feedback to the producer, under the tip's handling rules, and nobody else sees any of it."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from passerelle.core.operations import REGISTRY
from passerelle.durations import DAY, HOUR
from passerelle.errors import BadInput, Conflict, Forbidden, NotFound
from passerelle.exchange import tips
from passerelle.policy import directory
from passerelle.policy.roles import Role
from passerelle.policy.visibility import object_visible_anywhere
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from tests.cli_runner import Run
from tests.exchange_support import (
    ContextFor,
    FakeClock,
    cell_report,
    feedback_seen_by,
    marked,
    store,
)
from tests.stixgen import T0, identity, stix_id
from tests.world import World


@pytest.fixture
def shared(world: World, ctx: ContextFor) -> tuple[tips.Tip, list[dict[str, Any]]]:
    """dgsi's alice shares a report into fr-ru as a tip for fsb."""
    items = cell_report()
    store(world, "alice", "community", items)
    tip = tips.share(
        ctx("alice"),
        tips.ShareRequest(
            object_id=items[2]["id"], channel="fr-ru", action_requested="Find and stop the cell"
        ),
    )
    return tip, items


def test_the_scenario_tip_is_actioned_and_the_outcome_flows_back(
    world: World, ctx: ContextFor, clock: FakeClock, shared: tuple[tips.Tip, list[dict[str, Any]]]
) -> None:
    tip, items = shared
    assert sorted(tip.objects) == sorted(i["id"] for i in items)
    assert [r.organisation for r in tip.receipts] == ["fsb"]
    assert tip.receipts[0].state == "received"
    # The receipt flows back at once.
    kinds = [
        f["extensions"][HANDLING_EXTENSION_ID]["feedback"]["state"]
        for f in feedback_seen_by(world, "alice", tip.id)
    ]
    assert kinds == ["received"]

    inbox = tips.inbox(ctx("boris"), tips.ListRequest()).tips
    assert [t.id for t in inbox] == [tip.id]
    assert inbox[0].action_requested == "Find and stop the cell"

    clock.advance(2 * HOUR)
    acked = tips.acknowledge(ctx("boris"), tips.AckRequest(tip_id=tip.id[5:13]))
    assert acked.receipts[0].state == "acknowledged"
    assert acked.receipts[0].owner == "boris"
    clock.advance(DAY)
    tips.investigate(ctx("boris"), tips.TipRef(tip_id=tip.id))
    clock.advance(3 * DAY)
    closed = tips.close(
        ctx("boris"),
        tips.CloseRequest(
            tip_id=tip.id,
            outcome="actioned",
            arrests=7,
            seizures="explosive components, automatic weapons",
            note="Cell dismantled",
        ),
    )
    receipt = closed.receipts[0]
    assert (receipt.state, receipt.outcome, receipt.arrests) == ("closed", "actioned", 7)
    assert [e.state for e in receipt.history] == [
        "received",
        "acknowledged",
        "investigating",
        "closed",
    ]
    assert [e.by for e in receipt.history][1:] == ["boris", "boris", "boris"]

    # The producer sees the outcome in `tips sent` and in the STIX feedback.
    sent = tips.sent(ctx("alice"), tips.ListRequest(all=True))
    assert sent[0].receipts[0].outcome == "actioned"
    assert sent[0].receipts[0].seizures == "explosive components, automatic weapons"
    back = feedback_seen_by(world, "alice", tip.id)
    types = sorted(f["type"] for f in back)
    assert types == ["note", "note", "note", "note", "opinion", "sighting"]
    opinion = next(f for f in back if f["type"] == "opinion")
    assert opinion["opinion"] == "strongly-agree"
    assert opinion["object_refs"] == [tip.object_id]
    sighting = next(f for f in back if f["type"] == "sighting")
    assert sighting["sighting_of_ref"] == items[0]["id"]
    outcome = next(f for f in back if f["type"] == "note" and f["abstract"].startswith("Outcome"))
    detail = outcome["extensions"][HANDLING_EXTENSION_ID]["feedback"]
    assert detail["outcome"] == "actioned"
    assert detail["arrests"] == 7
    # Feedback inherits the tip's TLP in a bilateral channel.
    assert all(f["object_marking_refs"] == [TLP2_IDS[Tlp.AMBER]] for f in back)
    # Closed tips leave the inbox unless asked for.
    assert tips.inbox(ctx("boris"), tips.ListRequest()).tips == []
    assert len(tips.inbox(ctx("boris"), tips.ListRequest(all=True)).tips) == 1


def test_wrong_state_transitions_are_clear_errors(
    ctx: ContextFor, shared: tuple[tips.Tip, list[dict[str, Any]]]
) -> None:
    tip, _ = shared
    with pytest.raises(Conflict, match="received"):
        tips.investigate(ctx("boris"), tips.TipRef(tip_id=tip.id))
    with pytest.raises(Conflict, match="must be acknowledged or investigating"):
        tips.close(ctx("boris"), tips.CloseRequest(tip_id=tip.id, outcome="refuted"))
    tips.acknowledge(ctx("boris"), tips.AckRequest(tip_id=tip.id))
    with pytest.raises(Conflict, match="acknowledged"):
        tips.acknowledge(ctx("boris"), tips.AckRequest(tip_id=tip.id))
    tips.close(ctx("boris"), tips.CloseRequest(tip_id=tip.id, outcome="refuted", note="false"))
    with pytest.raises(Conflict, match="closed"):
        tips.close(ctx("boris"), tips.CloseRequest(tip_id=tip.id, outcome="refuted"))
    # The producer does not act on its own tip.
    with pytest.raises(Forbidden, match="receiving organisation"):
        tips.acknowledge(ctx("alice"), tips.AckRequest(tip_id=tip.id))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"outcome": "no_link_found"}, "what was checked"),
        ({"outcome": "actioned"}, "says what was done"),
        ({"outcome": "refuted", "arrests": 2}, "belong to the 'actioned' outcome"),
        (
            {"outcome": "no_link_found", "checked": "files", "watch": False},
            "give a reason",
        ),
    ],
)
def test_outcomes_need_their_fields(
    ctx: ContextFor,
    shared: tuple[tips.Tip, list[dict[str, Any]]],
    fields: dict[str, Any],
    message: str,
) -> None:
    tip, _ = shared
    tips.acknowledge(ctx("boris"), tips.AckRequest(tip_id=tip.id))
    with pytest.raises(BadInput, match=message):
        tips.close(ctx("boris"), tips.CloseRequest(tip_id=tip.id, **fields))


def test_owner_must_belong_to_the_receiving_organisation(
    ctx: ContextFor, shared: tuple[tips.Tip, list[dict[str, Any]]]
) -> None:
    tip, _ = shared
    with pytest.raises(BadInput, match="no user 'alice' in your organisation"):
        tips.acknowledge(ctx("boris"), tips.AckRequest(tip_id=tip.id, owner="alice"))


@pytest.mark.parametrize("username", ["carla", "oscar"])
def test_a_third_organisation_finds_no_trace(
    ctx: ContextFor, world: World, shared: tuple[tips.Tip, list[dict[str, Any]]], username: str
) -> None:
    tip, _ = shared
    context = ctx(username)
    assert tips.inbox(context, tips.ListRequest(all=True)).tips == []
    assert tips.sent(context, tips.ListRequest(all=True)) == []
    assert tips.overdue(context, tips.NoRequest()) == []
    for reference in (tip.id, tip.id[5:13]):
        with pytest.raises(NotFound) as found:
            tips.show(context, tips.TipRef(tip_id=reference))
        assert str(found.value) == f"no tip {reference!r}"
        with pytest.raises(NotFound):
            tips.acknowledge(context, tips.AckRequest(tip_id=reference))
    assert feedback_seen_by(world, username, tip.id) == []


def test_an_auditor_takes_no_part(
    world: World, ctx: ContextFor, shared: tuple[tips.Tip, list[dict[str, Any]]]
) -> None:
    with world.database.write() as conn:
        directory.add_user(conn, "fsb", "olga", Role.AUDITOR)
    with pytest.raises(Forbidden, match="auditors"):
        tips.inbox(ctx("olga"), tips.ListRequest())


def test_deadlines_make_tips_overdue_on_both_sides(
    ctx: ContextFor, clock: FakeClock, shared: tuple[tips.Tip, list[dict[str, Any]]]
) -> None:
    tip, _ = shared
    assert tips.overdue(ctx("alice"), tips.NoRequest()) == []
    clock.advance(25 * HOUR)
    mine = tips.overdue(ctx("alice"), tips.NoRequest())
    theirs = tips.overdue(ctx("boris"), tips.NoRequest())
    assert [(o.side, o.partner, o.missing, o.late_by) for o in mine] == [
        ("sent", "fsb", "acknowledgement", "1h")
    ]
    assert [(o.side, o.partner, o.missing) for o in theirs] == [
        ("received", "dgsi", "acknowledgement")
    ]
    tips.acknowledge(ctx("boris"), tips.AckRequest(tip_id=tip.id))
    assert tips.overdue(ctx("alice"), tips.NoRequest()) == []
    clock.advance(14 * DAY)
    assert [o.missing for o in tips.overdue(ctx("boris"), tips.NoRequest())] == ["outcome"]
    assert tips.inbox(ctx("boris"), tips.ListRequest()).tips[0].receipts[0].outcome_overdue


def test_deadlines_are_set_per_tip(world: World, ctx: ContextFor, clock: FakeClock) -> None:
    items = cell_report()
    store(world, "alice", "fr-ru", items)
    tip = tips.share(
        ctx("alice"),
        tips.ShareRequest(
            object_id=items[2]["id"], channel="fr-ru", ack_within="2h", outcome_within="3d"
        ),
    )
    clock.advance(3 * HOUR)
    assert [o.missing for o in tips.overdue(ctx("alice"), tips.NoRequest())] == ["acknowledgement"]
    assert tip.outcome_deadline.startswith("2027-01-14T09:00")
    with pytest.raises(BadInput, match="not a duration"):
        tips.share(
            ctx("alice"),
            tips.ShareRequest(object_id=items[2]["id"], channel="fr-ru", ack_within="soon"),
        )


def test_sharing_is_all_or_nothing(world: World, ctx: ContextFor) -> None:
    """A report referring to fsb's AMBER+STRICT object cannot go into community: nothing does."""
    strict = marked(identity("Source of fsb"), Tlp.AMBER_STRICT)
    store(world, "boris", "fr-ru", [strict])
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": stix_id("report"),
        "created": T0,
        "modified": T0,
        "name": "Combined",
        "published": T0,
        "object_refs": [strict["id"]],
    }
    store(world, "alice", "fr-ru", [report])
    with pytest.raises(Exception, match="forbids sharing it onward") as refused:
        tips.share(ctx("alice"), tips.ShareRequest(object_id=report["id"], channel="community"))
    assert "nothing was shared" in str(refused.value)
    assert tips.sent(ctx("alice"), tips.ListRequest(all=True)) == []
    with world.database.read() as conn:
        carla = world.viewer("carla")
        assert not object_visible_anywhere(conn, carla, report["id"])


def test_only_a_liaison_shares_into_a_partner_channel(world: World, ctx: ContextFor) -> None:
    items = cell_report()
    store(world, "alice", "fr-ru", items)
    with pytest.raises(Forbidden, match="liaison"):
        tips.share(ctx("alain"), tips.ShareRequest(object_id=items[2]["id"], channel="fr-ru"))
    with pytest.raises(NotFound, match="no object"):
        tips.share(ctx("alice"), tips.ShareRequest(object_id=stix_id("report"), channel="fr-ru"))
    with pytest.raises(NotFound, match="no channel"):
        tips.share(ctx("alice"), tips.ShareRequest(object_id=items[2]["id"], channel="private"))


def test_feedback_on_a_red_tip_reaches_only_the_producers_named_users(
    world: World, ctx: ContextFor
) -> None:
    with world.database.write() as conn:
        directory.add_user(conn, "fsb", "bogdan", Role.ANALYST)
    items = cell_report(Tlp.RED, recipients=("boris",))
    store(world, "alice", "fr-ru", items)
    tip = tips.share(ctx("alice"), tips.ShareRequest(object_id=items[2]["id"], channel="fr-ru"))
    assert [r.organisation for r in tip.receipts] == ["fsb"]
    # bogdan, of fsb but not named, has no trace of the tip.
    assert tips.inbox(ctx("bogdan"), tips.ListRequest()).tips == []
    with pytest.raises(NotFound):
        tips.show(ctx("bogdan"), tips.TipRef(tip_id=tip.id))
    tips.acknowledge(ctx("boris"), tips.AckRequest(tip_id=tip.id))
    back = feedback_seen_by(world, "alice", tip.id)
    assert len(back) == 2
    for obj in back:
        assert obj["object_marking_refs"] == [TLP2_IDS[Tlp.RED]]
        assert obj["extensions"][HANDLING_EXTENSION_ID]["recipients"] == ["alice"]
    # alain (dgsi, not named) does not see the RED feedback; nor does anyone outside.
    assert feedback_seen_by(world, "alain", tip.id) == []
    assert feedback_seen_by(world, "carla", tip.id) == []


def test_in_a_community_channel_recipients_never_see_each_others_state(
    world: World, ctx: ContextFor
) -> None:
    with world.database.write() as conn:
        directory.add_organisation(conn, "bka")
        directory.add_user(conn, "bka", "berta", Role.LIAISON)
        world.channels["club"] = directory.add_channel(
            conn,
            "club",
            [
                directory.Membership("dgsi", True, True),
                directory.Membership("fsb", True, True),
                directory.Membership("bka", True, False),
            ],
        )
    items = cell_report(Tlp.GREEN)
    store(world, "alice", "club", items)
    tip = tips.share(ctx("alice"), tips.ShareRequest(object_id=items[2]["id"], channel="club"))
    assert [r.organisation for r in tip.receipts] == ["bka", "fsb"]
    tips.acknowledge(ctx("boris"), tips.AckRequest(tip_id=tip.id))
    seen_by_berta = tips.show(ctx("berta"), tips.TipRef(tip_id=tip.id))
    assert [r.organisation for r in seen_by_berta.receipts] == ["bka"]
    assert seen_by_berta.receipts[0].state == "received"
    # fsb's feedback is RED to alice: berta, a fellow recipient, sees none of it.
    seen = feedback_seen_by(world, "berta", tip.id)
    assert seen
    assert {f["extensions"][HANDLING_EXTENSION_ID]["feedback"]["organisation"] for f in seen} == {
        "bka"
    }
    assert all(
        f["object_marking_refs"] == [TLP2_IDS[Tlp.RED]]
        for f in feedback_seen_by(world, "alice", tip.id)
    )
    # Named recipients restrict the receiving organisations.
    other = cell_report(Tlp.GREEN)
    store(world, "alice", "club", other)
    directed = tips.share(
        ctx("alice"),
        tips.ShareRequest(object_id=other[2]["id"], channel="club", recipients=["berta"]),
    )
    assert [r.organisation for r in directed.receipts] == ["bka"]
    assert directed.id not in [t.id for t in tips.inbox(ctx("boris"), tips.ListRequest()).tips]
    assert directed.id in [t.id for t in tips.inbox(ctx("berta"), tips.ListRequest()).tips]


def test_rest_api_documents_every_tip_operation(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    for operation in REGISTRY.values():
        if operation.name.startswith("tips."):
            assert operation.method.lower() in paths.get(operation.path, {}), operation.name


def test_rest_api_end_to_end(api: TestClient, world: World) -> None:
    items = cell_report()
    store(world, "alice", "fr-ru", items)

    def auth(user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {world.tokens[user]}"}

    made = api.post(
        "/api/tips", json={"object_id": items[2]["id"], "channel": "fr-ru"}, headers=auth("alice")
    )
    assert made.status_code == 201, made.text
    tip_id = made.json()["id"]
    assert api.get("/api/tips/inbox", headers=auth("boris")).json()["tips"][0]["id"] == tip_id
    assert api.get(f"/api/tips/{tip_id}", headers=auth("oscar")).status_code == 404
    wrong = api.post(
        f"/api/tips/{tip_id}/close", json={"outcome": "refuted"}, headers=auth("boris")
    )
    assert wrong.status_code == 409
    assert "received" in wrong.json()["description"]
    bad = api.post(f"/api/tips/{tip_id}/close", json={"outcome": "maybe"}, headers=auth("boris"))
    assert bad.status_code == 400
    assert api.post(f"/api/tips/{tip_id}/ack", json={}, headers=auth("boris")).status_code == 200
    closed = api.post(
        f"/api/tips/{tip_id}/close",
        json={"outcome": "corroborated", "note": "matches our files"},
        headers=auth("boris"),
    )
    assert closed.json()["receipts"][0]["outcome"] == "corroborated"
    assert (
        api.get("/api/tips/sent?all=true", headers=auth("alice")).json()[0]["receipts"][0]["state"]
        == "closed"
    )
    assert api.get("/api/tips/sent?all=true", headers=auth("carla")).json() == []
    assert api.get("/api/tips/overdue", headers={}).status_code == 401


def test_cli_shares_and_follows_a_tip(run: Run, world: World) -> None:
    items = cell_report()
    store(world, "alice", "fr-ru", items)
    shared = run("share", items[2]["id"], "--channel", "fr-ru", "--json", user="alice")
    assert shared.exit_code == 0, shared.output
    tip_id = orjson.loads(shared.output)["id"]
    table = run("tips", "inbox", user="boris")
    assert tip_id[5:13] in table.output
    assert "received" in table.output
    assert run("tips", "ack", tip_id[5:13], user="boris").exit_code == 0
    wrong = run("tips", "ack", tip_id[5:13], user="boris")
    assert wrong.exit_code == 1
    assert "cannot acknowledge a tip that is acknowledged" in wrong.output
    assert "Traceback" not in wrong.output
    missing = run("tips", "close", tip_id, "--outcome", "no_link_found", user="boris")
    assert "what was checked" in missing.output
    closed = run("tips", "close", tip_id, "--outcome", "no_longer_relevant", "--json", user="boris")
    assert orjson.loads(closed.output)["receipts"][0]["outcome"] == "no_longer_relevant"
    sent = run("tips", "sent", "--all", user="alice")
    assert "closed (no_longer_relevant)" in sent.output
    shown = run("tips", "show", tip_id[5:13], user="alice")
    assert "acknowledged  by boris" in shown.output
    assert run("tips", "show", tip_id[5:13], user="oscar").output.strip() == (
        f"Error: no tip {tip_id[5:13]!r}"
    )
    assert "(none)" in run("tips", "overdue", user="oscar").output


def test_remote_cli_follows_a_tip_through_the_rest_api(world: World, live_url: str) -> None:
    from click.testing import CliRunner

    from passerelle.cli import cli

    runner = CliRunner()

    def remote(username: str, *args: str) -> Any:
        env = {"PASSERELLE_TOKEN": world.tokens[username], "PASSERELLE_USER": ""}
        return runner.invoke(cli, [*args, "--url", live_url], env=env, catch_exceptions=False)

    items = cell_report()
    store(world, "alice", "fr-ru", items)
    shared = remote("alice", "share", items[2]["id"], "--channel", "fr-ru", "--json")
    assert shared.exit_code == 0, shared.output
    tip_id = orjson.loads(shared.stdout)["id"]
    inbox = remote("boris", "tips", "inbox", "--json")
    assert [t["id"] for t in orjson.loads(inbox.stdout)["tips"]] == [tip_id]
    assert remote("boris", "tips", "ack", tip_id[5:13], "--owner", "boris").exit_code == 0
    closed = remote(
        "boris", "tips", "close", tip_id[5:13], "--outcome", "actioned", "--arrests", "7",
        "--seizures", "weapons", "--json",
    )  # fmt: skip
    assert orjson.loads(closed.stdout)["receipts"][0]["arrests"] == 7
    wrong = remote("boris", "tips", "investigate", tip_id[5:13])
    assert wrong.exit_code == 1
    assert "cannot investigate a tip that is closed" in wrong.output
    sent = remote("alice", "tips", "sent", "--all")
    assert "closed (actioned)" in sent.stdout
    hidden = remote("oscar", "tips", "show", tip_id)
    assert hidden.output.strip() == f"Error: no tip {tip_id!r}"
    figures = orjson.loads(remote("alice", "partners", "--json").stdout)
    assert {p["partner"]: p["to_them"]["outcomes"] for p in figures}["fsb"] == {"actioned": 1}
