"""Requests for information: sending, deadlines, answering, refusing, who sees what, and
the same functions through the REST API and the command line (local and remote)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from passerelle.audit import log as audit
from passerelle.cli import cli
from passerelle.core.context import Context, stamp
from passerelle.core.operations import REGISTRY
from passerelle.durations import DAY, HOUR, MINUTE
from passerelle.errors import BadInput, Conflict, Forbidden, NotFound, PasserelleError
from passerelle.exchange.rfis import (
    AnswerRfi,
    ListRfis,
    RefuseRfi,
    RfiDetail,
    SendRfi,
    ShowRfi,
    answer_rfi,
    list_rfis,
    refuse_rfi,
    rfi_figures,
    send_rfi,
    show_rfi,
)
from passerelle.http.media import TAXII_MEDIA_TYPE
from passerelle.objects.ingest import ingest
from passerelle.policy import directory
from passerelle.policy.roles import Role
from passerelle.policy.visibility import object_visible_anywhere
from passerelle.settings import ExchangeSettings
from passerelle.store.schema import channel_objects, rfis
from tests.exchange_support import START, ContextFor, FakeClock
from tests.stixgen import T0, indicator, stix_id
from tests.world import World

Json = dict[str, Any]


# Helpers --------------------------------------------------------------------------------


def share(world: World, username: str, channel: str, *objects: Json) -> None:
    """Post objects into a channel as a user of the world."""
    result = ingest(
        world.database, world.hooks, world.viewer(username), world.channels[channel], objects
    )
    assert not result.failures, result.failures


def report(*refs: str) -> Json:
    """Return a report made of the referenced objects."""
    return {
        "type": "report",
        "spec_version": "2.1",
        "id": stix_id("report"),
        "created": T0,
        "modified": T0,
        "name": "Answer",
        "published": T0,
        "object_refs": list(refs),
    }


def ask(ctx: ContextFor, who: str = "boris", to: str = "dgsi", **extra: Any) -> RfiDetail:
    """Send an RFI with sensible defaults."""
    fields: Json = {"to": to, "purpose": "Who runs the channel?", "urgency": "normal", **extra}
    return send_rfi(ctx(who), SendRfi.model_validate(fields))


def add_auditor(world: World, org: str = "dgsi", name: str = "dora") -> None:
    with world.database.write() as conn:
        world.tokens[name] = directory.add_user(conn, org, name, Role.AUDITOR)


def bearer(world: World, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[username]}"}


def unknown_id() -> str:
    return f"rfi--{uuid.uuid4()}"


def same_error(first: PasserelleError, second: PasserelleError, a: str, b: str) -> None:
    """The two errors are of one kind and say the same, but for the id named."""
    assert type(first) is type(second)
    assert first.message.replace(a, "X") == second.message.replace(b, "X")


# Sending and deadlines ------------------------------------------------------------------


def test_send_sets_the_deadline_from_the_urgency(ctx: ContextFor) -> None:
    urgent = ask(ctx, urgency="urgent")
    normal = ask(ctx, urgency="normal")
    chosen = ask(ctx, urgency="normal", within="36h")
    assert urgent.deadline == stamp(START + 8 * HOUR)
    assert normal.deadline == stamp(START + 7 * DAY)
    assert chosen.deadline == stamp(START + 36 * HOUR)
    assert urgent.created == stamp(START)
    assert urgent.id.startswith("rfi--")
    assert (urgent.direction, urgent.partner, urgent.from_org, urgent.to_org) == (
        "sent",
        "dgsi",
        "fsb",
        "dgsi",
    )
    assert (urgent.state, urgent.overdue, urgent.time_left, urgent.late_by) == (
        "open",
        False,
        "8h",
        None,
    )
    assert urgent.from_user == "boris"


def test_the_node_settings_change_the_default_deadlines(
    world: World, clock: FakeClock, ctx: ContextFor
) -> None:
    settings = ExchangeSettings(rfi_urgent_within=2 * HOUR, rfi_normal_within=3 * DAY)
    context = Context(
        world.database, world.viewer("alice"), world.keys, world.hooks, clock, settings
    )
    urgent = send_rfi(context, SendRfi(to="fsb", purpose="p", urgency="urgent"))
    normal = send_rfi(context, SendRfi(to="fsb", purpose="p", urgency="normal"))
    assert urgent.deadline == stamp(START + 2 * HOUR)
    assert normal.deadline == stamp(START + 3 * DAY)


def test_settings_read_the_deadlines_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PASSERELLE_RFI_URGENT_WITHIN", "4h")
    monkeypatch.setenv("PASSERELLE_RFI_NORMAL_WITHIN", "2w")
    settings = ExchangeSettings.from_env()
    assert (settings.rfi_urgent_within, settings.rfi_normal_within) == (4 * HOUR, 14 * DAY)


def test_send_refuses_what_makes_no_sense(world: World, ctx: ContextFor) -> None:
    with pytest.raises(BadInput, match="another organisation"):
        ask(ctx, who="alice", to="dgsi")
    # One answer for an organisation that does not exist and one that is no partner.
    with pytest.raises(NotFound, match="no partner organisation named 'nsa'") as missing:
        ask(ctx, to="nsa")
    with pytest.raises(NotFound, match="no partner organisation named") as stranger:
        ask(ctx, to="outsider")
    assert str(missing.value).replace("nsa", "X") == str(stranger.value).replace("outsider", "X")
    with pytest.raises(BadInput, match="needs a purpose"):
        ask(ctx, purpose="   ")
    with pytest.raises(BadInput, match="not a duration"):
        ask(ctx, within="soon")
    hidden = indicator(1)
    share(world, "oscar", "private", hidden)
    with pytest.raises(NotFound, match="no object"):
        ask(ctx, about=hidden["id"])
    with pytest.raises(NotFound, match="no object"):
        ask(ctx, about=stix_id("indicator"))
    add_auditor(world)
    with pytest.raises(Forbidden, match="auditors"):
        ask(ctx, who="dora", to="fsb")
    with world.database.read() as conn:
        assert conn.execute(select(rfis.c.id)).all() == []


def test_about_is_shown_only_to_those_who_may_see_it(world: World, ctx: ContextFor) -> None:
    own = indicator(2)
    share(world, "boris", "fr-ru", own)
    seen = ask(ctx, about=own["id"])
    assert seen.about == own["id"]
    assert show_rfi(ctx("alice"), ShowRfi(rfi_id=seen.id)).about == own["id"]
    secret = indicator(3)
    with world.database.write() as conn:
        fsb_only = directory.add_channel(
            conn, "fsb-only", [directory.Membership("fsb", True, True)]
        )
    world.channels["fsb-only"] = fsb_only
    share(world, "boris", "fsb-only", secret)
    unseen = ask(ctx, about=secret["id"])
    assert unseen.about == secret["id"]
    assert show_rfi(ctx("alice"), ShowRfi(rfi_id=unseen.id)).about is None


# Overdue --------------------------------------------------------------------------------


def test_an_open_rfi_becomes_overdue_on_both_sides(
    world: World, clock: FakeClock, ctx: ContextFor
) -> None:
    obj = indicator(7)
    share(world, "alice", "fr-ru", obj)
    urgent = ask(ctx, urgency="urgent")
    ask(ctx, urgency="normal")
    assert list_rfis(ctx("boris"), ListRfis(overdue=True)) == []
    clock.advance(8 * HOUR - 30 * MINUTE)
    (early,) = [r for r in list_rfis(ctx("alice"), ListRfis()) if r.id == urgent.id]
    assert (early.overdue, early.time_left, early.direction) == (False, "30m", "received")
    clock.advance(90 * MINUTE)
    for who, direction, partner in (("boris", "sent", "dgsi"), ("alice", "received", "fsb")):
        (late,) = list_rfis(ctx(who), ListRfis(overdue=True))
        assert late.id == urgent.id
        assert (late.direction, late.partner, late.overdue) == (direction, partner, True)
        assert (late.time_left, late.late_by) == (None, "1h")
    # Overdue RFIs come first in a plain listing (open, soonest due first).
    assert next(r.id for r in list_rfis(ctx("alice"), ListRfis())) == urgent.id
    answered = answer_rfi(ctx("alice"), AnswerRfi(rfi_id=urgent.id, objects=[obj["id"]]))
    assert (answered.overdue, answered.late_by, answered.state) == (False, "1h", "answered")
    assert list_rfis(ctx("boris"), ListRfis(overdue=True)) == []


def test_list_filters_by_direction_and_state(ctx: ContextFor) -> None:
    received = ask(ctx)
    sent = ask(ctx, who="alice", to="fsb")
    to_cert = ask(ctx, who="alice", to="cert")
    refuse_rfi(ctx("carla"), RefuseRfi(rfi_id=to_cert.id, reason="not ours"))
    alice = ctx("alice")
    assert [r.id for r in list_rfis(alice, ListRfis(direction="received"))] == [received.id]
    assert {r.id for r in list_rfis(alice, ListRfis(direction="sent"))} == {sent.id, to_cert.id}
    assert [r.id for r in list_rfis(alice, ListRfis(state="refused"))] == [to_cert.id]
    assert [r.id for r in list_rfis(alice, ListRfis())][-1] == to_cert.id
    assert [r.partner for r in list_rfis(ctx("carla"), ListRfis())] == ["dgsi"]


# Answering ------------------------------------------------------------------------------


def test_answer_with_objects_the_asker_already_sees(world: World, ctx: ContextFor) -> None:
    rfi = ask(ctx)
    obj = indicator(10)
    share(world, "alice", "fr-ru", obj)
    answered = answer_rfi(ctx("alice"), AnswerRfi(rfi_id=rfi.id, objects=[obj["id"]]))
    assert (answered.state, answered.closed_by, answered.answers, answered.shared) == (
        "answered",
        "alice",
        [obj["id"]],
        [],
    )
    asker = show_rfi(ctx("boris"), ShowRfi(rfi_id=rfi.id))
    assert (asker.state, asker.answers, asker.closed_at) == ("answered", [obj["id"]], stamp(START))
    with world.database.read() as conn:
        actions = [e.action for e in audit.entries(conn)]
    assert "rfi-send" in actions
    assert "rfi-answer" in actions


def test_answer_shares_hidden_objects_into_a_channel(world: World, ctx: ContextFor) -> None:
    rfi = ask(ctx)
    hidden = indicator(11)
    share(world, "alice", "dropbox", hidden)  # dgsi writes there; only cert reads it
    boris = world.viewer("boris")
    with world.database.read() as conn:
        assert not object_visible_anywhere(conn, boris, hidden["id"])
    alice = ctx("alice")
    request = AnswerRfi(rfi_id=rfi.id, objects=[hidden["id"]])
    with pytest.raises(BadInput, match=r"boris \(fsb\) cannot see .*--channel"):
        answer_rfi(alice, request)
    with pytest.raises(NotFound, match="no channel"):
        answer_rfi(alice, request.model_copy(update={"channel": "private"}))
    with pytest.raises(BadInput, match="does not reach boris"):
        answer_rfi(alice, request.model_copy(update={"channel": "community"}))
    with pytest.raises(Forbidden, match="only a liaison officer"):
        answer_rfi(ctx("alain"), request.model_copy(update={"channel": "fr-ru"}))
    assert show_rfi(alice, ShowRfi(rfi_id=rfi.id)).state == "open"
    answered = answer_rfi(alice, request.model_copy(update={"channel": "fr-ru"}))
    assert (answered.state, answered.shared, answered.answers) == (
        "answered",
        [hidden["id"]],
        [hidden["id"]],
    )
    with world.database.read() as conn:
        assert object_visible_anywhere(conn, boris, hidden["id"])
    assert show_rfi(ctx("boris"), ShowRfi(rfi_id=rfi.id)).answers == [hidden["id"]]


def test_sharing_an_answer_is_all_or_nothing(world: World, ctx: ContextFor) -> None:
    rfi = ask(ctx)
    part = indicator(12)
    share(world, "alice", "dropbox", part)
    whole = report(part["id"])
    share(world, "alice", "dropbox", whole)
    request = AnswerRfi(rfi_id=rfi.id, objects=[whole["id"]], channel="fr-ru")
    # The report would stay hidden from boris: it refers to an object he cannot see.
    with pytest.raises(BadInput, match="nothing was shared"):
        answer_rfi(ctx("alice"), request)
    with world.database.read() as conn:
        placed = conn.execute(
            select(channel_objects.c.stix_id).where(
                channel_objects.c.channel_id == world.channels["fr-ru"].id
            )
        ).all()
    assert placed == []
    assert show_rfi(ctx("alice"), ShowRfi(rfi_id=rfi.id)).state == "open"
    both = request.model_copy(update={"objects": [whole["id"], part["id"]]})
    answered = answer_rfi(ctx("alice"), both)
    assert sorted(answered.shared) == sorted([whole["id"], part["id"]])


def test_answer_needs_objects_the_answerer_sees(world: World, ctx: ContextFor) -> None:
    rfi = ask(ctx)
    alice = ctx("alice")
    with pytest.raises(BadInput, match="at least one object"):
        answer_rfi(alice, AnswerRfi(rfi_id=rfi.id, objects=[" "]))
    foreign = indicator(13)
    share(world, "oscar", "private", foreign)
    missing = stix_id("indicator")
    for ref in (foreign["id"], missing):
        with pytest.raises(NotFound, match="no object"):
            answer_rfi(alice, AnswerRfi(rfi_id=rfi.id, objects=[ref]))


def test_only_the_asked_organisation_answers_or_refuses_an_open_rfi(
    world: World, ctx: ContextFor
) -> None:
    obj = indicator(14)
    share(world, "alice", "fr-ru", obj)
    rfi = ask(ctx)
    with pytest.raises(Forbidden, match="only dgsi, the organisation asked"):
        answer_rfi(ctx("boris"), AnswerRfi(rfi_id=rfi.id, objects=[obj["id"]]))
    with pytest.raises(Forbidden, match="only dgsi"):
        refuse_rfi(ctx("boris"), RefuseRfi(rfi_id=rfi.id, reason="never mind"))
    with pytest.raises(BadInput, match="needs a reason"):
        refuse_rfi(ctx("alice"), RefuseRfi(rfi_id=rfi.id, reason="  "))
    refused = refuse_rfi(ctx("alain"), RefuseRfi(rfi_id=rfi.id, reason="Outside our remit"))
    assert (refused.state, refused.reason, refused.closed_by) == (
        "refused",
        "Outside our remit",
        "alain",
    )
    seen = show_rfi(ctx("boris"), ShowRfi(rfi_id=rfi.id))
    assert (seen.state, seen.reason) == ("refused", "Outside our remit")
    with pytest.raises(Conflict, match="already refused"):
        refuse_rfi(ctx("alice"), RefuseRfi(rfi_id=rfi.id, reason="again"))
    with pytest.raises(Conflict, match="already refused"):
        answer_rfi(ctx("alice"), AnswerRfi(rfi_id=rfi.id, objects=[obj["id"]]))
    other = ask(ctx)
    answer_rfi(ctx("alice"), AnswerRfi(rfi_id=other.id, objects=[obj["id"]]))
    with pytest.raises(Conflict, match="already answered"):
        answer_rfi(ctx("alice"), AnswerRfi(rfi_id=other.id, objects=[obj["id"]]))
    with pytest.raises(Conflict, match="already answered"):
        refuse_rfi(ctx("alice"), RefuseRfi(rfi_id=other.id, reason="late thoughts"))


# Who sees what --------------------------------------------------------------------------


def test_a_third_organisation_and_an_auditor_see_no_trace(world: World, ctx: ContextFor) -> None:
    obj = indicator(15)
    share(world, "alice", "fr-ru", obj)
    rfi = ask(ctx)
    add_auditor(world)
    auditor = ctx("dora")
    for call in (
        lambda: list_rfis(auditor, ListRfis()),
        lambda: show_rfi(auditor, ShowRfi(rfi_id=rfi.id)),
        lambda: show_rfi(auditor, ShowRfi(rfi_id=unknown_id())),
        lambda: answer_rfi(auditor, AnswerRfi(rfi_id=rfi.id, objects=[obj["id"]])),
        lambda: refuse_rfi(auditor, RefuseRfi(rfi_id=rfi.id, reason="no")),
    ):
        # Auditors take no part in the workflow: the same refusal whatever the RFI.
        with pytest.raises(Forbidden, match="auditors"):
            call()
    assert rfi_figures_of(auditor) == []
    for who in ("carla", "oscar"):
        assert list_rfis(ctx(who), ListRfis()) == []
        assert rfi_figures_of(ctx(who)) == []
        for reference in (rfi.id, rfi.id[:13]):
            nobody = unknown_id()
            context = ctx(who)
            calls = (
                lambda ref, c=context: show_rfi(c, ShowRfi(rfi_id=ref)),
                lambda ref, c=context: answer_rfi(c, AnswerRfi(rfi_id=ref, objects=[obj["id"]])),
                lambda ref, c=context: refuse_rfi(c, RefuseRfi(rfi_id=ref, reason="no")),
            )
            for call in calls:
                with pytest.raises(NotFound) as real:
                    call(reference)
                fake = nobody if reference == rfi.id else nobody[:13]
                with pytest.raises(NotFound) as missing:
                    call(fake)
                same_error(real.value, missing.value, reference, fake)
                assert real.value.message == f"no RFI {reference!r}"
    assert show_rfi(ctx("alice"), ShowRfi(rfi_id=rfi.id)).state == "open"


def rfi_figures_of(context: Context) -> list[Any]:
    with context.database.read() as conn:
        return rfi_figures(conn, context.viewer, context.now())


def test_an_rfi_is_named_by_a_unique_prefix(world: World, ctx: ContextFor) -> None:
    first, second = ask(ctx), ask(ctx)
    with world.database.write() as conn:
        for old, new in ((first.id, "rfi--abcdef01-0000"), (second.id, "rfi--abcdef01-1111")):
            conn.execute(rfis.update().where(rfis.c.id == old).values(id=new + old[23:]))
    ids = [r.id for r in list_rfis(ctx("alice"), ListRfis())]
    assert all(i.startswith("rfi--abcdef01-") for i in ids)
    alice = ctx("alice")
    assert show_rfi(alice, ShowRfi(rfi_id="abcdef01-00")).id.startswith("rfi--abcdef01-0000")
    assert show_rfi(alice, ShowRfi(rfi_id="RFI--ABCDEF01-11")).id.startswith("rfi--abcdef01-1111")
    with pytest.raises(BadInput, match="ambiguous"):
        show_rfi(alice, ShowRfi(rfi_id="abcdef01"))
    with pytest.raises(BadInput, match="at least 8 characters"):
        show_rfi(alice, ShowRfi(rfi_id="abcdef0"))
    with pytest.raises(NotFound, match="no RFI 'abcd%ef01'"):
        show_rfi(alice, ShowRfi(rfi_id="abcd%ef01"))
    with pytest.raises(NotFound):
        show_rfi(ctx("carla"), ShowRfi(rfi_id="abcdef01-00"))


def test_figures_per_partner(clock: FakeClock, ctx: ContextFor) -> None:
    ask(ctx, urgency="urgent")
    late = ask(ctx, urgency="urgent")
    ask(ctx, who="alice", to="fsb")
    clock.advance(9 * HOUR)
    refuse_rfi(ctx("alice"), RefuseRfi(rfi_id=late.id, reason="no"))
    figures = {(f.partner, f.direction): f for f in rfi_figures_of(ctx("alice"))}
    received = figures[("fsb", "received")]
    assert (received.asked, received.open, received.refused, received.overdue) == (2, 1, 1, 1)
    assert (received.answered, received.closed_late) == (0, 1)
    assert figures[("fsb", "sent")].asked == 1
    assert {f.direction for f in rfi_figures_of(ctx("boris"))} == {"sent", "received"}


# REST API -------------------------------------------------------------------------------


def test_every_rfi_operation_has_its_route(world: World, api: TestClient) -> None:
    operations = [op for name, op in REGISTRY.items() if name.startswith("rfi.")]
    assert {op.name for op in operations} == {
        "rfi.send",
        "rfi.list",
        "rfi.show",
        "rfi.answer",
        "rfi.refuse",
    }
    schema = api.get("/openapi.json").json()
    for op in operations:
        # The app serves the method at the path: an unknown path answers the router's bare
        # "Not Found", a wrong method 405.
        probe = op.path.replace("{rfi_id}", unknown_id())
        served = api.request(op.method, probe, json={}, headers=bearer(world, "alice"))
        assert served.status_code != 405, op.name
        answer = served.json()
        assert not isinstance(answer, dict) or answer["description"] != "Not Found", op.name
        # ... and takes exactly what the remote client sends: path fields in the path, the
        # others in the query string (GET) or the JSON body (POST).
        spec = schema["paths"][op.path][op.method.lower()]
        params = {(p["name"], p["in"]) for p in spec.get("parameters", [])}
        fields = set(op.request.model_fields)
        path_fields = set(op.path_fields)
        assert path_fields <= fields
        assert {name for name, where in params if where == "path"} == path_fields
        rest = fields - path_fields
        if op.method == "GET":
            assert {name for name, where in params if where == "query"} == rest
            assert "requestBody" not in spec
        else:
            ref = spec["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
            assert set(body["properties"]) == rest, op.name


def test_rest_api_end_to_end(world: World, api: TestClient, clock: FakeClock) -> None:
    boris, alice, carla = (bearer(world, u) for u in ("boris", "alice", "carla"))
    obj = indicator(20)
    share(world, "alice", "dropbox", obj)
    sent = api.post(
        "/api/rfis",
        json={"to": "dgsi", "purpose": "Cell members?", "urgency": "urgent"},
        headers=boris,
    )
    assert sent.status_code == 201, sent.text
    rfi = sent.json()
    assert (rfi["deadline"], rfi["state"], rfi["direction"]) == (
        stamp(START + 8 * HOUR),
        "open",
        "sent",
    )
    assert api.get("/api/rfis").status_code == 401
    clock.advance(9 * HOUR)
    listed = api.get(
        "/api/rfis", params={"overdue": "true", "direction": "received"}, headers=alice
    )
    assert listed.status_code == 200
    assert [(r["id"], r["overdue"], r["late_by"]) for r in listed.json()] == [
        (rfi["id"], True, "1h")
    ]
    assert api.get("/api/rfis", headers=carla).json() == []
    short = rfi["id"][5:13]
    assert api.get(f"/api/rfis/{short}", headers=alice).json()["id"] == rfi["id"]
    for who in (carla, alice):
        missing = api.get(f"/api/rfis/{unknown_id()}", headers=who)
        assert missing.status_code == 404
        assert set(missing.json()) == {"title", "description", "http_status"}
    hidden = api.get(f"/api/rfis/{rfi['id']}", headers=carla)
    assert hidden.status_code == 404
    assert hidden.json()["description"] == f"no RFI {rfi['id']!r}"
    bad = api.post(
        "/api/rfis", json={"to": "dgsi", "purpose": "x", "urgency": "soon"}, headers=boris
    )
    assert bad.status_code == 400
    assert "urgency" in bad.json()["description"]
    path = f"/api/rfis/{rfi['id']}"
    no_channel = api.post(f"{path}/answer", json={"objects": [obj["id"]]}, headers=alice)
    assert no_channel.status_code == 400
    assert "--channel" in no_channel.json()["description"]
    assert api.post(f"{path}/refuse", json={"reason": " "}, headers=alice).status_code == 400
    assert api.post(f"{path}/refuse", json={"reason": "x"}, headers=boris).status_code == 403
    answered = api.post(
        f"{path}/answer", json={"objects": [obj["id"]], "channel": "fr-ru"}, headers=alice
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["shared"] == [obj["id"]]
    again = api.post(f"{path}/refuse", json={"reason": "x"}, headers=alice)
    assert again.status_code == 409
    assert again.json()["http_status"] == "409"
    shown = api.get(path, headers=boris).json()
    assert (shown["state"], shown["answers"], shown["late_by"]) == ("answered", [obj["id"]], "1h")
    # The asker reads the answer through TAXII.
    collection = world.collection("fr-ru")
    read = api.get(
        f"/taxii2/root/collections/{collection}/objects/{obj['id']}/",
        headers={**boris, "Accept": TAXII_MEDIA_TYPE},
    )
    assert read.status_code == 200, read.text
    assert [o["id"] for o in read.json()["objects"]] == [obj["id"]]


# Command line ---------------------------------------------------------------------------


def test_cli_json_and_table(run: Any, world: World) -> None:
    sent = run(
        "rfi", "send", "--to", "dgsi", "--purpose", "Who?", "--urgency", "normal", "--json",
        user="boris",
    )  # fmt: skip
    assert sent.exit_code == 0, sent.output
    rfi = json.loads(sent.stdout)
    assert (rfi["to_org"], rfi["urgency"], rfi["time_left"]) == ("dgsi", "normal", "7d")
    human = run("rfi", "send", "--to", "dgsi", "--purpose", "Where?", "--urgency", "urgent",
                "--within", "2h", user="boris")  # fmt: skip
    assert human.exit_code == 0
    assert human.stdout.startswith("sent rfi--")
    assert "to dgsi (urgent)" in human.stdout
    assert "(2h left)" in human.stdout
    listed = json.loads(run("rfi", "list", "--json", user="alice").stdout)
    assert [r["direction"] for r in listed] == ["received", "received"]
    assert listed[1]["id"] == rfi["id"]
    table = run("rfi", "list", "--direction", "received", user="alice").stdout.splitlines()
    assert table[0].split() == [
        "ID", "DIRECTION", "PARTNER", "QUESTION", "URGENCY", "STATE", "CREATED", "DEADLINE",
        "OVERDUE", "DUE",
    ]  # fmt: skip
    assert [row.split()[1:6] for row in table[1:]] == [
        ["received", "fsb", "Where?", "urgent", "open"],
        ["received", "fsb", "Who?", "normal", "open"],
    ]
    assert table[2].endswith("left")
    assert run("rfi", "list", "--overdue", user="alice").stdout.strip() == "(none)"
    obj = indicator(30)
    share(world, "alice", "fr-ru", obj)
    answered = run("rfi", "answer", rfi["id"][:13], "--object", obj["id"], user="alice")
    assert answered.exit_code == 0, answered.output
    assert answered.stdout.strip() == f"answered {rfi['id']} with 1 object(s)"
    shown = run("rfi", "show", rfi["id"], user="boris").stdout
    assert "state:     answered" in shown
    assert f"answers:   {obj['id']}" in shown
    missing_reason = run("rfi", "refuse", rfi["id"], user="alice")
    assert missing_reason.exit_code == 2
    assert "--reason" in missing_reason.output
    blank = run("rfi", "refuse", rfi["id"], "--reason", " ", user="alice")
    assert blank.exit_code == 1
    assert blank.output.strip().splitlines() == [
        "Error: a refusal needs a reason (--reason TEXT): the asker reads it"
    ]
    closed = run("rfi", "refuse", rfi["id"], "--reason", "late", user="alice")
    assert closed.exit_code == 1
    assert "already answered" in closed.output
    assert len(closed.output.strip().splitlines()) == 1
    unseen = run("rfi", "show", rfi["id"], user="carla")
    assert unseen.output.strip() == f"Error: no RFI {rfi['id']!r}"
    nobody = run("rfi", "list")
    assert nobody.exit_code == 1
    assert "--user" in nobody.output


def test_remote_cli_through_the_rest_api(world: World, live_url: str) -> None:
    runner = CliRunner()

    def remote(username: str, *args: str) -> Any:
        env = {"PASSERELLE_TOKEN": world.tokens[username], "PASSERELLE_USER": ""}
        return runner.invoke(cli, [*args, "--url", live_url], env=env, catch_exceptions=False)

    sent = remote(
        "boris", "rfi", "send", "--to", "dgsi", "--purpose", "Who?", "--urgency", "urgent",
        "--json",
    )  # fmt: skip
    assert sent.exit_code == 0, sent.output
    rfi = json.loads(sent.stdout)
    assert rfi["deadline"] == stamp(START + 8 * HOUR)
    listed = remote("alice", "rfi", "list", "--json")
    assert listed.exit_code == 0, listed.output
    assert [(r["id"], r["direction"]) for r in json.loads(listed.stdout)] == [
        (rfi["id"], "received")
    ]
    obj = indicator(40)
    share(world, "alice", "dropbox", obj)
    refused = remote("alice", "rfi", "answer", rfi["id"], "--object", obj["id"])
    assert refused.exit_code == 1
    assert "--channel" in refused.output
    answered = remote(
        "alice", "rfi", "answer", rfi["id"], "--object", obj["id"], "--channel", "fr-ru"
    )
    assert answered.exit_code == 0, answered.output
    assert "shared 1 of them into 'fr-ru'" in answered.stdout
    hidden = remote("carla", "rfi", "show", rfi["id"])
    assert hidden.output.strip() == f"Error: no RFI {rfi['id']!r}"
    no_token = runner.invoke(cli, ["rfi", "list", "--url", live_url], env={"PASSERELLE_TOKEN": ""})
    assert "PASSERELLE_TOKEN" in no_token.output
