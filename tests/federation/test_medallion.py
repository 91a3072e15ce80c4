"""Interop with a real medallion 3.0.0 process (tests/federation/medallion_peer.py), the
OASIS reference TAXII 2.1 server, standing in for any peer that only speaks plain TAXII
2.1 (OpenCTI's feeds among them): node A, on each backend, registers it with HTTP basic
authentication, pulls every version of its collection page by page (three objects a
page, so objects sharing one date_added fall on both sides of a page boundary) from a
cursor that survives the process, refuses what a writer could not store (a feed's own
author taken once declared with --author), loses no page medallion handed out once or
dropped, and pushes to it exactly what the rules let leave, revocations and erasures
included; look-ups and RFIs, which it cannot take, say so."""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from passerelle.federation import find_peer, pull_peer, push_peer
from passerelle.federation import pull as pull_module
from passerelle.federation import push as push_module
from passerelle.objects.ingest import ingest
from passerelle.objects.latest import latest_visible_versions
from passerelle.objects.queries import ObjectFilter, object_entries
from passerelle.objects.removal import remove_from_channel
from passerelle.policy.directory import viewer_by_name
from passerelle.policy.ownership import owners_of
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from passerelle.stix.organisations import organisation_identity_id
from passerelle.store.federation_tables import federation_ledger, peer_cursors
from passerelle.store.schema import channel_objects, organisations
from passerelle.store.tables import metadata
from tests.cli_runner import Run, cli_runner
from tests.exchange_support import marked
from tests.federation.medallion_peer import PASSWORD, USER, Medallion
from tests.federation.support import NodeDb, build_a
from tests.live_server import run_cli
from tests.stixgen import identity, indicator, stix_id
from tests.world import NODE_HOOKS

BOREAL = organisation_identity_id("boreal")
GREEN = [TLP2_IDS[Tlp.GREEN]]
LATER = "2026-02-01T00:00:00.000Z"
TLP1_GREEN = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
H2 = {HANDLING_EXTENSION_ID: {"extension_type": "property-extension", "handling_codes": ["H2"]}}


@dataclass
class Interop:
    """Node A (on the test's backend) with medallion registered as peer ``medallion``."""

    a: NodeDb
    medallion: Medallion
    run: Run

    def link(self, collection: str, *ways: str) -> None:
        remote = self.medallion.collections[collection]
        linked = self.run("peer", "link", "medallion", "--channel", "ab",
                          "--remote-collection", remote, *ways)  # fmt: skip
        assert linked.exit_code == 0, linked.output

    def sync(self) -> str:
        """One pass in this process (``passerelle sync --once``); return its output."""
        result = self.run("sync", "--once")
        assert result.exit_code == 0, result.output
        return str(result.output)

    def store(self, objects: list[dict[str, Any]]) -> None:
        """Store objects in A's channel ab as anna."""
        with self.a.database.read() as conn:
            anna = viewer_by_name(conn, "anna")
        result = ingest(self.a.database, NODE_HOOKS, anna, self.a.channels["ab"], objects)
        assert not result.failures, result.failures

    def delete(self, stix_id: str) -> None:
        """Take every version of an object out of A's channel ab, as anna."""
        channel = self.a.channels["ab"]
        with self.a.database.write() as conn:
            anna = viewer_by_name(conn, "anna")
            entries = object_entries(
                conn, anna, channel, ObjectFilter.parse(None, stix_id, None, "all")
            )
            assert entries
            remove_from_channel(conn, NODE_HOOKS, anna, channel, entries, 1)

    def credential_file(self) -> Path:
        """Return the credential file the peer was registered with."""
        shown = json.loads(self.run("peer", "show", "medallion", "--json").output)
        return Path(shown["token_file"])


@pytest.fixture
def interop(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path, audit_key_file: Path
) -> Iterator[Interop]:
    """Node A built; medallion serving collections ``feed`` and ``out`` (its options from
    an indirect parameter, if any); A's peer ``medallion`` (boreal's feed), its basic-auth
    credential in a file."""
    options: dict[str, int] = getattr(request, "param", {})
    a = build_a(database_url, audit_key_file)
    credential = tmp_path / "medallion.credential"
    credential.write_text(f"{USER}:{PASSWORD}\n")
    credential.chmod(0o600)
    (tmp_path / "medallion").mkdir()
    run = cli_runner(a.url)
    with Medallion(tmp_path / "medallion", ("feed", "out"), **options) as medallion:
        added = run(
            "peer", "add", "medallion", "--url", medallion.api_root_url, "--org", "boreal",
            "--speaks-for", "atlas", "--token-file", str(credential), "--auth", "basic",
        )  # fmt: skip
        assert added.exit_code == 0, added.output
        yield Interop(a, medallion, run)
    a.database.dispose()


def _versions_on_a(interop: Interop, stix_ids: list[str]) -> Counter[str]:
    with interop.a.database.read() as conn:
        rows = conn.execute(
            select(channel_objects.c.stix_id).where(channel_objects.c.stix_id.in_(stix_ids))
        ).scalars()
        return Counter(rows)


def _cursor(interop: Interop) -> tuple[str, str]:
    with interop.a.database.read() as conn:
        row = conn.execute(select(peer_cursors.c.next_token, peer_cursors.c.added_after)).one()
    return row.next_token, row.added_after


def test_a_pulls_every_version_across_pages_then_only_what_is_new(interop: Interop) -> None:
    interop.link("feed", "--pull")
    medallion = interop.medallion
    # Seven objects in one request share one date_added, over three pages of three.
    first = [indicator(i, created_by_ref=BOREAL, object_marking_refs=GREEN) for i in range(7)]
    medallion.post("feed", first)
    revised = {**first[0], "modified": LATER, "name": "Bad address 0, revised"}
    forged = indicator(20, created_by_ref=identity("someone else")["id"])
    malformed = indicator(21, pattern="[ipv4-addr:value = ")  # medallion takes it as is
    last = medallion.post("feed", [revised, forged, malformed])

    # medallion gives one `next` for every page of a run: no circle (it was taken for one).
    out = interop.sync()
    assert "pulled 8 stored, 0 known, 2 refused" in out
    ids = [o["id"] for o in first]
    assert _versions_on_a(interop, [*ids, forged["id"], malformed["id"]]) == {
        **dict.fromkeys(ids, 1),
        first[0]["id"]: 2,  # every version (match[version]=all)
    }
    with interop.a.database.read() as conn:
        anna = viewer_by_name(conn, "anna")
        assert latest_visible_versions(conn, anna, [first[0]["id"]]) == {
            first[0]["id"]: "2026-02-01T00:00:00.000000Z"
        }
    # The cursor: no page token left, medallion's own date_added of the last request.
    assert _cursor(interop) == ("", last["request_timestamp"])
    status = interop.run("peer", "status", "medallion").output
    assert "names another author than 'boreal'" in status
    refused = [line for line in status.splitlines() if line.startswith("refused here")]
    assert {line.split()[2] for line in refused} == {forged["id"], malformed["id"]}

    # A process of its own, from the saved cursor: only what is new comes.
    newer = {**first[1], "modified": LATER, "revoked": True}
    extra = indicator(30, created_by_ref=BOREAL, object_marking_refs=GREEN)
    # As a feed carries them: an observable, with no version of its own (medallion dates it).
    address = {"type": "ipv4-addr", "spec_version": "2.1", "id": stix_id("ipv4-addr"),
               "value": "10.9.9.9"}  # fmt: skip
    medallion.post("feed", [newer, extra, address])
    done = run_cli(interop.a.url, "sync", "--once", timeout=60)
    assert done.returncode == 0, done.stderr
    assert "pulled 3 stored, 0 known, 0 refused" in done.stdout
    assert _versions_on_a(interop, [first[1]["id"], extra["id"], address["id"]]) == {
        first[1]["id"]: 2,
        extra["id"]: 1,
        address["id"]: 1,
    }
    assert "pulled 0 stored, 0 known, 0 refused" in interop.sync()


def _dies_at_the_second_page(store: Callable[..., None]) -> Callable[..., None]:
    """Wrap pull's page store so that the process dies as page 2 arrives (as a kill after
    medallion handed it out)."""
    pages = {"stored": 0}

    def store_or_die(*args: Any) -> None:
        if pages["stored"] == 1:
            raise KeyboardInterrupt
        pages["stored"] += 1
        store(*args)

    return store_or_die


def test_a_page_handed_out_but_never_stored_is_read_again(
    interop: Interop, monkeypatch: pytest.MonkeyPatch
) -> None:
    interop.link("feed", "--pull")
    sent = [indicator(i, created_by_ref=BOREAL, object_marking_refs=GREEN) for i in range(7)]
    done = interop.medallion.post("feed", sent)
    with interop.a.database.read() as conn:
        peer = find_peer(conn, "medallion")
    with monkeypatch.context() as patched:
        patched.setattr(pull_module, "_store", _dies_at_the_second_page(pull_module._store))
        with pytest.raises(KeyboardInterrupt):
            pull_peer(interop.a.database, NODE_HOOKS, peer, timeout=20)
    assert sum(_versions_on_a(interop, [o["id"] for o in sent]).values()) == 3
    assert _cursor(interop)[0]  # the session's token, saved after page 1

    # Resumed: medallion hands out page 3 only (page 2 went with the dead process), so the
    # run is read again from the last complete one, and nothing is missing.
    report = pull_peer(interop.a.database, NODE_HOOKS, peer, timeout=20)
    assert (report.stored, report.refused) == (4, 0)
    assert _versions_on_a(interop, [o["id"] for o in sent]) == dict.fromkeys(
        [o["id"] for o in sent], 1
    )
    assert _cursor(interop) == ("", done["request_timestamp"])


def test_a_feed_names_its_own_author_which_author_maps_to_its_organisation(
    interop: Interop,
) -> None:
    # As OpenCTI's feeds do: the TLP marking, the author's identity, objects naming it.
    tlp = {"type": "marking-definition", "spec_version": "2.1", "id": TLP1_GREEN,
           "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp",
           "name": "TLP:GREEN", "definition": {"tlp": "green"}}  # fmt: skip
    feed = identity("Boreal CERT", identity_class="organization")
    theirs = indicator(1, created_by_ref=feed["id"], object_marking_refs=[TLP1_GREEN])
    other = indicator(2, created_by_ref=identity("Someone else")["id"])
    interop.medallion.post("feed", [tlp, feed, theirs, other])
    interop.link("feed", "--pull")
    assert "pulled 2 stored, 0 known, 2 refused" in interop.sync()  # theirs, other

    # Declared: the feed's identity stands for boreal (the peer registered again).
    credential = interop.credential_file()
    assert interop.run("peer", "remove", "medallion").exit_code == 0
    added = interop.run(
        "peer", "add", "medallion", "--url", interop.medallion.api_root_url, "--org", "boreal",
        "--speaks-for", "atlas", "--token-file", str(credential),
        "--auth", "basic", "--author", feed["id"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert feed["id"] in interop.run("peer", "show", "medallion").output
    interop.link("feed", "--pull")
    assert "pulled 1 stored, 2 known, 1 refused" in interop.sync()
    with interop.a.database.read() as conn:
        owners = owners_of(conn, [theirs["id"], other["id"]])
        boreal = conn.execute(
            select(organisations.c.id).where(organisations.c.name == "boreal")
        ).scalar_one()
    assert owners == {theirs["id"]: boreal}
    refused = interop.run("peer", "status", "medallion").output
    assert other["id"] in refused
    assert theirs["id"] not in refused


def test_an_author_may_not_be_another_organisation_of_this_node(interop: Interop) -> None:
    """--author maps a feed's identity to the peer's organisation, never to a local one:
    objects pulled under it would read as written by that organisation."""
    credential = interop.credential_file()
    assert interop.run("peer", "remove", "medallion").exit_code == 0
    added = interop.run(
        "peer", "add", "medallion", "--url", interop.medallion.api_root_url, "--org", "boreal",
        "--speaks-for", "atlas", "--token-file", str(credential),
        "--auth", "basic", "--author", organisation_identity_id("atlas"),
    )  # fmt: skip
    assert added.exit_code != 0
    assert "is organisation 'atlas' of this node" in added.output
    assert "Traceback" not in added.output
    assert "medallion" not in interop.run("peer", "list").output


@pytest.mark.parametrize("interop", [{"session_timeout": 1}], indirect=True)
def test_a_page_token_medallion_dropped_restarts_the_run(
    interop: Interop, monkeypatch: pytest.MonkeyPatch
) -> None:
    interop.link("feed", "--pull")
    sent = [indicator(i, created_by_ref=BOREAL, object_marking_refs=GREEN) for i in range(7)]
    interop.medallion.post("feed", sent)
    with interop.a.database.read() as conn:
        peer = find_peer(conn, "medallion")
    with monkeypatch.context() as patched:
        patched.setattr(pull_module, "_store", _dies_at_the_second_page(pull_module._store))
        with pytest.raises(KeyboardInterrupt):
            pull_peer(interop.a.database, NODE_HOOKS, peer, timeout=20)
    token = _cursor(interop)[0]
    # Bounded: medallion drops a token once a second past its timeout of 1 s.
    deadline = time.monotonic() + 15
    while not interop.medallion.token_expired("feed", token):
        assert time.monotonic() < deadline, "medallion kept the page token"
        time.sleep(0.2)

    # medallion answers 400 to the dropped token: the run starts again from the last
    # complete one (none yet), the first page comes back as known.
    report = pull_peer(interop.a.database, NODE_HOOKS, peer, timeout=20)
    assert (report.stored, report.known, report.refused) == (4, 3, 0)
    assert sum(_versions_on_a(interop, [o["id"] for o in sent]).values()) == 7


def test_a_pushes_exactly_what_may_leave_and_reads_the_status(interop: Interop) -> None:
    interop.link("out", "--push", "--pull")  # both ways, as docs/interop.md shows
    green = [indicator(i, object_marking_refs=GREEN) for i in range(2)]
    defaulted = indicator(2)  # the channel's default, TLP:AMBER: its producer must set one
    strict = indicator(3, object_marking_refs=[TLP2_IDS[Tlp.AMBER_STRICT]])  # boreal: member
    red = marked(indicator(4), Tlp.RED, ("anna",))  # anna is no user of boreal
    restricted = indicator(5, object_marking_refs=GREEN, extensions=H2)  # no grant
    pointing = {  # refers to the RED object: never "dependencies pulled along"
        "type": "relationship", "spec_version": "2.1", "id": stix_id("relationship"),
        "created": LATER, "modified": LATER, "relationship_type": "indicates",
        "source_ref": red["id"], "target_ref": green[0]["id"], "object_marking_refs": GREEN,
    }  # fmt: skip
    interop.store([*green, defaulted, strict, red, restricted, pointing])

    done = run_cli(interop.a.url, "sync", "--once", timeout=60)
    assert done.returncode == 0, done.stderr
    assert "3 accepted, 0 refused, 4 withheld, 0 pending" in done.stdout
    assert "pulled 0 stored, 3 known, 0 refused" in done.stdout  # ours, back: nothing new

    arrived = {o["id"]: o for o in interop.medallion.read_all("out")}
    assert set(arrived) == {o["id"] for o in [*green, strict]}
    assert {o["created_by_ref"] for o in arrived.values()} == {organisation_identity_id("atlas")}
    # The status named in A's ledger is medallion's, and it names what arrived.
    with interop.a.database.read() as conn:
        said = set(conn.execute(select(federation_ledger.c.status_id)).scalars())
    assert len(said) == 1
    status = interop.medallion.status(said.pop())
    assert (status["status"], status["success_count"], status["failure_count"]) == (
        "complete", 3, 0
    )  # fmt: skip
    assert {s["id"] for s in status["successes"]} == set(arrived)


@pytest.mark.parametrize("interop", [{"max_content_length": 1500}], indirect=True)
def test_an_envelope_medallion_finds_too_large_is_sent_in_parts(interop: Interop) -> None:
    interop.link("out", "--push")
    sent = [indicator(i, object_marking_refs=GREEN) for i in range(6)]  # ~2,600 bytes
    interop.store(sent)
    assert "6 accepted, 0 refused, 0 withheld, 0 pending" in interop.sync()
    assert sorted(o["id"] for o in interop.medallion.read_all("out")) == sorted(
        o["id"] for o in sent
    )
    with interop.a.database.read() as conn:
        statuses = set(conn.execute(select(federation_ledger.c.status_id)).scalars())
    assert len(statuses) > 1  # one status per part medallion took


def test_a_version_sent_again_is_accepted_and_retractions_reach_medallion(
    interop: Interop, monkeypatch: pytest.MonkeyPatch
) -> None:
    interop.link("out", "--push")
    kept, revoked, erased = (indicator(i, object_marking_refs=GREEN) for i in range(3))
    interop.store([kept, revoked, erased])
    with interop.a.database.read() as conn:
        peer = find_peer(conn, "medallion")

    def die(*_args: object) -> bool:
        raise KeyboardInterrupt  # as a kill between medallion's answer and our record

    with monkeypatch.context() as patched:
        patched.setattr(push_module, "_record", die)
        with pytest.raises(KeyboardInterrupt):
            push_peer(interop.a.database, peer, timeout=20)
    # medallion answers "Unable to process object" for a version it holds: still accepted.
    report = push_peer(interop.a.database, peer, timeout=20)
    assert (report.accepted, report.refused) == (3, 0)

    interop.store([{**revoked, "modified": LATER, "revoked": True}])
    interop.delete(erased["id"])
    out = interop.sync()
    assert "retractions 2 acknowledged, 0 refused, 0 deferred" in out
    held = Counter((o["id"], o.get("revoked", False)) for o in interop.medallion.read_all("out"))
    assert held == {(kept["id"], False): 1, (revoked["id"], False): 1, (revoked["id"], True): 1}


def test_the_basic_credential_stays_in_its_file(
    interop: Interop, caplog: pytest.LogCaptureFixture
) -> None:
    interop.link("feed", "--pull")
    interop.medallion.post("feed", [indicator(1, created_by_ref=BOREAL)])
    outputs = [
        interop.sync(),
        interop.run("peer", "show", "medallion").output,
        interop.run("peer", "list", "--json").output,
        interop.run("peer", "status").output,
    ]
    assert "auth        basic" in outputs[1]
    with interop.a.database.read() as conn:
        dumped = [
            str(v) for t in metadata.sorted_tables for r in conn.execute(t.select()) for v in r
        ]
    encoded = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    leaks = [t for t in [*outputs, caplog.text, *dumped] if PASSWORD in t or encoded in t]
    assert leaks == []

    # A wrong password is one line, naming the file to fix.
    interop.credential_file().write_text(f"{USER}:wrong\n")
    result = interop.run("sync", "--once")
    assert result.exit_code == 1
    assert result.output.strip().endswith(
        "HTTP 401: the peer does not accept our token (see the peer's --token-file)"
    )


def test_lookups_and_rfis_asked_of_medallion_say_it_takes_none(interop: Interop) -> None:
    asked = interop.run("--purpose", "case 12", "lookup", "10.0.0.1", "--federated", user="anna")
    assert asked.exit_code == 0, asked.output
    assert asked.output.strip() == (
        "peer 'medallion' (boreal): error: HTTP 404: no Passerelle API there: a plain TAXII "
        "2.1 server (medallion, OpenCTI) takes no look-ups nor RFIs"
    )
    sent = interop.run("rfi", "send", "--to", "boreal", "--purpose", "who is he",
                       "--urgency", "normal", "--json", user="anna")  # fmt: skip
    rfi_id = json.loads(sent.output)["id"]
    assert "RFIs 0 forwarded, 1 refused" in interop.sync()
    shown = json.loads(interop.run("rfi", "show", rfi_id, "--json", user="anna").output)
    assert shown["state"] == "refused"
    assert shown["reason"].startswith("boreal's node refused it: no Passerelle API there")
