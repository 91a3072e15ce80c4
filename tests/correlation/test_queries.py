"""Correlation: objects linked across channels by shared observables and resolved entities,
never beyond what the asker may see (the access matrix for it is in test_access_matrix.py,
the index it reads in test_index.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from passerelle.app import create_app
from passerelle.core.operations import REGISTRY
from passerelle.correlation import queries
from passerelle.correlation.queries import CorrelateRequest, Correlation, LookupRequest
from passerelle.errors import BadInput, Forbidden, NotFound
from passerelle.policy import directory
from passerelle.policy.roles import Role
from passerelle.settings import Settings
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from passerelle.store.entity_tables import entities, entity_links, entity_merges, entity_names
from passerelle.store.schema import audit_log
from tests.cli_runner import Run
from tests.correlation.support import SHA256, sco, store, version_of, watching
from tests.exchange_support import ContextFor, FakeClock
from tests.stixgen import indicator, stix_id
from tests.world import World

T1 = "2026-02-01T00:00:00.000Z"


# -- helpers ------------------------------------------------------------------------------


@pytest.fixture
def rest(world: World, clock: FakeClock) -> Iterator[TestClient]:
    settings = Settings(db_url="unused://", max_content_length=200_000)
    app = create_app(settings, world.database, clock=clock)
    with TestClient(app) as client:
        yield client


def correlated(found: Correlation) -> dict[str, set[str]]:
    return {group.key: {o.id for o in group.objects} for group in found.groups}


def correlate(ctx: ContextFor, user: str, object_id: str, limit: int = 20) -> Correlation:
    return queries.correlate(ctx(user), CorrelateRequest(object_id=object_id, limit=limit))


def lookup(ctx: ContextFor, user: str, value: str, limit: int = 20) -> Correlation:
    return queries.lookup(ctx(user), LookupRequest(value=value, limit=limit))


def bearer(world: World, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[username]}"}


# -- correlate ----------------------------------------------------------------------------


def test_objects_correlate_across_channels_by_value_and_by_network(
    world: World, ctx: ContextFor
) -> None:
    ip = watching("[ipv4-addr:value = '198.51.100.7']", name="C2 server")
    same_ip = sco("ipv4-addr", value="198.51.100.7")
    network = watching("[ipv4-addr:value = '198.51.100.0/24']", name="Hosting range")
    wider = watching("[ipv4-addr:value = '198.51.0.0/16']", name="Provider")
    elsewhere = watching("[ipv4-addr:value = '198.51.101.7']", name="Other host")
    store(world, "alice", "fr-ru", ip, same_ip)
    store(world, "alice", "community", network, wider, elsewhere)
    found = correlate(ctx, "alice", ip["id"])
    assert found.keys == ["ip:198.51.100.7"]
    assert correlated(found) == {"ip:198.51.100.7": {same_ip["id"], network["id"], wider["id"]}}
    assert found.total == 3
    (group,) = found.groups
    by_id = {o.id: o for o in group.objects}
    assert by_id[network["id"]].via == ["cidr:198.51.100.0/24"]
    assert by_id[network["id"]].channels == ["community"]
    assert by_id[network["id"]].name == "Hosting range"
    assert by_id[same_ip["id"]].via == ["ip:198.51.100.7"]
    assert by_id[same_ip["id"]].channels == ["fr-ru"]
    # A network correlates with the addresses and networks inside it, and those holding it.
    net = correlate(ctx, "alice", network["id"])
    assert correlated(net) == {
        "cidr:198.51.100.0/24": {ip["id"], same_ip["id"], wider["id"]},
    }
    # carla reads community only: the addresses in fr-ru are not hers to see, nor counted.
    seen_by_carla = correlate(ctx, "carla", network["id"])
    assert correlated(seen_by_carla) == {"cidr:198.51.100.0/24": {wider["id"]}}
    assert (seen_by_carla.total, seen_by_carla.groups[0].count) == (1, 1)


def test_a_hidden_object_answers_like_a_missing_one(world: World, ctx: ContextFor) -> None:
    secret = watching("[ipv4-addr:value = '198.51.100.7']")
    store(world, "alice", "fr-ru", secret)
    missing = f"indicator--{uuid.uuid4()}"
    with pytest.raises(NotFound) as hidden:
        correlate(ctx, "carla", secret["id"])
    with pytest.raises(NotFound) as absent:
        correlate(ctx, "carla", missing)
    assert hidden.value.message == absent.value.message.replace(missing, secret["id"])


def test_counts_and_limits_apply_after_visibility(world: World, ctx: ContextFor) -> None:
    anchor = watching("[domain-name:value = 'cell.example']")
    store(world, "alice", "community", anchor)
    hidden = [watching("[domain-name:value = 'cell.example']") for _ in range(3)]
    store(world, "alice", "fr-ru", *hidden)
    shown = [watching("[domain-name:value = 'cell.example']") for _ in range(2)]
    store(world, "alice", "community", *shown)
    for user, expected in (("alice", 5), ("carla", 2)):
        found = correlate(ctx, user, anchor["id"], limit=1)
        (group,) = found.groups
        assert (group.count, found.total, len(group.objects), group.more) == (expected,) * 2 + (
            1,
            True,
        )
        exact = correlate(ctx, user, anchor["id"], limit=expected)
        assert not exact.groups[0].more
    # What carla is listed first is the first of what she sees, by id: no gap to read.
    visible_ids = sorted(o["id"] for o in shown)
    assert [o.id for o in correlate(ctx, "carla", anchor["id"], limit=1).groups[0].objects] == [
        visible_ids[0]
    ]


def test_a_version_hidden_from_the_viewer_lends_no_keys(world: World, ctx: ContextFor) -> None:
    """A TLP:RED second version adding a phone number correlates only for its recipients."""
    ident = stix_id("indicator")
    v1 = indicator(1, ident=ident, object_marking_refs=[TLP2_IDS[Tlp.GREEN]])
    v2 = indicator(
        1,
        ident=ident,
        modified=T1,
        description="handler: +33 6 12 34 56 78",
        object_marking_refs=[TLP2_IDS[Tlp.RED]],
        extensions={
            HANDLING_EXTENSION_ID: {"extension_type": "property-extension", "recipients": ["alain"]}
        },
    )
    phone = watching("[email-addr:value = 'x@y.fr']", description="tel +33 6 12 34 56 78")
    store(world, "alice", "fr-ru", v1, v2, phone)
    for_boris = correlate(ctx, "boris", ident)
    assert "phone:+33612345678" not in for_boris.keys
    assert correlated(for_boris) == {}
    assert correlated(correlate(ctx, "alain", ident)) == {"phone:+33612345678": {phone["id"]}}
    # And the other way round: boris correlating the phone does not find the RED version.
    assert correlated(correlate(ctx, "boris", phone["id"])) == {}
    assert correlated(correlate(ctx, "alain", phone["id"])) == {"phone:+33612345678": {ident}}


def test_objects_resolved_to_one_entity_correlate(
    world: World, ctx: ContextFor, clock: FakeClock
) -> None:
    """Links auto or accepted count, along the whole chain of the viewer's organisation's
    merges (as entity views follow it); hidden objects do not."""
    # Indicators, which the resolver leaves alone: the links below are all there is.
    ahmed, akhmed, proposed, secret, refused = (indicator(n) for n in range(1, 6))
    store(world, "alice", "community", ahmed, akhmed, proposed, refused)
    store(world, "oscar", "private", secret)
    a, b, c = (f"entity--{uuid.uuid4()}" for _ in range(3))
    with world.database.write() as conn:
        for entity_id in (a, b, c):
            conn.execute(
                entities.insert().values(id=entity_id, kind="person", name="x", created=clock())
            )
            conn.execute(
                entity_names.insert().values(
                    entity_id=entity_id,
                    name=f"Ahmed {entity_id[-4:]}",
                    script="latin",
                    source="aliases:test.json#t",
                    created=clock(),
                )
            )
        carla = world.viewer("carla")
        for entity_id, into in ((a, b), (b, c)):  # cert's judgement: a is b is c
            conn.execute(
                entity_merges.insert().values(
                    org_id=carla.org_id,
                    entity_id=entity_id,
                    merged_into=into,
                    merged_by=carla.user_id,
                    merged_at=clock(),
                )
            )
        for obj, entity_id, status in (
            (ahmed, a, "auto"),
            (akhmed, c, "accepted"),
            (proposed, c, "review"),
            (refused, c, "rejected"),
            (secret, c, "auto"),
        ):
            conn.execute(
                entity_links.insert().values(
                    stix_id=obj["id"],
                    entity_id=entity_id,
                    version=version_of(world, obj["id"]),
                    score=900,
                    explanation="",
                    status=status,
                    created=clock(),
                )
            )
    found = correlate(ctx, "carla", ahmed["id"])
    assert f"entity:{c}" in found.keys
    assert correlated(found) == {f"entity:{c}": {akhmed["id"]}}
    assert found.groups[0].objects[0].via == [f"entity:{c}"]
    assert correlated(correlate(ctx, "oscar", secret["id"])) == {}
    for named in (a, b, c):  # a member names its whole group
        by_entity = lookup(ctx, "carla", f"entity:{named}")
        assert by_entity.value == f"entity:{c}"
        assert {o.id for o in by_entity.groups[0].objects} == {ahmed["id"], akhmed["id"]}
    assert lookup(ctx, "oscar", f"entity:{c}").total == 1
    # cert's merges are cert's: dgsi sees a and c apart
    assert correlated(correlate(ctx, "alice", ahmed["id"])) == {}
    assert {o.id for o in lookup(ctx, "alice", f"entity:{c}").groups[0].objects} == {akhmed["id"]}


def test_auditors_take_no_part(world: World, ctx: ContextFor) -> None:
    ind = watching("[ipv4-addr:value = '198.51.100.7']")
    store(world, "alice", "fr-ru", ind)
    with world.database.write() as conn:
        directory.add_user(conn, "dgsi", "audrey", Role.AUDITOR)
    with pytest.raises(Forbidden):
        correlate(ctx, "audrey", ind["id"])
    with pytest.raises(Forbidden):
        lookup(ctx, "audrey", "198.51.100.7")


# -- lookup -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("198.51.100.7", "ip:198.51.100.7"),
        ("ip:198.51.100.7", "ip:198.51.100.7"),
        ("198.51.100.0/24", "cidr:198.51.100.0/24"),
        ("https://evil.example/x", "url:https://evil.example/x"),
        ("domain:Evil.Example", "domain:evil.example"),
        ("evil.example", "domain:evil.example"),
        (SHA256.upper(), f"sha256:{SHA256}"),
        ("06 12 34 56 78", "phone:+33612345678"),
    ],
)
def test_lookup_finds_what_carries_a_value(
    world: World, ctx: ContextFor, typed: str, key: str
) -> None:
    pattern = (
        "[ipv4-addr:value = '198.51.100.7'] OR [url:value = 'https://evil.example/x'] "
        f"OR [file:hashes.'SHA-256' = '{SHA256}']"
    )
    ind = watching(pattern, description="+33 6 12 34 56 78")
    store(world, "alice", "fr-ru", ind)
    found = lookup(ctx, "boris", typed)
    assert (found.value, found.total) == (key, 1)
    assert [o.id for o in found.groups[0].objects] == [ind["id"]]
    nothing = lookup(ctx, "carla", typed)
    assert (nothing.total, nothing.groups[0].count, nothing.groups[0].objects) == (0, 0, [])


def test_lookup_of_a_value_nobody_holds_looks_the_same_as_one_hidden(
    world: World, ctx: ContextFor
) -> None:
    store(world, "alice", "fr-ru", watching("[domain-name:value = 'hidden.example']"))
    hidden = lookup(ctx, "carla", "hidden.example").model_dump()
    absent = lookup(ctx, "carla", "absent.example").model_dump()
    for answer in (hidden, absent):
        answer.pop("value")
        answer.pop("keys")
        answer["groups"][0].pop("key")
    assert hidden == absent


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("hello world", "cannot tell what"),
        ("0.0.0.0/0", "too wide"),
        ("sha256:abc", "not a sha256 hash"),
        ("ip:nowhere", "not an IP address"),
        ("entity:", "needs an entity id"),
    ],
)
def test_lookup_refuses_what_is_not_a_value(ctx: ContextFor, typed: str, says: str) -> None:
    with pytest.raises(BadInput) as caught:
        lookup(ctx, "alice", typed)
    assert says in caught.value.message


def test_lookups_and_correlations_are_audited(world: World, ctx: ContextFor) -> None:
    ind = watching("[ipv4-addr:value = '198.51.100.7']")
    other = watching("[ipv4-addr:value = '198.51.100.7']")
    store(world, "alice", "fr-ru", ind, other)
    correlate(ctx, "boris", ind["id"])
    lookup(ctx, "boris", "198.51.100.7")
    with world.database.read() as conn:
        rows = conn.execute(
            select(audit_log.c.action, audit_log.c.object_ids, audit_log.c.detail).where(
                audit_log.c.username == "boris"
            )
        ).all()
    actions = {row.action: row for row in rows}
    assert json.loads(actions["correlate"].object_ids) == [ind["id"], other["id"]]
    assert json.loads(actions["lookup"].detail)["key"] == "ipv4:198.051.100.007"


# -- REST API and command line ------------------------------------------------------------


def test_every_correlation_operation_has_its_route(rest: TestClient) -> None:
    paths = rest.get("/openapi.json").json()["paths"]
    served = {(method.upper(), path) for path, methods in paths.items() for method in methods}
    operations = [op for op in REGISTRY.values() if op.name.startswith("correlation.")]
    assert {op.name for op in operations} == {"correlation.correlate", "correlation.lookup"}
    assert [op.name for op in operations if (op.method, op.path) not in served] == []


def test_the_rest_api_serves_correlation(rest: TestClient, world: World) -> None:
    ind = watching("[ipv4-addr:value = '198.51.100.7']")
    net = watching("[ipv4-addr:value = '198.51.100.0/24']")
    store(world, "alice", "fr-ru", ind, net)
    answer = rest.get(f"/api/correlations/{ind['id']}", headers=bearer(world, "boris"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == 1
    assert body["groups"][0]["objects"][0]["via"] == ["cidr:198.51.100.0/24"]
    hidden = rest.get(f"/api/correlations/{ind['id']}", headers=bearer(world, "carla"))
    missing_id = f"indicator--{uuid.uuid4()}"
    missing = rest.get(f"/api/correlations/{missing_id}", headers=bearer(world, "carla"))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["description"] == missing.json()["description"].replace(
        missing_id, ind["id"]
    )
    found = rest.get(
        "/api/lookup", params={"value": "198.51.100.9", "limit": 5}, headers=bearer(world, "boris")
    )
    assert found.status_code == 200, found.text
    assert [o["id"] for o in found.json()["groups"][0]["objects"]] == [net["id"]]
    wrong = rest.get("/api/lookup", params={"value": "hello"}, headers=bearer(world, "boris"))
    assert wrong.status_code == 400
    assert rest.get("/api/lookup", params={"value": "198.51.100.9"}).status_code == 401


def test_the_command_line_correlates_and_looks_up(run: Run, world: World) -> None:
    ind = watching("[ipv4-addr:value = '198.51.100.7']", name="C2")
    net = watching("[ipv4-addr:value = '198.51.100.0/24']", name="Range")
    store(world, "alice", "fr-ru", ind, net)
    shown = run("correlate", ind["id"], user="boris")
    assert shown.exit_code == 0, shown.output
    assert "ip:198.51.100.7: 1" in shown.output
    assert f"{net['id']}  indicator  Range  [fr-ru]  via cidr:198.51.100.0/24" in shown.output
    as_json = json.loads(run("correlate", ind["id"], "--json", user="boris").output)
    assert as_json["total"] == 1
    refused = run("correlate", ind["id"], user="carla")
    assert refused.exit_code != 0
    assert "no object" in refused.output
    looked = json.loads(run("lookup", "198.51.100.0/24", "--json", user="boris").output)
    assert {o["id"] for o in looked["groups"][0]["objects"]} == {ind["id"], net["id"]}
    assert "correlated objects: 0" in run("lookup", "198.51.100.7", user="carla").output


def test_the_remote_command_line_calls_the_same_operations(world: World, clock: FakeClock) -> None:
    """The remote client sends each operation to the path the REST API serves it at."""
    ind = watching("[ipv4-addr:value = '198.51.100.7']")
    store(world, "alice", "fr-ru", ind, watching("[ipv4-addr:value = '198.51.100.7']"))
    settings = Settings(db_url="unused://", max_content_length=200_000)
    app = create_app(settings, world.database, clock=clock)
    with TestClient(app) as client:
        for operation, request in (
            (queries.CORRELATE, CorrelateRequest(object_id=ind["id"], limit=3)),
            (queries.LOOKUP, LookupRequest(value="198.51.100.7", limit=3)),
        ):
            path = operation.path.replace("{object_id}", ind["id"])
            values = request.model_dump(mode="json")
            values.pop("object_id", None)
            answer = client.get(path, params=values, headers=bearer(world, "boris"))
            assert answer.status_code == 200, answer.text
            assert answer.json()["total"] >= 1
