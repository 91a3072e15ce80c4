"""Discovery, API root, collections, authentication and media types."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from passerelle.http.media import TAXII_MEDIA_TYPE
from tests.taxii_client import ROOT, Taxii
from tests.world import World


def test_discovery_lists_the_api_root(as_user: Callable[[str], Taxii]) -> None:
    response = as_user("alice").get("/taxii2/")
    assert response.status_code == 200
    assert response.headers["content-type"] == TAXII_MEDIA_TYPE
    body = response.json()
    assert body["api_roots"] == ["http://testserver/taxii2/root/"]
    assert body["default"] == "http://testserver/taxii2/root/"


def test_api_root_announces_version_and_max_content_length(as_user: Callable[[str], Taxii]) -> None:
    body = as_user("alice").get("/").json()
    assert body["versions"] == [TAXII_MEDIA_TYPE]
    assert body["max_content_length"] == 200_000


def test_collections_lists_only_the_member_channels(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    listed = as_user("alice").get("/collections/").json()["collections"]
    assert {c["title"] for c in listed} == {"fr-ru", "community", "dropbox"}
    dropbox = next(c for c in listed if c["title"] == "dropbox")
    assert (dropbox["can_read"], dropbox["can_write"]) == (False, True)
    assert dropbox["id"] == world.collection("dropbox")
    assert dropbox["media_types"] == ["application/stix+json;version=2.1"]


def test_a_user_of_no_channel_gets_an_empty_collections_resource(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    with world.database.write() as conn:
        from passerelle.policy import directory
        from passerelle.policy.roles import Role

        directory.add_organisation(conn, "lonely")
        token = directory.add_user(conn, "lonely", "luc", Role.ANALYST)
    response = Taxii(as_user("alice").client, "luc", token).get("/collections/")
    assert response.status_code == 200
    assert response.json() == {}


def test_collection_of_a_member(as_user: Callable[[str], Taxii], world: World) -> None:
    body = as_user("carla").get(f"/collections/{world.collection('community')}/").json()
    assert body["title"] == "community"
    assert (body["can_read"], body["can_write"]) == (True, False)
    assert body["alias"] == "community"


def test_non_member_sees_no_trace_of_a_channel(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    oscar = as_user("oscar")
    hidden = world.collection("fr-ru")
    unknown = "1b3fd1bd-84cc-4d27-a76e-0ad6c4b6a0f2"
    for suffix in (
        "/",
        "/objects/",
        "/manifest/",
        "/objects/indicator--1b3fd1bd-84cc-4d27-a76e-0ad6c4b6a0f2/",
    ):
        seen = oscar.get(f"/collections/{hidden}{suffix}")
        never = oscar.get(f"/collections/{unknown}{suffix}")
        assert seen.status_code == never.status_code == 404
        assert seen.text.replace(hidden, "ID") == never.text.replace(unknown, "ID")
        assert seen.headers == never.headers
    post = oscar.post_objects(hidden, [])
    assert post.status_code == 404


def test_missing_credentials_answer_401_without_detail(
    app_client: TestClient, world: World
) -> None:
    paths = [
        "/taxii2/",
        f"{ROOT}/collections/",
        f"{ROOT}/collections/{world.collection('fr-ru')}/objects/",
    ]
    bodies = set()
    for path in paths:
        response = app_client.get(path, headers={"Accept": TAXII_MEDIA_TYPE})
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Basic")
        bodies.add(response.text)
    assert len(bodies) == 1


def test_wrong_credentials_answer_the_same_401(app_client: TestClient, world: World) -> None:
    url = f"{ROOT}/collections/"
    headers = {"Accept": TAXII_MEDIA_TYPE}
    missing = app_client.get(url, headers=headers)
    attempts = [
        app_client.get(url, headers=headers, auth=("alice", "psl_wrong")),
        app_client.get(url, headers=headers, auth=("boris", world.tokens["alice"])),
        app_client.get(url, headers=headers, auth=("nobody", "x")),
        app_client.get(url, headers={**headers, "Authorization": "Bearer nope"}),
        app_client.get(url, headers={**headers, "Authorization": "Basic !!!"}),
        app_client.get(url, headers={**headers, "Authorization": "Digest x"}),
    ]
    for response in attempts:
        assert response.status_code == 401
        assert response.text == missing.text


def test_bearer_token_authenticates(app_client: TestClient, world: World) -> None:
    response = app_client.get(
        f"{ROOT}/collections/",
        headers={"Accept": TAXII_MEDIA_TYPE, "Authorization": f"Bearer {world.tokens['boris']}"},
    )
    assert response.status_code == 200
    assert [c["title"] for c in response.json()["collections"]] == ["fr-ru"]


def test_unacceptable_accept_header_is_406(as_user: Callable[[str], Taxii]) -> None:
    alice = as_user("alice")
    assert alice.get("/collections/", Accept="text/html").status_code == 406
    assert (
        alice.get("/collections/", Accept="application/taxii+json;version=2.0").status_code == 406
    )
    assert alice.get("/collections/", Accept="application/taxii+json").status_code == 200
    assert alice.get("/collections/", Accept="*/*").status_code == 200
    body = alice.get("/collections/", Accept="text/html").json()
    assert body["http_status"] == "406"


def test_errors_are_taxii_error_messages_not_html(as_user: Callable[[str], Taxii]) -> None:
    response = as_user("alice").get("/no/such/endpoint/")
    assert response.status_code == 404
    assert response.headers["content-type"] == TAXII_MEDIA_TYPE
    assert set(response.json()) >= {"title", "description", "http_status"}


def test_bad_limit_is_400(as_user: Callable[[str], Taxii], world: World) -> None:
    alice = as_user("alice")
    url = f"/collections/{world.collection('fr-ru')}/objects/"
    for value in ("abc", "0", "-3"):
        response = alice.get(url, params={"limit": value})
        assert response.status_code == 400
        assert "limit" in response.json()["description"]


def test_write_only_member_may_not_read(as_user: Callable[[str], Taxii], world: World) -> None:
    response = as_user("alice").get(f"/collections/{world.collection('dropbox')}/objects/")
    assert response.status_code == 403
