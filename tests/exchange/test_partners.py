"""Partner figures count both directions, and only what the asking user may know of."""

from __future__ import annotations

import orjson
from fastapi.testclient import TestClient

from passerelle.durations import DAY, HOUR
from passerelle.exchange import rfis, tips
from passerelle.exchange.partners import partner_figures
from tests.cli_runner import Run
from tests.exchange_support import ContextFor, FakeClock, cell_report, store
from tests.world import World


def _exchange(world: World, ctx: ContextFor, clock: FakeClock) -> None:
    """dgsi sends fsb two tips (one actioned within a day, one left unanswered) and an RFI."""
    first, second = cell_report(), cell_report()
    store(world, "alice", "fr-ru", first + second)
    actioned = tips.share(
        ctx("alice"), tips.ShareRequest(object_id=first[2]["id"], channel="fr-ru")
    )
    tips.share(ctx("alice"), tips.ShareRequest(object_id=second[2]["id"], channel="fr-ru"))
    clock.advance(2 * HOUR)
    tips.acknowledge(ctx("boris"), tips.AckRequest(tip_id=actioned.id))
    clock.advance(DAY)
    tips.close(
        ctx("boris"),
        tips.CloseRequest(tip_id=actioned.id, outcome="actioned", arrests=7),
    )
    rfis.send_rfi(
        ctx("boris"), rfis.SendRfi(to="dgsi", purpose="Who runs the cell?", urgency="urgent")
    )
    clock.advance(DAY)


def test_figures_per_partner_and_direction(world: World, ctx: ContextFor, clock: FakeClock) -> None:
    _exchange(world, ctx, clock)
    mine = {p.partner: p for p in partner_figures(ctx("alice"), tips.NoRequest())}
    assert sorted(mine) == ["cert", "fsb"]
    to_fsb = mine["fsb"].to_them
    assert (to_fsb.tips, to_fsb.acknowledged_pct, to_fsb.with_outcome_pct) == (2, 50.0, 50.0)
    assert (to_fsb.median_to_acknowledge, to_fsb.median_to_outcome) == ("2h", "1d 2h")
    assert to_fsb.outcomes == {"actioned": 1}
    assert to_fsb.overdue == 1  # the second tip was never acknowledged
    from_fsb = mine["fsb"].from_them
    assert (from_fsb.tips, from_fsb.rfis_asked, from_fsb.rfis_overdue) == (0, 1, 1)
    assert mine["cert"].to_them.tips == 0

    theirs = {p.partner: p for p in partner_figures(ctx("boris"), tips.NoRequest())}
    assert theirs["dgsi"].from_them.tips == 2
    assert theirs["dgsi"].from_them.outcomes == {"actioned": 1}
    assert theirs["dgsi"].to_them.rfis_asked == 1


def test_a_third_organisation_counts_nothing_of_others(
    world: World, ctx: ContextFor, clock: FakeClock
) -> None:
    _exchange(world, ctx, clock)
    for username in ("carla", "oscar"):
        for partner in partner_figures(ctx(username), tips.NoRequest()):
            assert partner.to_them.tips == partner.from_them.tips == 0
            assert partner.to_them.rfis_asked == partner.from_them.rfis_asked == 0
            assert partner.partner != "fsb"


def test_partners_over_rest_and_cli(
    world: World, ctx: ContextFor, clock: FakeClock, api: TestClient, run: Run
) -> None:
    _exchange(world, ctx, clock)
    answer = api.get("/api/partners", headers={"Authorization": f"Bearer {world.tokens['boris']}"})
    assert answer.status_code == 200
    assert answer.json()[0]["from_them"]["tips"] == 2
    assert "get" in api.get("/openapi.json").json()["paths"]["/api/partners"]
    table = run("partners", user="alice")
    assert table.exit_code == 0, table.output
    assert "fsb" in table.output
    assert "actioned 1" in table.output
    as_json = orjson.loads(run("partners", "--json", user="alice").output)
    assert {p["partner"] for p in as_json} == {"cert", "fsb"}
