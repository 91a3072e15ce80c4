"""TAXII 2.1 conformance found missing by running medallion's own suite over HTTP
(issue 12, items 20 to 24): each as the client that was misled."""

from __future__ import annotations

from collections.abc import Callable

from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from tests.stixgen import indicator
from tests.taxii_client import Taxii
from tests.world import World

LATER = "2099-01-01T00:00:00.000Z"


def test_filters_that_leave_nothing_of_an_existing_object_answer_empty_not_404(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    alice = as_user("alice")
    obj = indicator(1)
    alice.post_objects(world.collection("fr-ru"), [obj])
    base = f"/collections/{world.collection('fr-ru')}/objects/{obj['id']}/"
    for path in (base, f"{base}versions/"):
        for params in (
            {"added_after": LATER},
            {"match[spec_version]": "2.0"},
            *([{"match[version]": LATER}] if path == base else []),
        ):
            answer = alice.get(path, params=params)
            assert answer.status_code == 200, (path, params, answer.text)
            assert answer.json() == {"more": False}
    never = indicator(2)["id"]
    missing = f"/collections/{world.collection('fr-ru')}/objects/{never}/"
    assert alice.get(missing).status_code == 404
    assert alice.get(f"{missing}versions/").status_code == 404


def test_a_page_holds_limit_objects_when_that_many_remain(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    """Objects withheld until acknowledged (H3) are not counted in the page."""
    alice, boris = as_user("alice"), as_user("boris")
    h3 = indicator(50)
    h3["object_marking_refs"] = [TLP2_IDS[Tlp.AMBER]]
    h3["extensions"] = {
        HANDLING_EXTENSION_ID: {
            "extension_type": "property-extension",
            "handling_codes": ["H3"],
            "h3_text": "call the duty officer first",
        }
    }
    plain = [indicator(i) for i in range(6)]
    # in this order: one plain object, the H3 one, five plain ones
    for envelope in ([plain[0]], [h3], plain[1:]):
        alice.post_objects(world.collection("fr-ru"), envelope)
    url = f"/collections/{world.collection('fr-ru')}/objects/"
    first = boris.get(url, params={"limit": 3})
    page = first.json()
    assert [o["id"] for o in page["objects"]] == [o["id"] for o in plain[:3]]
    assert page["more"] is True
    assert first.headers["X-Passerelle-Withheld"] == h3["id"]
    rest = boris.get(url, params={"limit": 3, "next": page["next"]}).json()
    assert [o["id"] for o in rest["objects"]] == [o["id"] for o in plain[3:]]
    assert rest["more"] is False


def test_a_status_resource_carries_no_empty_list(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    alice = as_user("alice")
    refused = alice.post_objects(world.collection("fr-ru"), [{"type": "indicator"}]).json()
    assert "successes" not in refused
    assert "pendings" not in refused
    assert refused["failure_count"] == 1
    accepted = alice.post_objects(world.collection("fr-ru"), [indicator(2)]).json()
    assert "failures" not in accepted
    assert "pendings" not in accepted
    again = alice.get(f"/status/{accepted['id']}/").json()
    assert again == accepted
