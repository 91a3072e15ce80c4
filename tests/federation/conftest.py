"""Fixtures of the federation tests: node A (always SQLite) and node B (each backend in
turn, so one node of the topology is on PostgreSQL), with B registered as A's peer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

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


@contextmanager
def _topology(
    database_url: str,
    template: Path,
    tmp: Path,
    key_file: Path,
    tls: tuple[Path, ...] = (),
    b_env: dict[str, str] | None = None,
) -> Iterator[Topology]:
    a = build_a(sqlite_copy(template, tmp / "a.db"), key_file)
    b = build_b(database_url, key_file)
    token_file = tmp / "boreal.token"
    token_file.write_text(b.tokens["atlas-node"] + "\n")
    token_file.chmod(0o600)
    (tmp / "b-logs").mkdir()
    run_a = cli_runner(a.url)
    serve_args = ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])] if tls else []
    ca_args = ["--ca-file", str(tls[2])] if tls else []
    with LiveServer(b.url, tmp / "b-logs", env=b_env, serve_args=serve_args) as b_server:
        added = run_a(
            "peer", "add", "boreal", "--url", b_server.api_root_url, "--org", "boreal",
            "--speaks-for", "atlas", "--token-file", str(token_file), *ca_args,
        )  # fmt: skip
        assert added.exit_code == 0, added.output
        yield Topology(a, b, b_server, run_a, token_file, tmp)
    a.database.dispose()
    b.database.dispose()


@pytest.fixture
def topology(
    database_url: str, sqlite_template: Path, tmp_path: Path, audit_key_file: Path
) -> Iterator[Topology]:
    """A and B built, B serving, B registered on A as peer ``boreal`` (no link yet)."""
    with _topology(database_url, sqlite_template, tmp_path, audit_key_file) as made:
        yield made


@pytest.fixture
def tls_topology(
    database_url: str, sqlite_template: Path, tmp_path: Path, audit_key_file: Path
) -> Iterator[Topology]:
    """The same, B serving HTTPS with a certificate of a CA made by trustme, which A's
    peer ``boreal`` trusts (``--ca-file``)."""
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1")
    cert, key, ca_file = tmp_path / "b-cert.pem", tmp_path / "b-key.pem", tmp_path / "ca.pem"
    issued.private_key_pem.write_to_path(str(key))
    for blob in issued.cert_chain_pems:
        blob.write_to_path(str(cert), append=True)
    ca.cert_pem.write_to_path(str(ca_file))
    tls = (cert, key, ca_file)
    with _topology(database_url, sqlite_template, tmp_path, audit_key_file, tls) as made:
        yield made


@pytest.fixture
def small_topology(
    database_url: str, sqlite_template: Path, tmp_path: Path, audit_key_file: Path
) -> Iterator[Topology]:
    """The same, B taking add-objects requests of 4,000 bytes at most."""
    env = {"PASSERELLE_MAX_CONTENT_LENGTH": "4000"}
    with _topology(database_url, sqlite_template, tmp_path, audit_key_file, b_env=env) as made:
        yield made
