"""What handling rules let people do: write by role, share onward, use in court, read H3
content, act under PAP, and export in bulk."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from unittest.mock import ANY

import pytest
from sqlalchemy import select

from passerelle.audit.log import entries
from passerelle.errors import Forbidden, NotFound
from passerelle.policy import directory
from passerelle.policy.actions import (
    Action,
    effective_tlp,
    effective_tlps,
    pap_permits,
    require_permitted,
)
from passerelle.policy.directory import Membership
from passerelle.policy.roles import Role
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Pap, Tlp
from passerelle.store.schema import objects
from tests.cli_runner import Run
from tests.exchange_support import store
from tests.stixgen import as_served, indicator
from tests.taxii_client import Taxii
from tests.world import World

PAP_RED = "marking-definition--740d36e5-7714-4c30-961a-3ae632ceee0e"
H3_TEXT = "Never act on this without calling the DGSI duty officer first"


def handled(
    n: int,
    tlp: Tlp | None = Tlp.AMBER,
    *,
    codes: tuple[str, ...] = (),
    refs: tuple[str, ...] = (),
    **extension: Any,
) -> dict[str, Any]:
    """Return an indicator carrying a TLP, other markings and handling codes."""
    obj = indicator(n)
    markings = ([TLP2_IDS[tlp]] if tlp is not None else []) + list(refs)
    if markings:
        obj["object_marking_refs"] = markings
    if codes:
        extension["handling_codes"] = list(codes)
    if tlp is Tlp.RED:
        extension.setdefault("recipients", ["boris"])
    if extension:
        obj["extensions"] = {
            HANDLING_EXTENSION_ID: {"extension_type": "property-extension", **extension}
        }
    return obj


def add_user(world: World, org: str, username: str, role: Role) -> str:
    with world.database.write() as conn:
        world.tokens[username] = directory.add_user(conn, org, username, role)
    return username


def add_channel(world: World, title: str, *members: str) -> str:
    """Create a channel from ``ORG:rw`` specs; return its collection id."""
    with world.database.write() as conn:
        created = directory.add_channel(
            conn, title, [Membership.parse(m) for m in members], alias=title
        )
    world.channels[title] = created
    return created.collection_id


def ids(objects: list[dict[str, Any]]) -> set[str]:
    return {o["id"] for o in objects}


def post(taxii: Taxii, collection: str, *objects: dict[str, Any]) -> dict[str, Any]:
    response = taxii.post_objects(collection, list(objects))
    assert response.status_code == 202, response.text
    status: dict[str, Any] = response.json()
    return status


# -- roles and writing -------------------------------------------------------------------


def test_an_analyst_may_not_post_into_a_channel_with_other_organisations(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    response = as_user("alain").post_objects(world.collection("fr-ru"), [indicator(1)])
    assert response.status_code == 403
    assert "liaison" in response.json()["description"]
    assert as_user("boris").all_objects(world.collection("fr-ru")) == []


def test_an_analyst_may_post_into_a_channel_of_their_own_organisation(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    collection = add_channel(world, "dgsi-internal", "dgsi:rw")
    obj = indicator(1)
    assert post(as_user("alain"), collection, obj)["success_count"] == 1
    assert ids(as_user("alice").all_objects(collection)) == {obj["id"]}


def test_a_liaison_may_post_into_a_channel_with_other_organisations(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    obj = indicator(1)
    assert post(as_user("alice"), world.collection("fr-ru"), obj)["success_count"] == 1
    assert ids(as_user("boris").all_objects(world.collection("fr-ru"))) == {obj["id"]}


def test_an_auditor_sees_no_collections(as_user: Callable[[str], Taxii], world: World) -> None:
    add_user(world, "dgsi", "audrey", Role.AUDITOR)
    post(as_user("alice"), world.collection("fr-ru"), indicator(1))
    response = as_user("audrey").get("/collections/")
    assert response.status_code == 200
    assert response.json().get("collections", []) == []


def test_an_auditor_reads_no_objects(as_user: Callable[[str], Taxii], world: World) -> None:
    add_user(world, "dgsi", "audrey", Role.AUDITOR)
    post(as_user("alice"), world.collection("fr-ru"), indicator(1))
    auditor = as_user("audrey")
    assert auditor.get(f"/collections/{world.collection('fr-ru')}/objects/").status_code == 404
    assert auditor.get(f"/collections/{world.collection('fr-ru')}/manifest/").status_code == 404


def test_an_auditor_may_not_post(as_user: Callable[[str], Taxii], world: World) -> None:
    add_user(world, "dgsi", "audrey", Role.AUDITOR)
    response = as_user("audrey").post_objects(world.collection("fr-ru"), [indicator(1)])
    # Auditors know of no channel, so the channel answers as if it did not exist.
    assert response.status_code == 404
    assert as_user("alice").all_objects(world.collection("fr-ru")) == []


def test_an_administrator_sees_no_more_than_an_analyst_of_the_same_organisation(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    add_user(world, "fsb", "fedor", Role.ANALYST)
    add_user(world, "fsb", "anna", Role.ADMIN)
    alice = as_user("alice")
    amber, red = handled(1, Tlp.AMBER), handled(2, Tlp.RED, recipients=["boris"])
    post(alice, world.collection("fr-ru"), amber, red)
    post(alice, world.collection("community"), handled(3, Tlp.GREEN))
    admin = as_user("anna")
    seen = ids(admin.all_objects(world.collection("fr-ru")))
    assert seen == ids(as_user("fedor").all_objects(world.collection("fr-ru"))) == {amber["id"]}
    assert admin.get(f"/collections/{world.collection('community')}/objects/").status_code == 404


# -- onward sharing ------------------------------------------------------------------------


@pytest.fixture
def onward(world: World) -> str:
    """A channel of fsb (writing) and cert (reading) that dgsi is not in."""
    return add_channel(world, "ru-cert", "fsb:rw", "cert:r")


def received(as_user: Callable[[str], Taxii], world: World, obj: dict[str, Any]) -> dict[str, Any]:
    """Post obj as alice into fr-ru and return it as boris reads it."""
    post(as_user("alice"), world.collection("fr-ru"), obj)
    found = as_user("boris").all_objects(world.collection("fr-ru"))
    [served] = [o for o in found if o["id"] == obj["id"]]
    return served


RESTRICTED = {
    "H2": lambda: handled(1, Tlp.AMBER, codes=("H2",)),
    "AMBER+STRICT": lambda: handled(1, Tlp.AMBER_STRICT),
    "RED naming boris": lambda: handled(1, Tlp.RED, recipients=["boris"]),
}


@pytest.mark.parametrize("kind", list(RESTRICTED))
def test_an_object_whose_handling_forbids_onward_sharing_is_refused_with_a_reason(
    as_user: Callable[[str], Taxii], world: World, onward: str, kind: str
) -> None:
    obj = received(as_user, world, RESTRICTED[kind]())
    status = post(as_user("boris"), onward, obj)
    assert status["success_count"] == 0
    [failure] = status["failures"]
    assert failure["id"] == obj["id"]
    assert "forbids sharing it onward" in failure["message"]
    assert as_user("carla").all_objects(onward) == []


@pytest.mark.parametrize("tlp", [Tlp.GREEN, Tlp.CLEAR])
def test_an_object_without_h2_below_amber_may_be_shared_onward(
    as_user: Callable[[str], Taxii], world: World, onward: str, tlp: Tlp
) -> None:
    obj = received(as_user, world, handled(1, tlp, codes=("H1",)))
    assert post(as_user("boris"), onward, obj)["success_count"] == 1
    assert ids(as_user("carla").all_objects(onward)) == {obj["id"]}


def test_amber_goes_onward_only_to_the_recipients_clients_unless_granted(
    as_user: Callable[[str], Taxii], world: World, onward: str, run: Run
) -> None:
    """TLP 2.0: AMBER reaches the recipient organisation and its clients, no further."""
    obj = received(as_user, world, handled(1, Tlp.AMBER))
    refused = post(as_user("boris"), onward, obj)
    assert refused["success_count"] == 0
    assert (
        "TLP:AMBER reaches only your organisation and its clients"
        in (refused["failures"][0]["message"])
    )
    assert as_user("carla").all_objects(onward) == []
    # cert becomes a declared client of fsb: ru-cert then reaches no one else.
    with world.database.write() as conn:
        directory.add_client(conn, "fsb", "cert")
    assert post(as_user("boris"), onward, obj)["success_count"] == 1
    assert ids(as_user("carla").all_objects(onward)) == {obj["id"]}


def test_a_grant_lets_amber_go_onward(
    as_user: Callable[[str], Taxii], world: World, onward: str, run: Run
) -> None:
    obj = received(as_user, world, handled(1, Tlp.AMBER))
    granted = run("grant", obj["id"], "--channel", onward, user="alice")
    assert granted.exit_code == 0, granted.output
    assert post(as_user("boris"), onward, obj)["success_count"] == 1
    assert ids(as_user("carla").all_objects(onward)) == {obj["id"]}


def test_an_object_one_cannot_see_answers_like_a_new_one_and_stays_apart(
    as_user: Callable[[str], Taxii], world: World, onward: str
) -> None:
    # A RED object for alice alone: boris knows its content but may not see it.
    secret = handled(1, Tlp.RED, recipients=["alice"])
    post(as_user("alice"), world.collection("fr-ru"), secret)
    fresh = handled(2, Tlp.RED, recipients=["alice"])
    # Posting it answers exactly as posting an object nobody holds: no hint it exists.
    assert post(as_user("boris"), onward, secret) == post(as_user("boris"), onward, fresh) | {
        "id": ANY,
        "request_timestamp": ANY,
        "successes": [{"id": secret["id"], "version": secret["modified"]}],
    }
    # What boris stored is his own copy: alice's object and its readers are untouched.
    assert as_user("carla").all_objects(onward) == []
    assert as_user("alice").all_objects(world.collection("fr-ru")) == [as_served(secret, "dgsi")]
    with world.database.read() as conn:
        [holder] = conn.execute(
            select(objects.c.producer_org_id).where(
                objects.c.stix_id == secret["id"], objects.c.version.contains("#")
            )
        ).scalars()
        assert holder == world.viewer("boris").org_id


def test_a_grant_allows_sharing_into_that_channel_only(
    as_user: Callable[[str], Taxii], world: World, onward: str, run: Run
) -> None:
    trio = add_channel(world, "trio", "fsb:rw", "cert:r", "dgsi:r")
    obj = received(as_user, world, handled(1, Tlp.AMBER, codes=("H2",)))
    granted = run("grant", obj["id"], "--channel", "trio", user="alice")
    assert granted.exit_code == 0, granted.output
    assert post(as_user("boris"), trio, obj)["success_count"] == 1
    assert ids(as_user("carla").all_objects(trio)) == {obj["id"]}
    elsewhere = post(as_user("boris"), onward, obj)
    assert elsewhere["success_count"] == 0
    assert "forbids sharing it onward" in elsewhere["failures"][0]["message"]


def test_the_producer_may_grant_sharing_into_a_partners_channel_it_is_not_in(
    as_user: Callable[[str], Taxii], world: World, onward: str, run: Run
) -> None:
    obj = received(as_user, world, handled(1, Tlp.AMBER, codes=("H2",)))
    # dgsi is not in ru-cert: its title stays private, the partner gives the collection id.
    by_title = run("grant", obj["id"], "--channel", "ru-cert", user="alice")
    assert by_title.exit_code == 1
    assert "no channel 'ru-cert'" in by_title.output
    granted = run("grant", obj["id"], "--channel", onward, user="alice")
    assert granted.exit_code == 0, granted.output
    assert post(as_user("boris"), onward, obj)["success_count"] == 1


def test_only_the_producer_may_grant_onward_sharing(
    as_user: Callable[[str], Taxii], world: World, onward: str, run: Run
) -> None:
    obj = received(as_user, world, handled(1, Tlp.AMBER, codes=("H2",)))
    refused = run("grant", obj["id"], "--channel", "ru-cert", user="boris")
    assert refused.exit_code == 1
    assert "only the organisation that produced" in refused.output
    assert post(as_user("boris"), onward, obj)["success_count"] == 0


def test_a_grant_names_what_it_grants(world: World, run: Run) -> None:
    result = run("grant", "indicator--00000000-0000-4000-8000-000000000000", user="alice")
    assert result.exit_code == 1
    assert "--channel C" in result.output
    assert "--court" in result.output


# -- H1: no use in court without permission ------------------------------------------------


def test_a_court_export_is_refused_while_an_h1_object_of_another_organisation_is_there(
    as_user: Callable[[str], Taxii], world: World, run: Run
) -> None:
    h1 = handled(1, Tlp.AMBER, codes=("H1",))
    post(as_user("alice"), world.collection("fr-ru"), h1, handled(2, Tlp.AMBER))
    refused = run("export", "--channel", "fr-ru", "--for-court", user="boris")
    assert refused.exit_code == 1
    lines = refused.output.strip().splitlines()
    assert len(lines) == 1
    assert h1["id"] in lines[0]
    assert "H1" in lines[0]
    # The refusal is in the audit log: who, which objects, for which channel.
    with world.database.read() as conn:
        [entry] = [e for e in entries(conn) if e.action == "export-refused"]
    assert (entry.username, entry.object_ids) == ("boris", (h1["id"],))
    assert entry.detail == {"channel": "fr-ru", "court": True, "refused": 1}


def test_an_ordinary_export_is_not_held_back_by_h1(
    as_user: Callable[[str], Taxii], world: World, run: Run
) -> None:
    h1 = handled(1, Tlp.AMBER, codes=("H1",))
    post(as_user("alice"), world.collection("fr-ru"), h1)
    exported = run("export", "--channel", "fr-ru", user="boris")
    assert exported.exit_code == 0
    assert ids(json.loads(exported.stdout)["objects"]) == {h1["id"]}


def test_a_court_export_is_allowed_once_the_producer_grants_court_use(
    as_user: Callable[[str], Taxii], world: World, run: Run
) -> None:
    h1 = handled(1, Tlp.AMBER, codes=("H1",))
    post(as_user("alice"), world.collection("fr-ru"), h1)
    assert run("grant", h1["id"], "--court", user="alice").exit_code == 0
    exported = run("export", "--channel", "fr-ru", "--for-court", user="boris")
    assert exported.exit_code == 0, exported.output
    assert ids(json.loads(exported.stdout)["objects"]) == {h1["id"]}


def test_a_court_grant_to_another_organisation_does_not_lift_h1_for_you(
    as_user: Callable[[str], Taxii], world: World, run: Run
) -> None:
    h1 = handled(1, Tlp.AMBER, codes=("H1",))
    post(as_user("alice"), world.collection("fr-ru"), h1)
    assert run("grant", h1["id"], "--court", "--to", "cert", user="alice").exit_code == 0
    refused = run("export", "--channel", "fr-ru", "--for-court", user="boris")
    assert refused.exit_code == 1
    assert h1["id"] in refused.output


def test_the_producers_own_h1_objects_never_block_its_court_export(
    as_user: Callable[[str], Taxii], world: World, run: Run
) -> None:
    h1 = handled(1, Tlp.AMBER, codes=("H1",))
    post(as_user("alice"), world.collection("fr-ru"), h1)
    exported = run("export", "--channel", "fr-ru", "--for-court", user="alain")
    assert exported.exit_code == 0, exported.output
    assert ids(json.loads(exported.stdout)["objects"]) == {h1["id"]}


# -- H3: a text each reader acknowledges -------------------------------------------------


@pytest.fixture
def h3_object(as_user: Callable[[str], Taxii], world: World) -> dict[str, Any]:
    """An H3 object alice posted into fr-ru (next to an ordinary one)."""
    obj = handled(1, Tlp.AMBER, codes=("H3",), h3_text=H3_TEXT)
    post(as_user("alice"), world.collection("fr-ru"), obj, handled(2, Tlp.AMBER))
    return obj


def objects_of(taxii: Taxii, world: World) -> Any:
    return taxii.get(f"/collections/{world.collection('fr-ru')}/objects/")


def acknowledge(taxii: Taxii, object_id: str) -> Any:
    return taxii.client.post(
        "/api/acknowledgements", json={"object_id": object_id}, auth=taxii.auth
    )


def test_an_h3_object_is_withheld_from_a_reader_who_has_not_acknowledged_it(
    as_user: Callable[[str], Taxii], world: World, h3_object: dict[str, Any]
) -> None:
    response = objects_of(as_user("boris"), world)
    assert response.status_code == 200
    assert response.headers["X-Passerelle-Withheld"] == h3_object["id"]
    assert h3_object["id"] not in response.text
    assert len(response.json()["objects"]) == 1


def test_asking_for_an_unacknowledged_h3_object_answers_403_with_its_text(
    as_user: Callable[[str], Taxii], world: World, h3_object: dict[str, Any]
) -> None:
    response = as_user("boris").get(
        f"/collections/{world.collection('fr-ru')}/objects/{h3_object['id']}/"
    )
    assert response.status_code == 403
    description = response.json()["description"]
    assert H3_TEXT in description
    assert "/api/acknowledgements" in description
    assert f"passerelle acknowledge {h3_object['id']}" in description


def test_an_acknowledged_h3_object_is_served(
    as_user: Callable[[str], Taxii], world: World, h3_object: dict[str, Any]
) -> None:
    boris = as_user("boris")
    answer = acknowledge(boris, h3_object["id"])
    assert answer.status_code == 200
    assert answer.json() == {"object_id": h3_object["id"], "acknowledged": H3_TEXT}
    response = objects_of(boris, world)
    assert "X-Passerelle-Withheld" not in response.headers
    assert as_served(h3_object, "dgsi") in response.json()["objects"]
    single = boris.get(f"/collections/{world.collection('fr-ru')}/objects/{h3_object['id']}/")
    assert single.json()["objects"] == [as_served(h3_object, "dgsi")]


def test_an_acknowledgement_lifts_h3_for_that_user_only(
    as_user: Callable[[str], Taxii], world: World, h3_object: dict[str, Any]
) -> None:
    add_user(world, "fsb", "fedor", Role.ANALYST)
    assert acknowledge(as_user("boris"), h3_object["id"]).status_code == 200
    response = objects_of(as_user("fedor"), world)
    assert response.headers["X-Passerelle-Withheld"] == h3_object["id"]
    assert h3_object["id"] not in response.text


def test_acknowledging_on_the_command_line_prints_the_text_and_lifts_h3(
    as_user: Callable[[str], Taxii], world: World, h3_object: dict[str, Any], run: Run
) -> None:
    result = run("acknowledge", h3_object["id"], user="boris")
    assert result.exit_code == 0
    assert H3_TEXT in result.stdout
    assert as_served(h3_object, "dgsi") in as_user("boris").all_objects(world.collection("fr-ru"))


def test_acknowledging_an_object_you_cannot_see_answers_404(
    as_user: Callable[[str], Taxii], world: World, h3_object: dict[str, Any]
) -> None:
    response = acknowledge(as_user("oscar"), h3_object["id"])
    assert response.status_code == 404
    assert H3_TEXT not in response.text


def test_acknowledging_an_object_you_cannot_see_fails_on_the_command_line(
    world: World, h3_object: dict[str, Any], run: Run
) -> None:
    result = run("acknowledge", h3_object["id"], user="carla")
    assert result.exit_code == 1
    assert "no object" in result.output
    assert H3_TEXT not in result.output


def test_an_h3_object_is_left_out_of_an_export_until_acknowledged(
    world: World, h3_object: dict[str, Any], run: Run
) -> None:
    before = run("export", "--channel", "fr-ru", user="boris")
    assert h3_object["id"] not in ids(json.loads(before.stdout)["objects"])
    assert f"withheld {h3_object['id']}" in before.stderr
    run("acknowledge", h3_object["id"], user="boris")
    after = run("export", "--channel", "fr-ru", user="boris")
    assert h3_object["id"] in ids(json.loads(after.stdout)["objects"])


# -- PAP: which actions a recipient may take ---------------------------------------------

ALL_PAP: list[Pap | None] = [None, *Pap]
# For each action, the PAP levels (and the absence of PAP) under which it is permitted.
PAP_TABLE: dict[Action, set[Pap | None]] = {
    Action.PASSIVE_ANALYSIS: {None, Pap.CLEAR, Pap.GREEN, Pap.AMBER, Pap.RED},
    Action.EXTERNAL_LOOKUP: {None, Pap.CLEAR, Pap.GREEN, Pap.AMBER},
    Action.ENRICHMENT: {None, Pap.CLEAR, Pap.GREEN, Pap.AMBER},
    Action.BLOCKING: {None, Pap.CLEAR, Pap.GREEN},
}


@pytest.mark.parametrize(
    ("action", "pap", "permitted"),
    [(action, pap, pap in allowed) for action, allowed in PAP_TABLE.items() for pap in ALL_PAP],
)
def test_pap_permits_an_action_up_to_its_level(
    action: Action, pap: Pap | None, permitted: bool
) -> None:
    assert pap_permits(action, pap) is permitted


@pytest.fixture
def pap_red_object(as_user: Callable[[str], Taxii], world: World) -> str:
    obj = handled(1, Tlp.AMBER, refs=(PAP_RED,))
    post(as_user("alice"), world.collection("fr-ru"), obj)
    return str(obj["id"])


def test_pap_red_forbids_an_external_look_up(world: World, pap_red_object: str) -> None:
    with world.database.read() as conn, pytest.raises(Forbidden, match="PAP:RED"):
        require_permitted(conn, world.viewer("boris"), [pap_red_object], Action.EXTERNAL_LOOKUP)


def test_pap_red_permits_passive_analysis(world: World, pap_red_object: str) -> None:
    with world.database.read() as conn:
        # require_permitted raises Forbidden when PAP forbids the action
        require_permitted(conn, world.viewer("boris"), [pap_red_object], Action.PASSIVE_ANALYSIS)
    assert [a for a in Action if pap_permits(a, Pap.RED)] == [Action.PASSIVE_ANALYSIS]


def test_an_action_on_an_object_the_viewer_cannot_see_is_not_found(
    world: World, pap_red_object: str
) -> None:
    for outsider in ("carla", "oscar"):
        with world.database.read() as conn, pytest.raises(NotFound):
            require_permitted(
                conn, world.viewer(outsider), [pap_red_object], Action.PASSIVE_ANALYSIS
            )


def test_one_pap_red_object_among_several_forbids_blocking_them_all(
    as_user: Callable[[str], Taxii], world: World, pap_red_object: str
) -> None:
    free = handled(2, Tlp.AMBER)
    post(as_user("alice"), world.collection("fr-ru"), free)
    viewer = world.viewer("boris")
    with world.database.read() as conn:
        require_permitted(conn, viewer, [free["id"]], Action.BLOCKING)
        with pytest.raises(Forbidden, match=pap_red_object):
            require_permitted(conn, viewer, [free["id"], pap_red_object], Action.BLOCKING)


# -- bulk export ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["alice", "boris"])
def test_red_is_never_in_a_bulk_export_even_for_its_producer_or_recipient(
    as_user: Callable[[str], Taxii], world: World, run: Run, username: str
) -> None:
    red = handled(1, Tlp.RED, recipients=["boris", "alice"])
    amber = handled(2, Tlp.AMBER)
    post(as_user("alice"), world.collection("fr-ru"), red, amber)
    assert as_served(red, "dgsi") in as_user(username).all_objects(world.collection("fr-ru"))
    exported = run("export", "--channel", "fr-ru", "--all-versions", user=username)
    assert exported.exit_code == 0
    assert ids(json.loads(exported.stdout)["objects"]) == {amber["id"]}


def test_an_export_states_the_most_restrictive_handling_of_the_whole(
    as_user: Callable[[str], Taxii], world: World, run: Run
) -> None:
    post(
        as_user("alice"),
        world.collection("fr-ru"),
        handled(1, Tlp.GREEN),
        handled(2, Tlp.AMBER_STRICT),
        handled(3, Tlp.AMBER, codes=("H2",)),
        handled(4, Tlp.RED, recipients=["boris"]),
    )
    exported = run("export", "--channel", "fr-ru", user="boris")
    assert exported.exit_code == 0
    [line] = [s for s in exported.stderr.splitlines() if "handling of the whole" in s]
    assert "TLP:AMBER+STRICT" in line
    assert "H2" in line
    assert "exported 3 objects" in line


def test_an_export_of_green_content_says_so(
    as_user: Callable[[str], Taxii], world: World, run: Run
) -> None:
    post(as_user("alice"), world.collection("fr-ru"), handled(1, Tlp.GREEN))
    exported = run("export", "--channel", "fr-ru", user="boris")
    assert "handling of the whole: TLP:GREEN" in exported.stderr
    assert "H2" not in exported.stderr


def test_effective_levels_read_together_are_those_read_one_by_one(world: World) -> None:
    """Own TLP first, else the strictest level a channel gave the version."""
    with world.database.write() as conn:
        members = [Membership("dgsi", True, True), Membership("fsb", True, True)]
        world.channels["fr-ru-red"] = directory.add_channel(
            conn, "fr-ru red", members, default_tlp=Tlp.RED, alias="fr-ru-red"
        )
    marked = indicator(1, object_marking_refs=[TLP2_IDS[Tlp.GREEN]])
    unmarked, twice = indicator(2), indicator(3)
    store(world, "alice", "fr-ru", [marked, unmarked, twice])
    store(world, "alice", "fr-ru-red", [twice])
    with world.database.read() as conn:
        rows = conn.execute(select(objects.c.stix_id, objects.c.version))
        versions = {row.stix_id: row.version for row in rows}
        together = effective_tlps(conn, versions)
        alone = {i: effective_tlp(conn, i, v) for i, v in versions.items()}
    assert together == alone
    assert [together[o["id"]] for o in (marked, unmarked, twice)] == [Tlp.GREEN, Tlp.AMBER, Tlp.RED]
