"""Attacks on ownership, existence and markings (issue 12, items 1, 3, 4, 5, 7, 9), each
written as the attacker's requests, then what the victim and a bystander see.

Atlas is dgsi (alice, liaison; alain, analyst), Boreal is fsb (boris), Cobalt is cert
(carla): see tests/world.py. fr-ru is Atlas and Boreal's; community is Atlas's, read by
Cobalt; dropbox is Cobalt's, Atlas may only write into it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from passerelle.correlation import queries
from passerelle.correlation.queries import LookupRequest
from passerelle.policy import directory
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from tests.cli_runner import Run
from tests.exchange_support import ContextFor
from tests.stixgen import as_served, indicator
from tests.taxii_client import Taxii
from tests.world import World

T1 = "2026-02-01T00:00:00.000Z"
T_BEFORE = "2025-12-01T00:00:00.000Z"


def marked(obj: dict[str, Any], tlp: Tlp, **extension: Any) -> dict[str, Any]:
    obj["object_marking_refs"] = [TLP2_IDS[tlp]]
    if extension:
        obj["extensions"] = {
            HANDLING_EXTENSION_ID: {"extension_type": "property-extension", **extension}
        }
    return obj


def posted(taxii: Taxii, collection: str, *objects: dict[str, Any]) -> dict[str, Any]:
    response = taxii.post_objects(collection, list(objects))
    assert response.status_code == 202, response.text
    status: dict[str, Any] = response.json()
    return status


def shape(status: dict[str, Any]) -> dict[str, Any]:
    """A status resource with what differs between any two posts set aside."""
    kept = {k: v for k, v in status.items() if k not in ("id", "request_timestamp")}
    for key in ("successes", "failures"):
        if key in kept:
            kept[key] = [{**entry, "id": "<ID>"} for entry in kept[key]]
    return kept


def observable(kind: str, value: str, **extra: Any) -> dict[str, Any]:
    """An SCO whose id derives from its value, as STIX 2.1 makes it (UUIDv5)."""
    import uuid

    namespace = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
    ident = uuid.uuid5(namespace, f'{{"value":"{value}"}}')
    return {"type": kind, "spec_version": "2.1", "id": f"{kind}--{ident}", "value": value, **extra}


# -- 1. another organisation cannot add versions of your object ---------------------------


def test_another_organisation_cannot_revoke_or_rename_your_object(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    alice, boris = as_user("alice"), as_user("boris")
    mine = marked(indicator(1, name="atlas indicator"), Tlp.GREEN)
    posted(alice, world.collection("fr-ru"), mine)
    takeover = {**mine, "modified": T1, "revoked": True, "name": "REVOKED by Boreal"}
    status = posted(boris, world.collection("fr-ru"), takeover)
    assert status["success_count"] == 0
    assert (
        "only the organisation that produced this object adds versions"
        in (status["failures"][0]["message"])
    )
    [latest] = alice.get(f"/collections/{world.collection('fr-ru')}/objects/{mine['id']}/").json()[
        "objects"
    ]
    assert latest == as_served(mine, "dgsi")
    deleted = alice.delete(f"/collections/{world.collection('fr-ru')}/objects/{mine['id']}/")
    assert deleted.status_code == 200


def test_an_earlier_version_cannot_hijack_the_right_to_grant(
    as_user: Callable[[str], Taxii], world: World, run: Run
) -> None:
    alice, boris = as_user("alice"), as_user("boris")
    secret = marked(indicator(2, modified=T1), Tlp.AMBER, handling_codes=["H2"])
    posted(alice, world.collection("fr-ru"), secret)
    earlier = {**secret, "modified": T_BEFORE, "created": T_BEFORE}
    status = posted(boris, world.collection("fr-ru"), earlier)
    assert status["success_count"] == 0
    grant = run("grant", secret["id"], "--channel", world.collection("dropbox"), user="boris")
    assert grant.exit_code == 1
    assert "only the organisation that produced" in grant.output
    with world.database.write() as conn:
        ru_cert = directory.add_channel(
            conn, "ru-cert", [directory.Membership.parse(m) for m in ("fsb:rw", "cert:r")]
        )
    onward = posted(boris, ru_cert.collection_id, secret)
    assert onward["success_count"] == 0
    assert as_user("carla").all_objects(ru_cert.collection_id) == []


# -- 4. no existence oracle through POST; observables held per producer --------------------


def test_a_write_answers_alike_whether_or_not_a_hidden_object_exists(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    alice, boris = as_user("alice"), as_user("boris")
    hidden = marked(indicator(3, name="atlas only"), Tlp.RED, recipients=["alice"])
    posted(alice, world.collection("fr-ru"), hidden)
    other_body = {**hidden, "name": "guessed id, other content"}
    fresh = marked(indicator(4, name="nobody holds this"), Tlp.RED, recipients=["alice"])
    assert shape(posted(boris, world.collection("fr-ru"), other_body)) == shape(
        posted(boris, world.collection("fr-ru"), fresh)
    )
    exact = marked(indicator(5), Tlp.RED, recipients=["alice"])
    posted(alice, world.collection("fr-ru"), exact)
    fresh_too = marked(indicator(6), Tlp.RED, recipients=["alice"])
    assert shape(posted(boris, world.collection("fr-ru"), exact)) == shape(
        posted(boris, world.collection("fr-ru"), fresh_too)
    )
    # alice reads her own object and only it, though boris's copy names her as recipient;
    # boris reads his copy, never hers.
    for obj, copy in ((hidden, other_body), (exact, exact)):
        url = f"/collections/{world.collection('fr-ru')}/objects/{obj['id']}/"
        every = {"match[version]": "all"}
        assert alice.get(url, params=every).json()["objects"] == [as_served(obj, "dgsi")]
        assert boris.get(url, params=every).json()["objects"] == [as_served(copy, "fsb")]


def test_an_observable_reveals_nobody_elses_copy(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    alice, carla = as_user("alice"), as_user("carla")
    informant = observable("email-addr", "informant.secret@atlas.example")
    posted(alice, world.collection("fr-ru"), informant)
    probing = {**informant, "x_probe": 1}
    unheld = observable("email-addr", "nobody.holds.this@atlas.example", x_probe=1)
    assert shape(posted(carla, world.collection("dropbox"), probing)) == shape(
        posted(carla, world.collection("dropbox"), unheld)
    )
    assert alice.all_objects(world.collection("fr-ru")) == [as_served(informant, "dgsi")]


def test_a_first_writer_cannot_squat_an_observable(
    as_user: Callable[[str], Taxii], world: World, ctx: ContextFor
) -> None:
    alice, carla, boris = as_user("alice"), as_user("carla"), as_user("boris")
    squat = observable("ipv4-addr", "198.51.100.77", x_squatted=True)
    assert posted(carla, world.collection("dropbox"), squat)["success_count"] == 1
    own = observable("ipv4-addr", "198.51.100.77")
    assert posted(alice, world.collection("fr-ru"), own)["success_count"] == 1
    assert boris.all_objects(world.collection("fr-ru")) == [as_served(own, "dgsi")]
    assert carla.all_objects(world.collection("dropbox")) == [as_served(squat, "cert")]
    # correlation links each organisation's copy within what each viewer may see
    for username, expected in (("boris", own), ("carla", squat)):
        found = queries.lookup(ctx(username), LookupRequest(value="198.51.100.77"))
        assert [o.id for g in found.groups for o in g.objects] == [expected["id"]]


# -- 5. granular markings ------------------------------------------------------------------


def test_a_granular_red_marking_is_refused_with_the_way_out(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    obj = marked(indicator(7, description="the informant's name"), Tlp.AMBER)
    obj["granular_markings"] = [{"marking_ref": TLP2_IDS[Tlp.RED], "selectors": ["description"]}]
    only_granular = indicator(8, description="x")
    only_granular["granular_markings"] = [
        {"marking_ref": TLP2_IDS[Tlp.RED], "selectors": ["description"]}
    ]
    status = posted(as_user("alice"), world.collection("fr-ru"), obj, only_granular)
    assert status["success_count"] == 0
    messages = [f["message"] for f in status["failures"]]
    assert all("stricter than the object as a whole" in m for m in messages), messages
    assert as_user("boris").all_objects(world.collection("fr-ru")) == []


# -- 7. the liaison rule counts clients --------------------------------------------------


def test_an_analyst_may_not_post_where_the_organisations_clients_read(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    with world.database.write() as conn:
        alone = directory.add_channel(conn, "dgsi-only", [directory.Membership.parse("dgsi:rw")])
        directory.add_client(conn, "dgsi", "cert")
    response = as_user("alain").post_objects(alone.collection_id, [indicator(9)])
    assert response.status_code == 403
    assert "members or their clients" in response.json()["description"]
    assert posted(as_user("alice"), alone.collection_id, indicator(9))["success_count"] == 1


def test_an_object_holding_a_nul_character_is_refused_with_a_reason(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    nul = indicator(10, name="with \x00 inside")
    status = posted(as_user("alice"), world.collection("fr-ru"), nul)
    assert status["success_count"] == 0
    assert "NUL" in status["failures"][0]["message"]
    assert as_user("alice").all_objects(world.collection("fr-ru")) == []


def test_acknowledging_your_object_tells_nothing_of_anothers_copy(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    """Boreal cannot see Atlas's H3 object; its own copy of that id carries another H3
    text. Acknowledging its object, Atlas reads its own text only, and Boreal's copy
    withholds nothing from Atlas's readers."""
    alice, boris = as_user("alice"), as_user("boris")
    mine = marked(
        indicator(20),
        Tlp.RED,
        recipients=["alice"],
        handling_codes=["H3"],
        h3_text="Atlas: call the desk first",
    )
    posted(alice, world.collection("fr-ru"), mine)
    copy = {**mine}
    copy["extensions"] = {
        HANDLING_EXTENSION_ID: {
            "extension_type": "property-extension",
            "recipients": ["boris"],
            "handling_codes": ["H3"],
            "h3_text": "BOREAL SECRET TEXT",
        }
    }
    assert posted(boris, world.collection("fr-ru"), copy)["success_count"] == 1
    answer = alice.client.post(
        "/api/acknowledgements", json={"object_id": mine["id"]}, auth=alice.auth
    )
    assert answer.status_code == 200
    assert answer.json()["acknowledged"] == "Atlas: call the desk first"
