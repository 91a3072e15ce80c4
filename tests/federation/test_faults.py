"""A misbehaving peer (tests/federation/fake_peer.py) cannot corrupt or block node A, on
each backend: a peer that answers 500 or 401, hangs past the timeout, closes the
connection mid-answer or sends malformed JSON is a one-line error of ``sync``, recorded,
with nothing marked sent and the pull cursor not past what was stored; a peer that sends
forged, malformed or oversized objects has them refused and listed with their reasons,
while the rest of its objects arrive."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from passerelle.federation import pull as pull_module
from passerelle.objects.ingest import ingest
from passerelle.objects.latest import latest_visible_versions
from passerelle.policy.directory import viewer_by_name
from passerelle.stix.markings import TLP2_IDS, Tlp
from passerelle.stix.organisations import organisation_identity_id
from passerelle.store.federation_tables import federation_ledger, peer_cursors
from passerelle.store.schema import channel_objects
from tests.cli_runner import Run, cli_runner
from tests.federation.fake_peer import FAULTS, FakePeer
from tests.federation.support import NodeDb, build_a
from tests.stixgen import identity, indicator
from tests.world import NODE_HOOKS

GREEN = [TLP2_IDS[Tlp.GREEN]]
BOREAL = organisation_identity_id("boreal")
# A's timeout for the fake peer, in seconds: a hanging answer must end the pass quickly.
TIMEOUT = "1"
EXPECTED = {
    "500": "HTTP 500",
    "401": "HTTP 401: the peer does not accept our token (see the peer's --token-file)",
    "hang": "ReadTimeout: no answer within 1 s",
    "close": "RemoteProtocolError: ",
    "malformed": "the answer is not JSON",
}


@dataclass
class Faulty:
    """Node A (on the test's backend) with the fake registered as peer ``fake``."""

    a: NodeDb
    fake: FakePeer
    run: Run

    def sync(self) -> tuple[int, list[str]]:
        result = self.run("sync", "--peer", "fake", "--once", "--timeout", TIMEOUT)
        return result.exit_code, result.output.strip().splitlines()

    def status(self) -> dict[str, Any]:
        shown: list[dict[str, Any]] = json.loads(
            self.run("peer", "status", "fake", "--json").output
        )
        return shown[0]


@pytest.fixture
def faulty(database_url: str, audit_key_file: Path, tmp_path: Path) -> Iterator[Faulty]:
    a = build_a(database_url, audit_key_file)
    token = tmp_path / "fake.token"
    token.write_text("token-of-atlas-node-at-the-fake\n")
    run = cli_runner(database_url)
    with FakePeer() as fake:
        added = run("peer", "add", "fake", "--url", fake.api_root_url, "--org", "boreal",
                    "--speaks-for", "atlas", "--token-file", str(token))  # fmt: skip
        assert added.exit_code == 0, added.output
        linked = run("peer", "link", "fake", "--channel", "ab", "--remote-collection", "c1",
                     "--push", "--pull")  # fmt: skip
        assert linked.exit_code == 0, linked.output
        yield Faulty(a, fake, run)
    a.database.dispose()


def _boreal(n: int, **extra: Any) -> dict[str, Any]:
    return indicator(n, **{"created_by_ref": BOREAL, "object_marking_refs": GREEN, **extra})


def _nested(depth: int) -> list[Any]:
    found: list[Any] = []
    for _level in range(depth):
        found = [found]
    return found


def _anna_stores(faulty: Faulty, objects: list[dict[str, Any]]) -> None:
    with faulty.a.database.read() as conn:
        anna = viewer_by_name(conn, "anna")
    stored = ingest(faulty.a.database, NODE_HOOKS, anna, faulty.a.channels["ab"], objects)
    assert not stored.failures


def _placed(faulty: Faulty) -> list[tuple[str, str]]:
    with faulty.a.database.read() as conn:
        rows = conn.execute(select(channel_objects.c.stix_id, channel_objects.c.version))
        return [(r.stix_id, r.version) for r in rows]


def _cursor(faulty: Faulty) -> tuple[str, str] | None:
    with faulty.a.database.read() as conn:
        row = conn.execute(select(peer_cursors)).first()
    return None if row is None else (row.next_token, row.added_after)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_failing_push_is_one_line_and_nothing_is_marked_sent(faulty: Faulty, fault: str) -> None:
    waiting = _boreal(1, created_by_ref=organisation_identity_id("atlas"))
    _anna_stores(faulty, [waiting])
    faulty.fake.script.fault = fault
    started = time.monotonic()
    code, lines = faulty.sync()
    assert time.monotonic() - started < 15  # bounded by the timeout, not the fake
    assert code == 1
    assert not any("Traceback" in line for line in lines)
    assert lines[-1].startswith(f"Error: peer 'fake': {faulty.fake.api_root_url}collections/")
    assert EXPECTED[fault] in lines[-1]
    assert "token-of-atlas-node" not in "\n".join(lines)
    status = faulty.status()
    assert (status["pending"], status["sent"]) == (1, 0)
    assert EXPECTED[fault] in status["last_error"]
    with faulty.a.database.read() as conn:
        assert conn.execute(select(func.count()).select_from(federation_ledger)).scalar() == 0

    faulty.fake.script.fault = ""
    code, lines = faulty.sync()
    assert code == 0, lines
    assert "peer 'fake': 1 accepted, 0 refused" in lines[-1]
    assert [o["id"] for o in faulty.fake.script.posted] == [waiting["id"]]
    assert faulty.status()["last_error"] == ""


@pytest.mark.parametrize("fault", FAULTS)
def test_a_failing_pull_keeps_what_arrived_and_resumes_after_it(faulty: Faulty, fault: str) -> None:
    pages = [[_boreal(1), _boreal(2)], [_boreal(3)], [_boreal(4)]]
    faulty.fake.script.pages = pages
    faulty.fake.script.fault, faulty.fake.script.fault_from_page = fault, 1
    code, lines = faulty.sync()
    assert code == 1
    assert not any("Traceback" in line for line in lines)
    assert EXPECTED[fault] in lines[-1]
    first = {(o["id"], "2026-01-01T00:00:00.000000Z") for o in pages[0]}
    assert set(_placed(faulty)) == first  # the first page is stored ...
    assert _cursor(faulty) == ("1", "")  # ... and the cursor is at the page that failed

    faulty.fake.script.fault = ""
    del faulty.fake.script.requests[:]
    code, lines = faulty.sync()
    assert code == 0, lines
    assert "pulled 2 stored, 0 known, 0 refused" in lines[-1]
    asked = [q.get("next") for method, _path, q in faulty.fake.script.requests if method == "GET"]
    assert asked == ["1", "2"]  # resumed where it stopped, not from the start
    placed = _placed(faulty)
    assert sorted(placed) == sorted({(o["id"], o["modified"].replace(".000Z", ".000000Z"))
                                     for page in pages for o in page})  # fmt: skip
    assert _cursor(faulty) == ("", "2026-01-01T00:00:02.000000Z")


def test_forged_malformed_and_oversized_objects_are_refused_and_listed(
    faulty: Faulty, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pull_module, "MAX_OBJECT_BYTES", 4000)
    atlas_own = indicator(50, created_by_ref=organisation_identity_id("atlas"),
                          object_marking_refs=GREEN)  # fmt: skip
    _anna_stores(faulty, [atlas_own])
    good = [_boreal(1), _boreal(2), _boreal(3)]
    refused = {
        "forged": _boreal(4, created_by_ref=identity("cert")["id"]),
        "atlas's": _boreal(5, created_by_ref=organisation_identity_id("atlas")),
        # A new version of atlas's object, the producer left out: not boreal's to revise.
        "revised": {**atlas_own, "modified": "2026-02-01T00:00:00.000Z", "name": "Hijacked"}
        | {"created_by_ref": BOREAL},
        "unsigned": {k: v for k, v in atlas_own.items() if k != "created_by_ref"}
        | {"modified": "2026-03-01T00:00:00.000Z"},
        "oversized": _boreal(6, description="x" * 5000),
        "invalid": {**_boreal(7), "pattern": 42},
        "no id": {"type": "indicator", "spec_version": "2.1"},
        "deep": _boreal(8, x_deep=_nested(300)),
    }
    faulty.fake.script.pages = [
        [good[0], refused["forged"], "not an object", refused["atlas's"], refused["revised"]],
        [refused["unsigned"], refused["oversized"], good[1], refused["invalid"]],
        [refused["no id"], good[2], 17, refused["deep"]],
    ]
    code, lines = faulty.sync()
    assert code == 0, lines
    assert "pulled 3 stored, 0 known, 10 refused" in lines[-1]
    with faulty.a.database.read() as conn:
        anna = viewer_by_name(conn, "anna")
        seen = latest_visible_versions(conn, anna, [o["id"] for o in [*good, atlas_own]])
    assert set(seen) == {o["id"] for o in [*good, atlas_own]}
    assert seen[atlas_own["id"]] == "2026-01-01T00:00:00.000000Z"  # not revised by boreal
    assert _cursor(faulty) == ("", "2026-01-01T00:00:02.000000Z")

    assert faulty.status()["refused_here"] == 10
    listed = faulty.run("peer", "status", "fake").output
    for forged in (refused["forged"], refused["atlas's"], refused["revised"]):
        assert forged["id"] in listed
    assert "names another author than 'boreal'" in listed
    assert "larger than 4000 bytes" in listed
    assert "not a JSON object" in listed
    assert "nested too deeply" in listed
    assert refused["unsigned"]["id"] in listed
    assert refused["invalid"]["id"] in listed


def test_a_paging_in_circles_or_a_bad_date_added_does_not_trap_the_pull(faulty: Faulty) -> None:
    pages = [[_boreal(1)], [_boreal(2)], [_boreal(3)]]
    faulty.fake.script.pages, faulty.fake.script.circular = pages, True
    code, lines = faulty.sync()
    assert code == 1
    assert lines[-1].endswith("its paging goes round in circles (next '1' again)")
    # Page 0, page 1, page 1 again (the same versions for the same token), then stopped: a
    # token seen again is no circle by itself (medallion gives one for a whole run).
    assert len(faulty.fake.script.requests) == 3
    assert len(_placed(faulty)) == 2

    # A date that is not one is not kept as the cursor (the peer would refuse it later).
    faulty.fake.script.circular, faulty.fake.script.date_added_last = False, "yesterday"
    code, lines = faulty.sync()
    assert code == 0, lines
    assert _cursor(faulty) == ("", "")
    assert len(_placed(faulty)) == 3


def _asked_limits(faulty: Faulty) -> list[str]:
    return [q.get("limit", "") for method, _p, q in faulty.fake.script.requests if method == "GET"]


def test_a_page_of_more_objects_than_asked_is_refused_whole(
    faulty: Faulty, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pull_module, "PAGE_SIZE", 2)
    faulty.fake.script.pages = [[_boreal(1), _boreal(2), _boreal(3)]]  # limit ignored
    code, lines = faulty.sync()
    assert code == 1
    assert not any("Traceback" in line for line in lines)
    assert lines[-1] == (
        f"Error: peer 'fake': {faulty.fake.api_root_url}: its page holds 3 objects, more "
        "than the 2 asked (limit); nothing of it was stored"
    )
    assert _placed(faulty) == []
    assert _cursor(faulty) is None
    assert "more than the 2 asked" in faulty.status()["last_error"]


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "streamed"])
def test_an_answer_too_large_is_asked_again_smaller_then_refused_in_bounded_memory(
    faulty: Faulty, monkeypatch: pytest.MonkeyPatch, announced: bool
) -> None:
    monkeypatch.setattr(pull_module, "PAGE_SIZE", 4)
    monkeypatch.setattr(pull_module, "MAX_PAGE_BYTES", 5000)
    faulty.fake.script.unannounced = not announced
    sized = [_boreal(n, description="x" * 1500) for n in range(3)]  # about 1,900 bytes each
    huge = _boreal(3, description="x" * 6000)  # larger than a page may be, even alone
    faulty.fake.script.objects = [*sized, huge, _boreal(4)]
    code, lines = faulty.sync()
    assert code == 1
    assert not any("Traceback" in line for line in lines)
    assert lines[-1] == (
        f"Error: peer 'fake': {faulty.fake.api_root_url}collections/c1/objects/: its answer "
        "is larger than the 5000 bytes a page may take (even one object at a time)"
    )
    # 4 objects: too large; 2 fit; then 2 (with the huge one): too large; 1; 1: too large.
    assert _asked_limits(faulty) == ["4", "2", "2", "1", "1"]
    assert sorted(i for i, _v in _placed(faulty)) == sorted(o["id"] for o in sized)
    assert _cursor(faulty) == ("3", "")  # before the huge object: asked again next time

    faulty.fake.script.objects[3] = _boreal(3)  # the peer fixed it
    code, lines = faulty.sync()
    assert code == 0, lines
    # Resumed from the saved page token, the run is read again from the last complete one
    # once it ends (a peer whose token names a session hands a page out only once: see
    # test_medallion); what comes again is known, never stored twice.
    assert "pulled 2 stored, 5 known, 0 refused" in lines[-1]
    assert len(_placed(faulty)) == 5


def test_a_run_resumed_at_its_last_page_is_read_again_without_taking_it_for_a_circle(
    faulty: Faulty, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pull killed with the token of a run's last page saved resumes there, then reads the
    run again from its start (fed-interop's rule for peers whose tokens name a session):
    the pages of that second reading are not a paging in circles."""
    monkeypatch.setattr(pull_module, "PAGE_SIZE", 2)
    faulty.fake.script.objects = [_boreal(n) for n in range(5)]
    code, lines = faulty.sync()
    assert code == 0, lines
    assert "pulled 5 stored, 0 known, 0 refused" in lines[-1]
    with faulty.a.database.write() as conn:  # as if killed while reading the last page
        conn.execute(peer_cursors.update().values(next_token="4", added_after=""))
    code, lines = faulty.sync()
    assert code == 0, lines
    assert not any("circles" in line for line in lines)
    assert "pulled 0 stored, 6 known, 0 refused" in lines[-1]
    assert len(_placed(faulty)) == 5
    cursor = _cursor(faulty)
    assert cursor is not None
    assert cursor[0] == ""  # the run completed: no page token kept
