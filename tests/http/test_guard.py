"""What every request meets first (issue 12, items 11, 15 and 19): size limits before
parsing and authentication, NUL characters, security headers, offline documentation,
discovery that echoes no Host header, a private SQLite file."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from passerelle.app import create_app
from passerelle.settings import Settings
from passerelle.store.database import open_database
from passerelle.store.schema import audit_log
from tests.stixgen import indicator
from tests.taxii_client import Taxii
from tests.world import World

TAXII_LIMIT = 200_000
API_LIMIT = 4_096


@pytest.fixture
def guarded(world: World) -> Iterator[TestClient]:
    settings = Settings(
        db_url="unused://", max_content_length=TAXII_LIMIT, max_api_body_length=API_LIMIT
    )
    with TestClient(create_app(settings, world.database)) as client:
        yield client


def audit_count(world: World) -> int:
    with world.database.read() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


def test_an_oversized_body_is_refused_before_authentication(
    guarded: TestClient, world: World
) -> None:
    before = audit_count(world)
    huge = b'{"object_id": "' + b"x" * (API_LIMIT * 4) + b'"}'
    answer = guarded.post("/api/tips", content=huge, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["http_status"] == "413"
    # no credentials were looked at: no failed login was recorded
    assert audit_count(world) == before


def test_a_chunked_body_is_cut_off_at_the_limit(guarded: TestClient, world: World) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"object_id": "'
        for _ in range(10):
            yield b"x" * API_LIMIT
        yield b'"}'

    token = world.tokens["alice"]
    answer = guarded.post(
        "/api/acknowledgements",
        content=chunks(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 413


def test_taxii_takes_bodies_up_to_max_content_length(guarded: TestClient, world: World) -> None:
    taxii = Taxii(guarded, "alice", world.tokens["alice"])
    many = [indicator(i, description="x" * 1000) for i in range(20)]  # > API_LIMIT
    answer = taxii.post_objects(world.collection("fr-ru"), many)
    assert answer.status_code == 202, answer.text
    too_many = [indicator(i, description="x" * 1000) for i in range(300)]
    assert taxii.post_objects(world.collection("fr-ru"), too_many).status_code == 413


@pytest.mark.parametrize(
    "path",
    [
        "/taxii2/root/collections/%00/objects/",
        "/taxii2/root/collections/COLLECTION/objects/?match[id]=indicator--%00",
        "/taxii2/root/collections/COLLECTION/objects/indicator--%00/",
        "/api/lookup?value=entity:%00",
    ],
)
def test_a_nul_character_anywhere_answers_400(guarded: TestClient, world: World, path: str) -> None:
    taxii = Taxii(guarded, "alice", world.tokens["alice"])
    answer = guarded.get(
        path.replace("COLLECTION", world.collection("fr-ru")),
        headers=taxii.headers(),
        auth=taxii.auth,
    )
    assert answer.status_code == 400
    assert "NUL" in answer.json()["description"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/intake/drafts", {"channel": "\x00", "text": "Un texte."}),
        ("/api/watches", {"observable": "198.51.100.7", "owner": "al\x00ice"}),
        ("/api/tips", {"object_id": "indicator--\x00", "channel": "fr-ru"}),
    ],
)
def test_a_nul_character_in_a_rest_body_answers_400(
    guarded: TestClient, world: World, path: str, body: dict[str, object]
) -> None:
    # Found by the schemathesis run on PostgreSQL, whose text holds no NUL: a 500 before.
    taxii = Taxii(guarded, "alice", world.tokens["alice"])
    answer = guarded.post(path, json=body, auth=taxii.auth)
    assert answer.status_code == 400, answer.text
    assert "NUL" in answer.json()["description"]


def test_every_answer_carries_the_security_headers(guarded: TestClient, world: World) -> None:
    taxii = Taxii(guarded, "alice", world.tokens["alice"])
    for answer in (
        taxii.get("/collections/"),
        guarded.get("/api/tips/inbox", headers={"Authorization": "Bearer wrong"}),
        guarded.post("/api/tips", content=b"x" * (API_LIMIT + 1)),
    ):
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_the_documentation_is_served_by_the_node_itself(guarded: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        page = guarded.get(path)
        assert page.status_code == 200
        assert "cdn" not in page.text.lower()
        policy = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assets = [part.split('"')[0] for part in page.text.split('src="')[1:]]
        assert assets, page.text
        for asset in assets:
            assert guarded.get(asset).status_code == 200, asset


def test_discovery_never_echoes_the_host_header(world: World) -> None:
    settings = Settings(db_url="unused://")
    with TestClient(create_app(settings, world.database)) as client:
        taxii = Taxii(client, "alice", world.tokens["alice"])
        found = taxii.get("/taxii2/", Host="evil.example").json()
        assert "evil.example" not in str(found)
    public = Settings(db_url="unused://", public_url="https://passerelle.atlas.example/")
    with TestClient(create_app(public, world.database)) as client:
        taxii = Taxii(client, "alice", world.tokens["alice"])
        found = taxii.get("/taxii2/", Host="evil.example").json()
        assert found["api_roots"] == ["https://passerelle.atlas.example/taxii2/root/"]


def test_a_new_sqlite_file_and_its_journal_are_private(tmp_path: Path) -> None:
    path = tmp_path / "node.db"
    database = open_database(f"sqlite:///{path}")
    database.migrate()
    with database.write() as conn:
        conn.execute(audit_log.delete())  # any write: the WAL comes into being
    modes = {
        p.name: stat.S_IMODE(os.stat(p).st_mode) for p in tmp_path.iterdir() if "node.db" in p.name
    }
    database.dispose()
    assert "node.db" in modes
    assert modes == dict.fromkeys(modes, 384), modes


def test_an_oversized_next_token_answers_400(as_user: Callable[[str], Taxii], world: World) -> None:
    import base64

    token = base64.urlsafe_b64encode(b"9999999999999999999|indicator--x|v").decode()
    answer = as_user("alice").get(
        f"/collections/{world.collection('fr-ru')}/objects/", params={"next": token}
    )
    assert answer.status_code == 400
