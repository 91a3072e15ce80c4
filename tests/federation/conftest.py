"""Fixtures of the federation tests: node A (always SQLite) and node B (each backend in
turn, so one node of the topology is on PostgreSQL), with B registered as A's peer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli_runner import Run, cli_runner
from tests.federation.support import NodeDb, build_a, build_b, sqlite_copy
from tests.live_server import LiveServer


@dataclass
class Topology:
    """Node A's database, node B's database and running server, A's CLI and token file."""

    a: NodeDb
    b: NodeDb
    b_server: LiveServer
    run_a: Run
    token_file: Path
    tmp: Path

    def link(self, channel: str, *ways: str) -> None:
        """Link a channel of A to B's collection ``ab``."""
        remote = self.b.channels["ab"].collection_id
        result = self.run_a(
            "peer", "link", "boreal", "--channel", channel, "--remote-collection", remote, *ways
        )
        assert result.exit_code == 0, result.output


@pytest.fixture
def topology(
    database_url: str, sqlite_template: Path, tmp_path: Path, audit_key_file: Path
) -> Iterator[Topology]:
    """A and B built, B serving, B registered on A as peer ``boreal`` (no link yet)."""
    a = build_a(sqlite_copy(sqlite_template, tmp_path / "a.db"), audit_key_file)
    b = build_b(database_url, audit_key_file)
    token_file = tmp_path / "boreal.token"
    token_file.write_text(b.tokens["atlas-node"] + "\n")
    token_file.chmod(0o600)
    (tmp_path / "b-logs").mkdir()
    run_a = cli_runner(a.url)
    with LiveServer(b.url, tmp_path / "b-logs") as b_server:
        added = run_a(
            "peer", "add", "boreal", "--url", b_server.api_root_url, "--org", "boreal",
            "--speaks-for", "atlas", "--token-file", str(token_file),
        )  # fmt: skip
        assert added.exit_code == 0, added.output
        yield Topology(a, b, b_server, run_a, token_file, tmp_path)
    a.database.dispose()
    b.database.dispose()
