"""Three real nodes, each serving HTTPS (a CA made by trustme), for the tests that need a
third: Atlas's node A and Cobalt's node C on SQLite, Boreal's node B on each backend in
turn (PostgreSQL in the second run).

Every node knows the three organisations. Channels and accounts:

- A: anna (atlas liaison); ``ab`` (atlas, boreal) where B's tips arrive and B pulls the
  feedback from; ``ac`` (atlas, cobalt) and ``abc`` (the three) where C's records arrive;
  ``af`` (atlas, boreal), pushed to B's ``abc``; the node accounts boreal-node and
  cobalt-node.
- B: bella (boreal liaison); ``ab`` (atlas, boreal), pushed to A's ``ab`` and pulled from
  it; ``abc`` (atlas, boreal, cobalt), where A's objects arrive, pushed to C's ``bc``; the
  node account atlas-node; ``bx``, boreal's own.
- C: cora (cobalt liaison); ``bc`` (boreal, cobalt) where B forwards; ``ca`` (cobalt,
  atlas) and ``cab`` (the three), pushed to A's ``ac`` and ``abc``; the node account
  boreal-node.

Peers: B's ``atlas`` (speaks for boreal) and ``cobalt`` (speaks for boreal), A's
``boreal`` (speaks for atlas), C's ``atlas`` (speaks for cobalt).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import trustme
from click.testing import CliRunner, Result

from passerelle.audit.key import use_audit_key
from passerelle.cli import cli
from passerelle.policy import directory
from passerelle.policy.directory import Membership
from passerelle.policy.roles import Role
from passerelle.store.database import open_database
from tests.federation.support import NodeDb
from tests.live_server import LiveServer

ORGS = ("atlas", "boreal", "cobalt")
CHANNELS = {
    "a": {
        "ab": ("atlas", "boreal"),
        "ac": ("atlas", "cobalt"),
        "af": ("atlas", "boreal"),
        "abc": ("atlas", "boreal", "cobalt"),
    },
    "b": {"ab": ("atlas", "boreal"), "abc": ("atlas", "boreal", "cobalt"), "bx": ("boreal",)},
    "c": {
        "bc": ("boreal", "cobalt"),
        "ca": ("cobalt", "atlas"),
        "cab": ("cobalt", "atlas", "boreal"),
    },
}
USERS = {
    "a": {"anna": ("atlas", Role.LIAISON), "bella": ("boreal", Role.LIAISON),
          "boreal-node": ("boreal", Role.NODE), "cobalt-node": ("cobalt", Role.NODE)},
    "b": {"bella": ("boreal", Role.LIAISON), "atlas-node": ("atlas", Role.NODE)},
    "c": {"cora": ("cobalt", Role.LIAISON), "boreal-node": ("boreal", Role.NODE)},
}  # fmt: skip


@dataclass
class Node:
    """One node: its database, its server, and its command line (as a user of it)."""

    name: str
    db: NodeDb
    server: LiveServer
    key_file: Path
    ca_file: Path

    def run(self, *args: str, user: str | None = None) -> Result:
        """Run ``passerelle ARGS`` against this node's database, as ``user``."""
        env = {
            "PASSERELLE_DB": self.db.url,
            "PASSERELLE_USER": user or "",
            "PASSERELLE_AUDIT_KEY_FILE": str(self.key_file),
        }
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    def ok(self, *args: str, user: str | None = None) -> str:
        """Run a command that must succeed; return its output."""
        result = self.run(*args, user=user)
        assert result.exit_code == 0, result.output
        return result.output

    def collection(self, channel: str) -> str:
        """Return the TAXII collection id of a channel of this node."""
        return self.db.channels[channel].collection_id


@dataclass
class ThreeNodes:
    """Nodes A, B and C, serving, with their peers registered (no links yet)."""

    a: Node
    b: Node
    c: Node
    ca_file: Path
    tmp: Path
    tokens: dict[str, Path] = field(default_factory=dict)

    def link(self, node: Node, peer: str, channel: str, far: Node, collection: str,
             *ways: str) -> None:  # fmt: skip
        """Link a channel of ``node`` to a collection of ``far`` through peer ``peer``."""
        node.ok("peer", "link", peer, "--channel", channel, "--remote-collection",
                far.collection(collection), *ways)  # fmt: skip


def _build(name: str, url: str, key_file: Path) -> NodeDb:
    node = NodeDb(url, open_database(url))
    use_audit_key(node.database, key_file)
    with node.database.write() as conn:
        for org in ORGS:
            directory.add_organisation(conn, org)
        for user, (org, role) in USERS[name].items():
            node.tokens[user] = directory.add_user(conn, org, user, role)
        for title, orgs in CHANNELS[name].items():
            members = [Membership(org, True, True) for org in orgs]
            node.channels[title] = directory.add_channel(conn, title, members, alias=title)
    return node


def _certificate(tmp: Path) -> tuple[Path, Path, Path]:
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1")
    cert, key, ca_file = tmp / "cert.pem", tmp / "key.pem", tmp / "ca.pem"
    issued.private_key_pem.write_to_path(str(key))
    for blob in issued.cert_chain_pems:
        blob.write_to_path(str(cert), append=True)
    ca.cert_pem.write_to_path(str(ca_file))
    return cert, key, ca_file


def _token_file(tmp: Path, name: str, token: str) -> Path:
    path = tmp / f"{name}.token"
    path.write_text(token + "\n")
    path.chmod(0o600)
    return path


# (node, peer name, its organisation, speaks for, far node, far account)
PEERS = (
    ("b", "atlas", "atlas", "boreal", "a", "boreal-node"),
    ("b", "cobalt", "cobalt", "boreal", "c", "boreal-node"),
    ("a", "boreal", "boreal", "atlas", "b", "atlas-node"),
    ("c", "atlas", "atlas", "cobalt", "a", "cobalt-node"),
)


@contextmanager
def three_nodes(urls: dict[str, str], tmp: Path) -> Iterator[ThreeNodes]:
    """Build A, B and C over these database URLs, start their servers and register the
    peers; stop the servers at the end."""
    key_file = tmp / "audit" / "node.audit-key"
    key_file.parent.mkdir()
    cert, key, ca_file = _certificate(tmp)
    serve = ["--tls-cert", str(cert), "--tls-key", str(key)]
    env = {"PASSERELLE_AUDIT_KEY_FILE": str(key_file)}
    dbs = {name: _build(name, url, key_file) for name, url in urls.items()}
    with ExitStack() as stack:
        servers = {}
        for name, db in dbs.items():
            (tmp / f"{name}-logs").mkdir()
            servers[name] = LiveServer(db.url, tmp / f"{name}-logs", env=env, serve_args=serve)
            stack.callback(servers[name].stop)
        # Started side by side: a start waits on the process, not on this one.
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(LiveServer.start, servers.values()))
        nodes = {n: Node(n, dbs[n], servers[n], key_file, ca_file) for n in dbs}
        made = ThreeNodes(nodes["a"], nodes["b"], nodes["c"], ca_file, tmp)
        for at, peer, org, speaks_for, far, account in PEERS:
            token = _token_file(tmp, f"{at}-{peer}", dbs[far].tokens[account])
            nodes[at].ok("peer", "add", peer, "--url", nodes[far].server.api_root_url,
                         "--org", org, "--speaks-for", speaks_for, "--token-file", str(token),
                         "--ca-file", str(ca_file))  # fmt: skip
        yield made
    for db in dbs.values():
        db.database.dispose()
