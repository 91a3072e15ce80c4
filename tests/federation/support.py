"""Two real nodes for federation tests: Atlas's node A and Boreal's node B.

Both nodes know both organisations. On A, channel ``ab`` joins atlas and boreal (boreal a
member), ``ac`` joins atlas and cert (boreal a declared client of cert, so a client there)
and ``ax`` is atlas's alone (boreal neither member nor client). On B,
channel ``ab`` joins atlas and boreal, and ``atlas-node`` is atlas's node account there.
"""

from __future__ import annotations

import shutil
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from passerelle.audit.key import use_audit_key
from passerelle.policy import directory
from passerelle.policy.directory import Channel, Membership
from passerelle.policy.roles import Role
from passerelle.store.database import Database, open_database
from tests.live_server import LiveServer

TAXII = "application/taxii+json;version=2.1"


@dataclass
class NodeDb:
    """One node's database, its users' tokens and its channels."""

    url: str
    database: Database
    tokens: dict[str, str] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)


def sqlite_copy(template: Path, path: Path) -> str:
    """Return the URL of a fresh migrated SQLite database at ``path``."""
    shutil.copy(template, path)
    return f"sqlite:///{path}"


def _open(url: str, key_file: Path) -> Database:
    database = open_database(url)
    use_audit_key(database, key_file)
    return database


def build_a(url: str, key_file: Path) -> NodeDb:
    """Atlas's node: anna (atlas liaison), bella (boreal), carl (cert), boreal's node
    account boreal-node (what is pulled from B is written as it), three channels."""
    node = NodeDb(url, _open(url, key_file))
    with node.database.write() as conn:
        for org in ("atlas", "boreal", "cert"):
            directory.add_organisation(conn, org)
        for org, user in (("atlas", "anna"), ("boreal", "bella"), ("cert", "carl")):
            node.tokens[user] = directory.add_user(conn, org, user, Role.LIAISON)
        node.tokens["boreal-node"] = directory.add_user(conn, "boreal", "boreal-node", Role.NODE)
        directory.add_client(conn, "cert", "boreal")
        rw = Membership
        specs = {
            "ab": [rw("atlas", True, True), rw("boreal", True, True)],
            "ac": [rw("atlas", True, True), rw("cert", True, False)],
            "ax": [rw("atlas", True, True)],
        }
        for title, members in specs.items():
            node.channels[title] = directory.add_channel(conn, title, members, alias=title)
    return node


def build_b(url: str, key_file: Path) -> NodeDb:
    """Boreal's node: bella (boreal liaison), anna (atlas), atlas-node (atlas's node
    account, A's token here), channel ab."""
    node = NodeDb(url, _open(url, key_file))
    with node.database.write() as conn:
        for org in ("atlas", "boreal"):
            directory.add_organisation(conn, org)
        node.tokens["bella"] = directory.add_user(conn, "boreal", "bella", Role.LIAISON)
        node.tokens["anna"] = directory.add_user(conn, "atlas", "anna", Role.LIAISON)
        node.tokens["atlas-node"] = directory.add_user(conn, "atlas", "atlas-node", Role.NODE)
        members = [Membership("atlas", True, True), Membership("boreal", True, True)]
        node.channels["ab"] = directory.add_channel(conn, "ab", members, alias="ab")
    return node


def read_all(
    server: LiveServer, token: str, collection: str, ca_file: Path | None = None
) -> list[dict[str, Any]]:
    """Return every version of every object a user sees in a collection, following next."""
    return read_with_withheld(server, token, collection, ca_file)[0]


def read_with_withheld(
    server: LiveServer, token: str, collection: str, ca_file: Path | None = None
) -> tuple[list[dict[str, Any]], set[str]]:
    """Return every version a user sees in a collection, and the ids withheld from them
    until they acknowledge an H3 restriction (the node names them in a header)."""
    found: list[dict[str, Any]] = []
    withheld: set[str] = set()
    params: dict[str, str] = {"match[version]": "all", "limit": "500"}
    url = f"{server.api_root_url}collections/{collection}/objects/"
    headers = {"Accept": TAXII, "Authorization": f"Bearer {token}"}
    verify = ssl.create_default_context(cafile=str(ca_file)) if ca_file else True
    with httpx2.Client(trust_env=False, timeout=20, verify=verify) as client:
        for _page in range(100):
            answer = client.get(url, params=params, headers=headers)
            assert answer.status_code == 200, answer.text
            page = answer.json()
            found += page.get("objects", [])
            named = answer.headers.get("X-Passerelle-Withheld", "")
            withheld |= {i for i in named.split(",") if i}
            if not page.get("more"):
                return found, withheld
            params["next"] = page["next"]
    raise AssertionError("more than 100 pages")


def post(server: LiveServer, token: str, collection: str, objects: list[dict[str, Any]]) -> None:
    """POST objects to a collection of a live node and check every one was accepted."""
    url = f"{server.api_root_url}collections/{collection}/objects/"
    headers = {"Accept": TAXII, "Content-Type": TAXII, "Authorization": f"Bearer {token}"}
    with httpx2.Client(trust_env=False, timeout=20) as client:
        answer = client.post(url, json={"objects": objects}, headers=headers)
    assert answer.status_code == 202, answer.text
    status = answer.json()
    assert status["success_count"] == len(objects), status
