"""Refused operations and audited reads go to the audit log, with the purpose, on every
path that runs an operation: in-process, the command line and the REST API."""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.request

import pytest

from passerelle.audit.log import Entry, entries
from passerelle.core.operations import READ, REFUSED, REGISTRY, perform
from passerelle.errors import Forbidden
from passerelle.exchange.tips import ShareRequest
from passerelle.resolution.entities import Resolve
from tests.cli_runner import cli_runner
from tests.exchange_support import FakeClock, contexts, store
from tests.stixgen import indicator
from tests.world import World


def _log(world: World, action: str) -> list[Entry]:
    with world.database.read() as conn:
        return [entry for entry in entries(conn) if entry.action == action]


def _shared_by_alice(world: World) -> str:
    obj = indicator(1)
    store(world, "alice", "community", [obj])
    return str(obj["id"])


def test_a_refused_share_is_recorded_with_what_was_asked_and_why(
    world: World, clock: FakeClock
) -> None:
    object_id = _shared_by_alice(world)
    carla = contexts(world, clock)("carla")  # cert only reads the community channel
    carla = carla.for_viewer(dataclasses.replace(carla.viewer, purpose="CT-7"))
    request = ShareRequest(object_id=object_id, channel="community")
    with pytest.raises(Forbidden):
        perform(REGISTRY["tips.share"], carla, request)
    [entry] = _log(world, REFUSED)
    assert (entry.username, entry.org_name, entry.purpose) == ("carla", "cert", "CT-7")
    assert entry.object_ids == (object_id,)
    assert entry.detail["operation"] == "tips.share"
    assert entry.detail["asked"]["channel"] == "community"
    assert "community" in entry.detail["reason"]


def test_a_resolve_is_a_read_in_the_log_and_a_long_name_is_cut(
    world: World, clock: FakeClock
) -> None:
    alice = contexts(world, clock)("alice")
    perform(REGISTRY["entity.resolve"], alice, Resolve(name="Djokhar " + "x" * 250))
    [entry] = _log(world, READ)
    assert (entry.username, entry.detail["operation"]) == ("alice", "entity.resolve")
    assert entry.detail["asked"]["name"].startswith("Djokhar x")
    assert len(entry.detail["asked"]["name"]) == 200


def test_a_write_that_succeeds_leaves_no_refusal_and_a_plain_list_no_read(
    world: World, clock: FakeClock
) -> None:
    object_id = _shared_by_alice(world)
    alice = contexts(world, clock)("alice")
    perform(REGISTRY["tips.share"], alice, ShareRequest(object_id=object_id, channel="community"))
    assert _log(world, REFUSED) == []
    assert _log(world, READ) == []


def test_an_admin_refusal_is_recorded_once(world: World, clock: FakeClock) -> None:
    from passerelle.admin.actions import REFUSED as ADMIN_REFUSED
    from passerelle.admin.operations import Nothing

    boris = contexts(world, clock)("boris")  # a liaison officer, not an admin
    with pytest.raises(Forbidden):
        perform(REGISTRY["admin.org"], boris, Nothing())
    assert len(_log(world, ADMIN_REFUSED)) == 1
    assert _log(world, REFUSED) == []


def test_the_command_line_records_entity_reads_and_refusals(
    world: World, database_url: str
) -> None:
    run = cli_runner(database_url)
    object_id = _shared_by_alice(world)
    resolved = run("--purpose", "case 12", "resolve", "Tsarnaev", user="alice")
    assert resolved.exit_code == 0, resolved.output
    refused = run("share", object_id, "--channel", "community", user="carla")
    assert refused.exit_code != 0
    [read] = _log(world, READ)
    assert (read.username, read.purpose, read.detail["asked"]["name"]) == (
        "alice",
        "case 12",
        "Tsarnaev",
    )
    [refusal] = _log(world, REFUSED)
    assert (refusal.username, refusal.detail["operation"]) == ("carla", "tips.share")


def test_the_rest_api_records_entity_reads_and_refusals(world: World, live_url: str) -> None:
    object_id = _shared_by_alice(world)

    def call(token: str, method: str, path: str, body: object = None) -> int:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{live_url}{path}", data=data, method=method)
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Content-Type", "application/json")
        request.add_header("X-Passerelle-Purpose", "case 13")
        try:
            with urllib.request.urlopen(request) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    assert call(world.tokens["boris"], "GET", "/api/resolve?name=Basayev") == 200
    share = {"object_id": object_id, "channel": "community"}
    assert call(world.tokens["carla"], "POST", "/api/tips", share) == 403
    [read] = _log(world, READ)
    assert (read.username, read.purpose, read.detail["operation"]) == (
        "boris",
        "case 13",
        "entity.resolve",
    )
    [refusal] = _log(world, REFUSED)
    assert (refusal.username, refusal.purpose, refusal.object_ids) == (
        "carla",
        "case 13",
        (object_id,),
    )
