"""What leaves the node carries its handling (issue 12, item 10): the TLP an object is
handled under, and the organisation that produced it, on TAXII and in exports."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi.testclient import TestClient

from passerelle.stix.markings import TLP2_IDS, Tlp
from passerelle.stix.organisations import organisation_identity_id
from tests.cli_runner import Run
from tests.stixgen import identity, indicator
from tests.taxii_client import Taxii
from tests.world import World


def test_an_unmarked_object_leaves_with_the_tlp_it_is_handled_under(
    as_user: Callable[[str], Taxii], world: World, run: Run
) -> None:
    obj = indicator(1)
    assert "object_marking_refs" not in obj
    as_user("alice").post_objects(world.collection("fr-ru"), [obj])
    [served] = as_user("boris").all_objects(world.collection("fr-ru"))
    assert served["object_marking_refs"] == [TLP2_IDS[Tlp.AMBER]]  # fr-ru's default
    exported = json.loads(run("export", "--channel", "fr-ru", user="boris").stdout)["objects"]
    assert [o["object_marking_refs"] for o in exported] == [[TLP2_IDS[Tlp.AMBER]]]


def test_the_producer_is_named_and_its_identity_published(
    as_user: Callable[[str], Taxii], app_client: TestClient, world: World
) -> None:
    authored = {**indicator(2), "created_by_ref": identity("Desk")["id"]}
    anonymous = indicator(3)
    address = {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": indicator(4)["id"].replace("indicator", "ipv4-addr"),
        "value": "198.51.100.9",
    }
    as_user("alice").post_objects(world.collection("fr-ru"), [authored, anonymous, address])
    served = {o["id"]: o for o in as_user("boris").all_objects(world.collection("fr-ru"))}
    dgsi = organisation_identity_id("dgsi")
    assert served[anonymous["id"]]["created_by_ref"] == dgsi
    assert served[authored["id"]]["created_by_ref"] == authored["created_by_ref"]  # kept
    assert "created_by_ref" not in served[address["id"]]  # STIX gives observables no author
    published = app_client.get(
        "/api/identities", headers={"Authorization": f"Bearer {world.tokens['boris']}"}
    ).json()["objects"]
    assert {(o["id"], o["name"]) for o in published} == {
        (organisation_identity_id("fsb"), "fsb"),
        (dgsi, "dgsi"),
    }


def test_what_a_reader_was_served_may_be_shared_onward_as_that_same_version(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    obj = {**indicator(5), "object_marking_refs": [TLP2_IDS[Tlp.GREEN]]}
    as_user("alice").post_objects(world.collection("fr-ru"), [obj])
    [served] = as_user("boris").all_objects(world.collection("fr-ru"))
    assert served != obj  # it names its producer now
    status = as_user("boris").post_objects(world.collection("fr-ru"), [served]).json()
    assert status["success_count"] == 1, status
