"""Failed logins as a flood: bounded entries per source and window with the right counts,
429 before any database work, other sources untouched, usernames the caller chose cut
and cleaned."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import event

from passerelle.app import create_app
from passerelle.audit.logins import FailedLogins, clean_username, source_of
from passerelle.durations import SECOND
from passerelle.http.media import TAXII_MEDIA_TYPE
from passerelle.settings import AuditSettings, Settings
from passerelle.stix.timestamps import micros_to_text
from tests.audit.support import one_line_error, rows
from tests.cli_runner import Run
from tests.exchange_support import START, FakeClock
from tests.world import World

URL = "/taxii2/root/collections/"
WINDOW = 60 * SECOND
LIMIT = 20
ATTACKER = "203.0.113.7"
PARTNER = "198.51.100.20"


@pytest.fixture
def logins(clock: FakeClock) -> FailedLogins:
    """The app's register of failed logins, on the test clock."""
    return FailedLogins(WINDOW, LIMIT, clock=clock)


@pytest.fixture
def app(world: World, logins: FailedLogins) -> FastAPI:
    return create_app(Settings(db_url="unused://"), world.database, logins=logins)


@pytest.fixture
def served(app: FastAPI) -> Iterator[TestClient]:
    """The app running (its lifespan started), seen from the attacker's address."""
    with TestClient(app, client=(ATTACKER, 40000)) as client:
        yield client


def from_address(app: FastAPI, host: str) -> TestClient:
    return TestClient(app, client=(host, 40001))


def basic(username: str, token: str) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:{token}".encode()).decode()
    return {"Accept": TAXII_MEDIA_TYPE, "Authorization": f"Basic {raw}"}


def attempt(client: TestClient, username: str = "boris", token: str = "psl_guess") -> Response:
    return client.get(URL, headers=basic(username, token))


def logged(world: World, *actions: str) -> list[dict[str, Any]]:
    wanted = actions or ("login-failed", "login-failures")
    found = [r for r in rows(world.database) if r["action"] in wanted]
    for row in found:
        row["detail"] = orjson.loads(row["detail"])
    return found


# -- a bounded number of entries, with the right counts -----------------------------------


def test_a_flood_from_one_source_writes_one_entry_then_one_aggregate(
    world: World, served: TestClient, clock: FakeClock
) -> None:
    statuses = []
    for n in range(100):
        statuses.append(attempt(served, f"user{n % 7}").status_code)
        clock.advance(10_000)  # 100 attempts in one second
    assert statuses == [401] * LIMIT + [429] * (100 - LIMIT)
    [first] = logged(world)
    assert (first["action"], first["username"], first["detail"]) == (
        "login-failed",
        "user0",
        {"source": ATTACKER},
    )
    # The window closes; the next failure records what it counted.
    clock.advance(WINDOW)
    assert attempt(served, "late").status_code == 401
    entries = logged(world)
    assert [e["action"] for e in entries] == ["login-failed", "login-failures", "login-failed"]
    aggregate = entries[1]["detail"]
    assert aggregate == {
        "source": ATTACKER,
        "failures": LIMIT,
        "refused": 100 - LIMIT,
        "first": micros_to_text(START),
        "last": micros_to_text(START + (LIMIT - 1) * 10_000),
        "usernames": ["user0", "user1", "user2", "user3", "user4"],
    }
    assert entries[1]["username"] == "user0"
    assert entries[2]["username"] == "late"


def test_a_source_that_keeps_failing_writes_two_entries_a_window(
    world: World, served: TestClient, clock: FakeClock
) -> None:
    for _minute in range(5):
        for _ in range(3 * LIMIT):
            attempt(served)
            clock.advance(SECOND // 2)
        clock.advance(WINDOW)
    assert len(logged(world)) == 5 + 4  # an entry per window, an aggregate per closed one


def test_the_aggregate_is_written_when_the_app_stops(
    world: World, app: FastAPI, clock: FakeClock
) -> None:
    with TestClient(app, client=(ATTACKER, 40000)) as client:
        for _ in range(5):
            attempt(client)
            clock.advance(SECOND)
        assert len(logged(world)) == 1
    entries = logged(world)
    assert [e["action"] for e in entries] == ["login-failed", "login-failures"]
    assert (entries[1]["detail"]["failures"], entries[1]["detail"]["refused"]) == (5, 0)


def test_a_lone_failure_is_not_recorded_twice(world: World, app: FastAPI, clock: FakeClock) -> None:
    with TestClient(app, client=(ATTACKER, 40000)) as client:
        attempt(client)
        clock.advance(2 * WINDOW)
        attempt(client, "again")
    assert [e["username"] for e in logged(world)] == ["boris", "again"]


def test_the_windows_of_every_source_close_at_the_next_failure(
    world: World, app: FastAPI, served: TestClient, clock: FakeClock
) -> None:
    for _ in range(4):
        attempt(served)
    clock.advance(WINDOW)
    attempt(from_address(app, PARTNER), "carla")
    entries = logged(world)
    assert [(e["action"], e["detail"]["source"]) for e in entries] == [
        ("login-failed", ATTACKER),
        ("login-failures", ATTACKER),
        ("login-failed", PARTNER),
    ]
    assert entries[1]["detail"]["failures"] == 4


# -- 429: only the source that failed, and before any database work --------------------------


def test_429_says_when_to_come_back(served: TestClient, clock: FakeClock) -> None:
    for _ in range(LIMIT):
        assert attempt(served).status_code == 401
    clock.advance(15 * SECOND)
    refused = attempt(served)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "45"
    assert refused.json()["http_status"] == "429"
    clock.advance(45 * SECOND)
    assert attempt(served).status_code == 401


def test_429_is_titled_too_many_requests(served: TestClient) -> None:
    for _ in range(LIMIT):
        attempt(served)
    refused = attempt(served)
    assert (refused.status_code, refused.json()["title"]) == (429, "Too many requests")


def test_a_blocked_source_is_refused_without_touching_the_database(
    world: World, served: TestClient
) -> None:
    for _ in range(LIMIT):
        attempt(served)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(world.database.engine, "before_cursor_execute", count)
    try:
        for _ in range(50):
            assert attempt(served).status_code == 429
    finally:
        event.remove(world.database.engine, "before_cursor_execute", count)
    assert statements == []


def test_a_blocked_source_is_refused_even_with_valid_credentials(
    world: World, served: TestClient
) -> None:
    # Otherwise the guess that succeeds would get through the block.
    for _ in range(LIMIT):
        attempt(served)
    assert attempt(served, "boris", world.tokens["boris"]).status_code == 429


def test_a_second_source_is_not_blocked_by_the_first(
    world: World, app: FastAPI, served: TestClient
) -> None:
    for _ in range(LIMIT + 5):
        attempt(served)
    partner = from_address(app, PARTNER)
    assert attempt(partner, "carla", "psl_typo").status_code == 401
    assert attempt(partner, "boris", world.tokens["boris"]).status_code == 200
    bearer = {"Accept": TAXII_MEDIA_TYPE, "Authorization": f"Bearer {world.tokens['alice']}"}
    assert from_address(app, "192.0.2.1").get(URL, headers=bearer).status_code == 200


def test_successful_logins_do_not_count(world: World, served: TestClient) -> None:
    for _ in range(3 * LIMIT):
        assert attempt(served, "boris", world.tokens["boris"]).status_code == 200
    assert logged(world) == []


def test_requests_without_credentials_neither_count_nor_write(
    world: World, served: TestClient
) -> None:
    for _ in range(3 * LIMIT):
        assert served.get(URL, headers={"Accept": TAXII_MEDIA_TYPE}).status_code == 401
    assert logged(world) == []


def test_malformed_credentials_count_as_failures(world: World, served: TestClient) -> None:
    for header in ("Basic !!!", "Basic " + base64.b64encode(b"\xff\xfe").decode(), "Digest x"):
        response = served.get(URL, headers={"Accept": TAXII_MEDIA_TYPE, "Authorization": header})
        assert response.status_code == 401
    [entry] = logged(world)
    assert entry["username"] == ""


def test_an_ipv6_host_counts_as_its_slash_64(world: World, app: FastAPI, clock: FakeClock) -> None:
    for n in range(LIMIT):
        attempt(from_address(app, f"2001:db8:0:7::{n + 1:x}"))
    assert attempt(from_address(app, "2001:db8:0:7:ffff::1")).status_code == 429
    assert attempt(from_address(app, "2001:db8:0:8::1")).status_code == 401
    assert [e["detail"]["source"] for e in logged(world)] == [
        "2001:db8:0:7::/64",
        "2001:db8:0:8::/64",
    ]


def test_many_sources_cannot_flood_the_log_either(world: World, clock: FakeClock) -> None:
    logins = FailedLogins(WINDOW, LIMIT, clock=clock, max_sources=10)
    app = create_app(Settings(db_url="unused://"), world.database, logins=logins)
    for n in range(200):
        attempt(from_address(app, f"10.0.{n // 250}.{n % 250}"))
    # Ten sources followed one by one; the 190 others share the window of source "*".
    sources = [e["detail"]["source"] for e in logged(world)]
    assert len(sources) == 11
    assert sources[-1] == "*"


# -- usernames are the caller's text ----------------------------------------------------------


def test_entries_never_hold_an_over_long_username(
    world: World, served: TestClient, clock: FakeClock
) -> None:
    for n in range(10):
        attempt(served, chr(ord("a") + n) * 191)
    clock.advance(WINDOW)
    attempt(served, "x" * 5000)
    entries = logged(world)
    assert len(entries) == 3
    names = [e["username"] for e in entries] + entries[1]["detail"]["usernames"]
    assert max(len(name) for name in names) == 64
    assert len(orjson.dumps(entries[1]["detail"])) < 1000


def test_a_nul_byte_in_a_basic_username_is_a_failed_login_like_any_other(
    world: World, served: TestClient
) -> None:
    # PostgreSQL refuses NUL in text: written as given, it would have been a 500.
    assert attempt(served, "bo\x00ris").status_code == 401
    assert attempt(served, "boris", "psl_\x00").status_code == 401
    assert attempt(served, "\x00" * 40).status_code == 401
    [entry] = logged(world)
    assert entry["username"] == "boris"


def test_a_username_cannot_forge_lines_or_reorder_text_in_the_log(
    world: World, app: FastAPI, clock: FakeClock
) -> None:
    hosts = ("192.0.2.1", "192.0.2.2", "192.0.2.3")
    for host, name in zip(
        hosts, ("eve\r\nlogin ok alice", "\u202eecila", "a\u200bb\x1b[31m"), strict=True
    ):
        assert attempt(from_address(app, host), name).status_code == 401
    assert [e["username"] for e in logged(world)] == ["evelogin ok alice", "ecila", "ab[31m"]


def test_clean_username_keeps_printable_text_of_any_script() -> None:
    assert clean_username("Царнаев") == "Царнаев"
    assert clean_username("داعش\u200f") == "داعش"
    assert clean_username("a\tb\x00c\u2028d") == "abcd"
    assert clean_username("é" * 100) == "é" * 64


def test_sources_are_addresses_and_ipv6_networks() -> None:
    assert source_of("203.0.113.7") == "203.0.113.7"
    assert source_of("::ffff:203.0.113.7") == "203.0.113.7"
    assert source_of("2001:db8::1") == "2001:db8::/64"
    assert source_of("testclient") == "testclient"
    assert source_of("") == "unknown"
    assert source_of("a\x00" * 100) == "a" * 64


# -- settings ---------------------------------------------------------------------------------


def test_the_app_limits_as_its_settings_say(world: World) -> None:
    settings = Settings(db_url="unused://", audit=AuditSettings(login_failures=2))
    client = TestClient(create_app(settings, world.database))
    assert [attempt(client).status_code for _ in range(3)] == [401, 401, 429]


@pytest.mark.parametrize(
    ("name", "value"),
    [("PASSERELLE_LOGIN_FAILURES", "many"), ("PASSERELLE_LOGIN_FAILURES", "0"),
     ("PASSERELLE_LOGIN_WINDOW", "1 minute")],
)  # fmt: skip
def test_a_malformed_login_setting_is_a_one_line_error(
    run: Run, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    assert value in one_line_error(run("org", "list"))
