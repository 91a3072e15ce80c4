"""Operating federation: the sync loop inside ``passerelle serve`` (its interval a
setting, off at 0) pushes without anyone running ``sync`` and stops with the server;
``peer status`` shows the lag; ``sync`` shows progress on a terminal."""

from __future__ import annotations

import io
import json
import signal
import time

import pytest

from passerelle.cli.federation import Progress
from passerelle.durations import SECOND
from passerelle.errors import BadInput
from passerelle.settings import Settings
from passerelle.stix.markings import TLP2_IDS, Tlp
from tests.federation.conftest import Topology
from tests.federation.support import post, read_all
from tests.live_server import LiveServer
from tests.stixgen import indicator

_WAIT = 90.0


def _status(topology: Topology) -> dict[str, object]:
    result = topology.run_a("peer", "status", "--json")
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.output)
    return rows[0]


def test_the_loop_inside_serve_pushes_and_stops_with_the_server(topology: Topology) -> None:
    topology.link("ab", "--push")
    refused = topology.run_a("serve", "--sync-interval", "soon")
    assert refused.exit_code != 0
    assert "not a duration" in refused.output
    green = [TLP2_IDS[Tlp.GREEN]]
    sent = [indicator(i, object_marking_refs=green) for i in range(3)]
    remote = topology.b.channels["ab"].collection_id
    (topology.tmp / "a-logs").mkdir()
    with LiveServer(
        topology.a.url, topology.tmp / "a-logs", serve_args=["--sync-interval", "1s"]
    ) as a_server:
        post(a_server, topology.a.tokens["anna"], topology.a.channels["ab"].collection_id, sent)
        deadline = time.monotonic() + _WAIT
        arrived: set[str] = set()
        while time.monotonic() < deadline and arrived != {o["id"] for o in sent}:
            time.sleep(0.3)
            arrived = {o["id"] for o in read_all(topology.b_server, topology.b.tokens["bella"],
                                                 remote)}  # fmt: skip
        assert arrived == {o["id"] for o in sent}
        status = _status(topology)
        assert status["last_success"] != "never"
        assert (status["sent"], status["lag_seconds"]) == (3, 0)
        process = a_server.process
        assert process is not None
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        logged = a_server.stderr()
    assert "federation sync loop started" in logged
    assert "federation sync loop stopped" in logged


def test_a_write_in_a_pushed_channel_rings_the_loop(topology: Topology) -> None:
    """With an interval of an hour, only the ring of the write can push what anna stores
    after the loop's first pass (the loop pushes soon after a commit, not at the interval)."""
    topology.link("ab", "--push")
    remote = topology.b.channels["ab"].collection_id
    (topology.tmp / "a-logs").mkdir()
    with LiveServer(
        topology.a.url, topology.tmp / "a-logs", serve_args=["--sync-interval", "1h"]
    ) as a_server:
        deadline = time.monotonic() + _WAIT
        while time.monotonic() < deadline and _status(topology)["last_success"] == "never":
            time.sleep(0.3)  # the first pass, at the start, found nothing to send
        sent = [indicator(10 + i, object_marking_refs=[TLP2_IDS[Tlp.GREEN]]) for i in range(2)]
        post(a_server, topology.a.tokens["anna"], topology.a.channels["ab"].collection_id, sent)
        arrived: set[str] = set()
        while time.monotonic() < deadline and arrived != {o["id"] for o in sent}:
            time.sleep(0.3)
            arrived = {o["id"] for o in read_all(topology.b_server, topology.b.tokens["bella"],
                                                 remote)}  # fmt: skip
        assert arrived == {o["id"] for o in sent}


def test_the_sync_interval_is_a_typed_setting() -> None:
    assert Settings().sync_interval == 0
    assert Settings.from_env(env={"PASSERELLE_SYNC_INTERVAL": "30s"}).sync_interval == 30 * SECOND
    assert Settings.from_env(env={"PASSERELLE_SYNC_INTERVAL": "0"}).sync_interval == 0
    with pytest.raises(BadInput):
        Settings.from_env(env={"PASSERELLE_SYNC_INTERVAL": "often"})
    # The workers of ``serve --workers N`` never run a loop of their own.
    running = Settings(sync_interval=30 * SECOND)
    assert Settings.from_env(env=running.worker_environment()).sync_interval == 0


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_sync_shows_progress_only_on_a_terminal() -> None:
    shown = Progress(_Terminal(), after=0)
    shown.update("boreal", 200, 0)
    shown.update("boreal", 400, 500)
    shown.close()
    text = shown._stream.getvalue()  # type: ignore[attr-defined]
    assert "peer 'boreal': 400 sent, 500 received" in text
    assert text.endswith("\r\x1b[K")
    piped = io.StringIO()
    quiet = Progress(piped, after=0)
    quiet.update("boreal", 200, 0)
    quiet.close()
    assert not quiet.on
    assert piped.getvalue() == ""
