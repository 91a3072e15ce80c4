"""Status polling (TAXII 2.1 section 4.3): a peer that answers add-objects ``pending``, as
a server that ingests in the background does (medallion answers ``complete`` at once, so
its tests never poll), is asked ``GET {api-root}status/{id}/`` until it is complete; one
still pending after the last poll leaves its versions pending, sent again next pass."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from passerelle.federation import transport
from passerelle.objects.ingest import ingest
from passerelle.policy.directory import viewer_by_name
from passerelle.stix.markings import TLP2_IDS, Tlp
from tests.cli_runner import Run, cli_runner
from tests.federation.support import NodeDb, build_a
from tests.live_server import HOST
from tests.stixgen import indicator
from tests.world import NODE_HOOKS


@dataclass
class Background:
    """What the peer does: how many polls a status stays pending, and what it was asked."""

    pending_polls: int = 2
    posted: list[dict[str, Any]] = field(default_factory=list)
    polled: list[str] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: object) -> None:
        """Quiet."""

    @property
    def _peer(self) -> Background:
        peer: Background = self.server.peer  # type: ignore[attr-defined]
        return peer

    def do_POST(self) -> None:
        envelope = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self._peer.posted += envelope["objects"]
        self._status(202, "status-1")

    def do_GET(self) -> None:
        self._peer.polled.append(self.path)
        self._status(200, self.path.rstrip("/").rsplit("/", 1)[-1])

    def _status(self, code: int, status_id: str) -> None:
        peer = self._peer
        versions = [{"id": o["id"], "version": o["modified"]} for o in peer.posted]
        done = len(peer.polled) >= peer.pending_polls
        status = {
            "id": status_id, "status": "complete" if done else "pending",
            "total_count": len(versions), "success_count": len(versions) if done else 0,
            "failure_count": 0, "pending_count": 0 if done else len(versions),
            "successes" if done else "pendings": versions,
        }  # fmt: skip
        body = json.dumps(status).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/taxii+json;version=2.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@dataclass
class Polled:
    a: NodeDb
    peer: Background
    run: Run


@pytest.fixture
def polled(database_url: str, audit_key_file: Path, tmp_path: Path) -> Iterator[Polled]:
    a = build_a(database_url, audit_key_file)
    token = tmp_path / "slow.token"
    token.write_text("token-of-atlas-node\n")
    peer = Background()
    server = ThreadingHTTPServer((HOST, 0), _Handler)
    server.peer = peer  # type: ignore[attr-defined]
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    run = cli_runner(database_url)
    url = f"http://{HOST}:{server.server_address[1]}/api1/"
    try:
        added = run("peer", "add", "slow", "--url", url, "--org", "boreal",
                    "--speaks-for", "atlas", "--token-file", str(token))  # fmt: skip
        assert added.exit_code == 0, added.output
        linked = run("peer", "link", "slow", "--channel", "ab", "--remote-collection", "c1",
                     "--push")  # fmt: skip
        assert linked.exit_code == 0, linked.output
        with a.database.read() as conn:
            anna = viewer_by_name(conn, "anna")
        sent = [indicator(i, object_marking_refs=[TLP2_IDS[Tlp.GREEN]]) for i in range(2)]
        assert not ingest(a.database, NODE_HOOKS, anna, a.channels["ab"], sent).failures
        yield Polled(a, peer, run)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        a.database.dispose()


def test_a_pending_status_is_polled_until_complete(
    polled: Polled, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "_POLL_PAUSE", 0.01)
    result = polled.run("sync", "--once")
    assert result.exit_code == 0, result.output
    assert "2 accepted, 0 refused, 0 withheld, 0 pending" in result.output
    assert polled.peer.polled == ["/api1/status/status-1/"] * 2


def test_a_status_still_pending_leaves_the_versions_to_send_again(
    polled: Polled, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "_POLL_PAUSE", 0.01)
    monkeypatch.setattr(transport, "_STATUS_POLLS", 1)
    first = polled.run("sync", "--once")
    assert "0 accepted, 0 refused, 0 withheld, 2 pending" in first.output
    shown = json.loads(polled.run("peer", "status", "slow", "--json").output)[0]
    assert (shown["pending"], shown["sent"]) == (2, 0)
    # The next pass sends them again; the peer, done by then, names them accepted.
    second = polled.run("sync", "--once")
    assert "2 accepted, 0 refused, 0 withheld, 0 pending" in second.output
    assert len(polled.peer.posted) == 4
