"""Objects, manifest, versions, status and DELETE of a collection."""

from __future__ import annotations

from collections.abc import Callable

from passerelle.http.media import TAXII_MEDIA_TYPE
from passerelle.stix.markings import Tlp
from tests.access_world import marked_indicator
from tests.stixgen import T0, as_served, identity, indicator
from tests.taxii_client import ROOT, Taxii
from tests.world import World

T1 = "2026-02-01T00:00:00.000Z"
T2 = "2026-03-01T00:00:00.000Z"


def objects_url(world: World, channel: str = "fr-ru") -> str:
    return f"/collections/{world.collection(channel)}/objects/"


def test_posted_objects_are_reported_and_readable(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    sent = [indicator(i) for i in range(3)]
    response = as_user("alice").post_objects(world.collection("fr-ru"), sent)
    assert response.status_code == 202
    status = response.json()
    assert (status["status"], status["total_count"], status["success_count"]) == ("complete", 3, 3)
    assert {s["id"] for s in status["successes"]} == {o["id"] for o in sent}
    received = as_user("boris").all_objects(world.collection("fr-ru"))
    served = [as_served(o, "dgsi") for o in sent]  # README: what leaves the node
    assert sorted(received, key=lambda o: o["id"]) == sorted(served, key=lambda o: o["id"])


def test_status_can_be_fetched_again_by_the_poster_only(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    status = as_user("alice").post_objects(world.collection("fr-ru"), [indicator()]).json()
    again = as_user("alain").get(f"/status/{status['id']}/")
    assert again.status_code == 200
    assert again.json()["successes"] == status["successes"]
    assert as_user("boris").get(f"/status/{status['id']}/").status_code == 404


def test_envelope_mixing_valid_and_invalid_keeps_the_valid(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    good = indicator(1)
    no_pattern = indicator(2)
    del no_pattern["pattern"]
    bad_id = indicator(3, ident="indicator--not-a-uuid")
    broken_pattern = indicator(4, pattern="[ipv4-addr:value = '1.2.3.4'")
    status = (
        as_user("alice")
        .post_objects(
            world.collection("fr-ru"), [good, no_pattern, bad_id, broken_pattern, "not an object"]
        )
        .json()
    )
    assert status["success_count"] == 1
    assert status["failure_count"] == 4
    assert status["total_count"] == 5
    failures = {f["id"]: f["message"] for f in status["failures"]}
    assert "pattern" in failures[no_pattern["id"]]
    assert bad_id["id"] in failures
    assert "pattern" in failures[broken_pattern["id"]]
    assert [o["id"] for o in as_user("boris").all_objects(world.collection("fr-ru"))] == [
        good["id"]
    ]


def test_the_same_version_twice_is_idempotent(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    alice = as_user("alice")
    obj = indicator()
    alice.post_objects(world.collection("fr-ru"), [obj])
    first = alice.get(f"/collections/{world.collection('fr-ru')}/manifest/").json()["objects"]
    again = alice.post_objects(world.collection("fr-ru"), [obj]).json()
    assert again["success_count"] == 1
    after = alice.get(f"/collections/{world.collection('fr-ru')}/manifest/").json()["objects"]
    assert after == first


def test_a_different_body_under_a_stored_version_is_refused(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    alice = as_user("alice")
    obj = indicator()
    alice.post_objects(world.collection("fr-ru"), [obj])
    changed = {**obj, "name": "changed without a new modified"}
    status = alice.post_objects(world.collection("fr-ru"), [changed]).json()
    assert status["failure_count"] == 1
    assert "modified" in status["failures"][0]["message"]
    assert alice.all_objects(world.collection("fr-ru"))[0]["name"] == obj["name"]


def test_malformed_json_is_400(as_user: Callable[[str], Taxii], world: World) -> None:
    alice = as_user("alice")
    response = alice.client.post(
        f"{ROOT}{objects_url(world)}",
        content=b'{"objects": [',
        headers=alice.headers(**{"Content-Type": TAXII_MEDIA_TYPE}),
        auth=alice.auth,
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["description"]


def test_a_body_that_is_not_an_envelope_is_422(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    alice = as_user("alice")
    response = alice.client.post(
        f"{ROOT}{objects_url(world)}",
        content=b'{"type": "bundle"}',
        headers=alice.headers(**{"Content-Type": TAXII_MEDIA_TYPE}),
        auth=alice.auth,
    )
    assert response.status_code == 422


def test_wrong_content_type_is_415(as_user: Callable[[str], Taxii], world: World) -> None:
    alice = as_user("alice")
    response = alice.client.post(
        f"{ROOT}{objects_url(world)}",
        content=b'{"objects": []}',
        headers=alice.headers(**{"Content-Type": "application/json"}),
        auth=alice.auth,
    )
    assert response.status_code == 415


def test_oversized_body_is_413(as_user: Callable[[str], Taxii], world: World) -> None:
    alice = as_user("alice")
    many = [indicator(i) for i in range(1000)]
    response = alice.post_objects(world.collection("fr-ru"), many)
    assert response.status_code == 413
    assert alice.all_objects(world.collection("fr-ru")) == []


def test_oversized_chunked_body_is_413(as_user: Callable[[str], Taxii], world: World) -> None:
    alice = as_user("alice")

    def chunks():  # no Content-Length: the limit must hold on the stream itself
        yield b'{"objects": ['
        for i in range(1000):
            yield (b"," if i else b"") + b'{"type": "x-filler", "x_pad": "' + b"p" * 300 + b'"}'
        yield b"]}"

    response = alice.client.post(
        f"{ROOT}{objects_url(world)}",
        content=chunks(),
        headers=alice.headers(**{"Content-Type": TAXII_MEDIA_TYPE}),
        auth=alice.auth,
    )
    assert response.status_code == 413


def test_reader_may_not_post(as_user: Callable[[str], Taxii], world: World) -> None:
    response = as_user("carla").post_objects(world.collection("community"), [indicator()])
    assert response.status_code == 403
    assert as_user("carla").all_objects(world.collection("community")) == []


def test_pages_follow_limit_next_and_more(as_user: Callable[[str], Taxii], world: World) -> None:
    alice = as_user("alice")
    sent = [indicator(i) for i in range(7)]
    for obj in sent:  # one envelope each: seven distinct date_added values
        alice.post_objects(world.collection("fr-ru"), [obj])
    first = alice.get(objects_url(world), params={"limit": 3})
    body = first.json()
    assert body["more"] is True
    assert len(body["objects"]) == 3
    assert first.headers["X-TAXII-Date-Added-First"] < first.headers["X-TAXII-Date-Added-Last"]
    second = alice.get(objects_url(world), params={"limit": 3, "next": body["next"]}).json()
    third = alice.get(objects_url(world), params={"limit": 3, "next": second["next"]}).json()
    assert third["more"] is False
    assert "next" not in third
    seen = [o["id"] for page in (body, second, third) for o in page["objects"]]
    assert seen == [o["id"] for o in sent]


def test_pagination_stays_correct_while_objects_are_added(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    alice, boris = as_user("alice"), as_user("boris")
    before = [indicator(i) for i in range(10)]
    alice.post_objects(world.collection("fr-ru"), before)
    page = boris.get(objects_url(world), params={"limit": 4}).json()
    seen = [o["id"] for o in page["objects"]]
    later = [indicator(100 + i) for i in range(5)]
    posted: list[str] = []
    while page["more"]:
        if later:
            obj = later.pop()
            posted.append(obj["id"])
            alice.post_objects(world.collection("fr-ru"), [obj])
        page = boris.get(objects_url(world), params={"limit": 4, "next": page["next"]}).json()
        seen += [o["id"] for o in page.get("objects", [])]
    assert len(seen) == len(set(seen))
    # The first envelope comes first (its objects in the order sent), then the later ones.
    assert seen[:10] == [o["id"] for o in before]
    assert seen[10:] == posted


def test_every_object_version_gets_its_own_date_added(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    alice = as_user("alice")
    alice.post_objects(world.collection("fr-ru"), [indicator(i) for i in range(3)])
    alice.post_objects(world.collection("fr-ru"), [indicator(9)])
    records = alice.get(f"/collections/{world.collection('fr-ru')}/manifest/").json()["objects"]
    stamps = [r["date_added"] for r in records]
    assert stamps[0] < stamps[1] < stamps[2] < stamps[3]


def test_paging_with_added_after_loses_nothing_inside_a_large_envelope(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    """The method OpenCTI used when it lost objects (#4537): added_after from the last
    page's X-TAXII-Date-Added-Last, with envelopes larger than a page."""
    alice = as_user("alice")
    sent = [indicator(i) for i in range(14)]
    alice.post_objects(world.collection("fr-ru"), sent)
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 3}
    for _ in range(10):
        response = alice.get(objects_url(world), params=params)
        page = response.json()
        assert len(page.get("objects", [])) == min(3, len(sent) - len(seen))
        seen += [o["id"] for o in page.get("objects", [])]
        if not page["more"]:
            break
        params = {"limit": 3, "added_after": response.headers["X-TAXII-Date-Added-Last"]}
    assert seen == [o["id"] for o in sent]


def test_an_envelope_is_dated_from_the_most_public_object_to_the_most_restricted(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    """What a reader may see of one envelope is one unbroken run of dates, so the gaps
    between the dates they see count nothing they may not see."""
    alice = as_user("alice")
    red = marked_indicator(1, Tlp.RED, ["alice"])
    strict = marked_indicator(2, Tlp.AMBER_STRICT)
    green = marked_indicator(3, Tlp.GREEN)
    clear = marked_indicator(4, Tlp.CLEAR)
    alice.post_objects(world.collection("fr-ru"), [red, strict, green, clear])
    records = alice.get(f"/collections/{world.collection('fr-ru')}/manifest/").json()["objects"]
    assert [r["id"] for r in records] == [clear["id"], green["id"], strict["id"], red["id"]]


def test_added_after_uses_date_added(as_user: Callable[[str], Taxii], world: World) -> None:
    alice = as_user("alice")
    alice.post_objects(world.collection("fr-ru"), [indicator(1), indicator(2)])
    response = alice.get(objects_url(world))
    last = response.headers["X-TAXII-Date-Added-Last"]
    newer = indicator(3)
    alice.post_objects(world.collection("fr-ru"), [newer])
    after = alice.get(objects_url(world), params={"added_after": last}).json()["objects"]
    assert [o["id"] for o in after] == [newer["id"]]
    assert alice.get(objects_url(world), params={"added_after": "yesterday"}).status_code == 400


def test_match_type_and_id(as_user: Callable[[str], Taxii], world: World) -> None:
    alice = as_user("alice")
    ind, person, other = indicator(1), identity("Ivan Petrov"), indicator(2)
    alice.post_objects(world.collection("fr-ru"), [ind, person, other])
    typed = alice.all_objects(world.collection("fr-ru"), {"match[type]": "identity"})
    assert [o["id"] for o in typed] == [person["id"]]
    by_id = alice.all_objects(
        world.collection("fr-ru"), {"match[id]": f"{ind['id']},{person['id']}"}
    )
    assert {o["id"] for o in by_id} == {ind["id"], person["id"]}
    both = alice.all_objects(world.collection("fr-ru"), {"match[type]": "identity,indicator"})
    assert len(both) == 3


def _three_versions(alice: Taxii, world: World) -> str:
    ident = indicator()["id"]
    for stamp in (T1, T0, T2):  # arrival order differs from version order on purpose
        alice.post_objects(world.collection("fr-ru"), [indicator(1, modified=stamp, ident=ident)])
    return ident


def test_match_version_first_last_all_and_timestamp(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    alice = as_user("alice")
    ident = _three_versions(alice, world)
    collection = world.collection("fr-ru")

    def versions(value: str | None) -> list[str]:
        params = {"match[version]": value} if value else {}
        return sorted(o["modified"] for o in alice.all_objects(collection, params))

    assert versions(None) == [T2]
    assert versions("last") == [T2]
    assert versions("first") == [T0]
    assert versions("all") == [T0, T1, T2]
    assert versions(T1) == [T1]
    assert versions(f"first,{T1}") == [T0, T1]
    assert versions("2026-02-01T00:00:00Z") == [T1]
    bad = alice.get(objects_url(world), params={"match[version]": "newest"})
    assert bad.status_code == 400
    assert ident


def test_match_spec_version(as_user: Callable[[str], Taxii], world: World) -> None:
    alice = as_user("alice")
    alice.post_objects(world.collection("fr-ru"), [indicator()])
    assert len(alice.all_objects(world.collection("fr-ru"), {"match[spec_version]": "2.1"})) == 1
    assert alice.all_objects(world.collection("fr-ru"), {"match[spec_version]": "2.0"}) == []


def test_object_endpoint_and_versions_endpoint(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    alice = as_user("alice")
    ident = _three_versions(alice, world)
    one = alice.get(f"{objects_url(world)}{ident}/").json()
    assert [o["modified"] for o in one["objects"]] == [T2]
    every = alice.get(f"{objects_url(world)}{ident}/", params={"match[version]": "all"}).json()
    assert len(every["objects"]) == 3
    listed = alice.get(f"{objects_url(world)}{ident}/versions/")
    assert listed.status_code == 200
    # Each version is the 'modified' string exactly as the producer wrote it (section 3.4).
    assert sorted(listed.json()["versions"]) == [T0, T1, T2]
    assert "X-TAXII-Date-Added-First" in listed.headers
    paged = alice.get(f"{objects_url(world)}{ident}/versions/", params={"limit": 2}).json()
    assert paged["more"] is True
    assert len(paged["versions"]) == 2


def test_unknown_object_is_404(as_user: Callable[[str], Taxii], world: World) -> None:
    alice = as_user("alice")
    missing = indicator()["id"]
    assert alice.get(f"{objects_url(world)}{missing}/").status_code == 404
    assert alice.get(f"{objects_url(world)}{missing}/versions/").status_code == 404


def test_revocation_is_a_new_version_and_history_stays(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    alice = as_user("alice")
    original = indicator(1)
    alice.post_objects(world.collection("fr-ru"), [original])
    revoked = {**original, "modified": T1, "revoked": True}
    assert alice.post_objects(world.collection("fr-ru"), [revoked]).json()["success_count"] == 1
    latest = alice.get(f"{objects_url(world)}{original['id']}/").json()["objects"]
    assert latest == [as_served(revoked, "dgsi")]
    history = alice.get(f"{objects_url(world)}{original['id']}/versions/").json()["versions"]
    assert len(history) == 2


def test_manifest_describes_each_object(as_user: Callable[[str], Taxii], world: World) -> None:
    alice = as_user("alice")
    obj = indicator()
    alice.post_objects(world.collection("fr-ru"), [obj])
    records = alice.get(f"/collections/{world.collection('fr-ru')}/manifest/").json()["objects"]
    assert len(records) == 1
    assert records[0]["id"] == obj["id"]
    assert records[0]["version"] == "2026-01-01T00:00:00.000Z"  # as the producer wrote it
    assert records[0]["media_type"] == "application/stix+json;version=2.1"
    assert records[0]["date_added"].endswith("Z")


def test_producer_deletes_an_object_from_one_channel(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    alice = as_user("alice")
    obj = indicator()
    alice.post_objects(world.collection("fr-ru"), [obj])
    alice.post_objects(world.collection("community"), [obj])
    response = alice.delete(f"{objects_url(world)}{obj['id']}/")
    assert response.status_code == 200
    assert alice.get(f"{objects_url(world)}{obj['id']}/").status_code == 404
    assert as_user("carla").all_objects(world.collection("community")) == [as_served(obj, "dgsi")]


def test_delete_of_one_version(as_user: Callable[[str], Taxii], world: World) -> None:
    alice = as_user("alice")
    ident = _three_versions(alice, world)
    response = alice.delete(f"{objects_url(world)}{ident}/", params={"match[version]": T2})
    assert response.status_code == 200
    left = alice.get(f"{objects_url(world)}{ident}/versions/").json()["versions"]
    assert len(left) == 2


def test_only_the_producer_may_delete(as_user: Callable[[str], Taxii], world: World) -> None:
    obj = indicator()
    as_user("alice").post_objects(world.collection("fr-ru"), [obj])
    response = as_user("boris").delete(f"{objects_url(world)}{obj['id']}/")
    assert response.status_code == 403
    assert len(as_user("boris").all_objects(world.collection("fr-ru"))) == 1


def test_delete_by_a_stranger_looks_like_nothing_is_there(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    obj = indicator()
    as_user("alice").post_objects(world.collection("fr-ru"), [obj])
    oscar = as_user("oscar")
    response = oscar.delete(f"{objects_url(world)}{obj['id']}/")
    unknown = "0e9a4a5c-5e33-4a8e-9d7a-2f3c1f0f4b11"
    never = oscar.delete(f"/collections/{unknown}/objects/{obj['id']}/")
    assert response.status_code == never.status_code == 404
    assert response.text.replace(world.collection("fr-ru"), "ID") == never.text.replace(
        unknown, "ID"
    )
    assert len(as_user("alice").all_objects(world.collection("fr-ru"))) == 1
