"""The register of peers: other nodes, the organisation each speaks for, and which local
channel maps to which of their collections.

A peer's outgoing credential is never stored, printed or logged: the register keeps the
path of the file that holds it, read only when something is sent, and how it is sent
(``bearer``: a token, as a Passerelle node takes it; ``basic``: ``USER:PASSWORD``, as
medallion and other plain TAXII 2.1 servers take it).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Row, Select, delete, or_, select

from passerelle.errors import BadInput, Conflict, NotFound
from passerelle.federation import outbox
from passerelle.objects.leaving import versions_that_may_be_offered
from passerelle.policy.departure import PeerAudience
from passerelle.policy.directory import (
    Channel,
    channel_row_to_channel,
    find_organisation,
    viewer_by_id,
)
from passerelle.policy.naming import checked_name, name_key
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.stix.organisations import organisation_identity_id
from passerelle.store.federation_tables import (
    federation_ledger,
    federation_outbox,
    federation_retractions,
    federation_rfis,
    peer_cursors,
    peer_links,
    peer_refusals,
    peers,
)
from passerelle.store.schema import channels, organisations, users


@dataclass(frozen=True)
class Peer:
    """A registered peer (never its token)."""

    id: int
    name: str
    url: str
    org_id: int
    org_name: str
    speaks_for_org_id: int
    speaks_for: str
    token_file: str
    ca_file: str | None
    last_success: int | None
    last_error: str
    auth: str = "bearer"
    # Identity ids that stand for the peer's organisation in what it sends (--author).
    authors: tuple[str, ...] = ()


# How a peer's credential file is sent: a token (Authorization: Bearer) or USER:PASSWORD
# (Authorization: Basic, RFC 7617).
BEARER = "bearer"
BASIC = "basic"
AUTH_SCHEMES = (BEARER, BASIC)
_IDENTITY_ID = re.compile(r"identity--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Link:
    """A local channel mapped to a collection of a peer."""

    id: int
    peer_id: int
    channel_id: int
    channel_title: str
    remote_collection: str
    push: bool
    pull: bool
    # Versions the channel held that linking queued for the peer (``link_peer`` only).
    queued: int = 0


def checked_url(url: str) -> str:
    """Return a peer's TAXII API root URL ending in '/', or refuse it in one line."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"bad URL {url[:100]!r}: give the peer's API root, http(s)://HOST/...")
    if parts.query or parts.fragment:
        raise BadInput(f"bad URL {url[:100]!r}: no query or fragment in an API root")
    if parts.username is not None or parts.password is not None:
        # Never echoed: the URL is kept in the database and printed by peer list.
        raise BadInput(
            "bad URL: no user or password in it (put USER:PASSWORD in the --token-file "
            "and give --auth basic)"
        )
    text = parts.geturl()
    return text if text.endswith("/") else text + "/"


def read_token(token_file: str) -> str:
    """Return the token held in a file (first line), or refuse in one line naming the file."""
    try:
        token = Path(token_file).read_text(encoding="utf-8").strip().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "unreadable"
        raise BadInput(f"cannot read token file {token_file!r}: {reason}") from None
    if not token or not token[0].strip():
        raise BadInput(f"token file {token_file!r} is empty")
    return token[0].strip()


def authorization(peer: Peer) -> str:
    """Return the Authorization header our node account sends to a peer, read from its
    credential file now (never kept)."""
    credential = read_token(peer.token_file)
    if peer.auth != BASIC:
        return f"Bearer {credential}"
    _checked_basic(credential, peer.token_file)
    return "Basic " + base64.b64encode(credential.encode()).decode("ascii")


def _checked_basic(credential: str, token_file: str) -> None:
    user, colon, _password = credential.partition(":")
    if not (user and colon):
        raise BadInput(f"token file {token_file!r} holds no USER:PASSWORD (--auth basic)")


def _check_authors(conn: Connection, authors: Sequence[str], org_name: str) -> None:
    """An author a peer may name is never another organisation of this node: objects
    pulled under it would read as that organisation's own."""
    others = {
        organisation_identity_id(name): name
        for name in conn.execute(select(organisations.c.name)).scalars()
        if name != org_name
    }
    for author in authors:
        if author in others:
            raise BadInput(
                f"--author {author} is organisation {others[author]!r} of this node: "
                "a peer may not write as it"
            )


def _readable_file(path: str, what: str) -> str:
    resolved = Path(path).expanduser().absolute()
    if not resolved.is_file():
        raise BadInput(f"cannot read {what} {path!r}: no such file")
    return str(resolved)


def add_peer(
    conn: Connection,
    name: str,
    url: str,
    org_name: str,
    speaks_for: str,
    token_file: str,
    ca_file: str | None,
    now: int,
    auth: str = BEARER,
    authors: Sequence[str] = (),
) -> Peer:
    """Register a peer; its token file must be readable now (its content is not kept).
    ``authors``: identity ids that stand for ``org_name`` in what the peer sends."""
    name = checked_name(name, "a peer's name")
    if name_key(name) in {name_key(n) for n in conn.execute(select(peers.c.name)).scalars()}:
        raise Conflict(f"peer {name!r} already exists")
    if auth not in AUTH_SCHEMES:
        raise BadInput(f"bad --auth {auth[:20]!r}: give one of {', '.join(AUTH_SCHEMES)}")
    token_path = _readable_file(token_file, "token file")
    credential = read_token(token_path)
    if auth == BASIC:
        _checked_basic(credential, token_path)
    ca_path = _readable_file(ca_file, "CA file") if ca_file else None
    for author in authors:
        if not _IDENTITY_ID.fullmatch(author):
            raise BadInput(f"bad --author {author[:80]!r}: give a STIX identity id, identity--UUID")
    org = find_organisation(conn, org_name)
    local = find_organisation(conn, speaks_for)
    _check_authors(conn, authors, org.name)
    if org.id == local.id:
        raise BadInput("a peer speaks for another organisation than the one it receives from")
    conn.execute(
        peers.insert().values(
            name=name,
            url=checked_url(url),
            org_id=org.id,
            speaks_for_org_id=local.id,
            token_file=token_path,
            auth=auth,
            authors=",".join(sorted(set(authors))),
            ca_file=ca_path,
            created=now,
        )
    )
    return find_peer(conn, name)


def _peer_query() -> Select[Any]:
    org = organisations.alias("peer_org")
    local = organisations.alias("local_org")
    return (
        select(peers, org.c.name.label("org_name"), local.c.name.label("speaks_for"))
        .join(org, org.c.id == peers.c.org_id)
        .join(local, local.c.id == peers.c.speaks_for_org_id)
        .order_by(peers.c.name)
    )


def list_peers(conn: Connection) -> list[Peer]:
    """Return every registered peer, by name."""
    query = _peer_query()
    return [_peer(row) for row in conn.execute(query)]


def find_peer(conn: Connection, name: str) -> Peer:
    """Return the peer with this name, or refuse in one line."""
    for peer in list_peers(conn):
        if name_key(peer.name) == name_key(name):
            return peer
    raise NotFound(f"no peer named {name[:80]!r}")


def _peer(row: Row[Any]) -> Peer:
    r = row._mapping
    return Peer(
        r["id"], r["name"], r["url"], r["org_id"], r["org_name"], r["speaks_for_org_id"],
        r["speaks_for"], r["token_file"], r["ca_file"], r["last_success"], r["last_error"],
        r["auth"], tuple(a for a in r["authors"].split(",") if a),
    )  # fmt: skip


def remove_peer(conn: Connection, name: str) -> None:
    """Forget a peer with its links, outbox, ledger, retractions, cursors, refusals and the
    record of the RFIs it carried (the RFIs stay, as they stand)."""
    peer = find_peer(conn, name)
    link_ids = select(peer_links.c.id).where(peer_links.c.peer_id == peer.id)
    conn.execute(delete(federation_outbox).where(federation_outbox.c.link_id.in_(link_ids)))
    conn.execute(delete(federation_ledger).where(federation_ledger.c.peer_id == peer.id))
    conn.execute(delete(federation_retractions).where(federation_retractions.c.peer_id == peer.id))
    conn.execute(delete(peer_refusals).where(peer_refusals.c.peer_id == peer.id))
    conn.execute(delete(federation_rfis).where(federation_rfis.c.peer_id == peer.id))
    conn.execute(delete(peer_cursors).where(peer_cursors.c.link_id.in_(link_ids)))
    conn.execute(delete(peer_links).where(peer_links.c.peer_id == peer.id))
    conn.execute(delete(peers).where(peers.c.id == peer.id))


def find_channel(conn: Connection, reference: str) -> Channel:
    """Return a local channel by title, alias or collection id (for the administrator)."""
    row = conn.execute(
        select(channels).where(
            or_(
                channels.c.title == reference,
                channels.c.alias == reference,
                channels.c.collection_id == reference,
            )
        )
    ).first()
    if row is None:
        raise NotFound(f"no channel {reference[:80]!r}")
    return channel_row_to_channel(row)


def link_peer(
    conn: Connection,
    name: str,
    channel_ref: str,
    remote_collection: str,
    push: bool,
    pull: bool,
    now: int,
    progress: Callable[[int, int], None] | None = None,
) -> Link:
    """Map a local channel to a collection of a peer, for push and/or pull; for push,
    queue what the channel already holds (``progress`` told (queued, to queue))."""
    if not (push or pull):
        raise BadInput("say which way: --push, --pull or both")
    remote = remote_collection.strip()
    if not remote or len(remote) > 200 or "/" in remote:
        raise BadInput(f"bad remote collection id {remote_collection[:80]!r}")
    peer = find_peer(conn, name)
    channel = find_channel(conn, channel_ref)
    existing = [
        link
        for link in links_of(conn, peer.id)
        if link.channel_id == channel.id and link.remote_collection == remote
    ]
    if existing:
        conn.execute(
            peer_links.update()
            .where(peer_links.c.id == existing[0].id)
            .values(push=push, pull=pull)
        )
    else:
        conn.execute(
            peer_links.insert().values(
                peer_id=peer.id,
                channel_id=channel.id,
                remote_collection=remote,
                push=push,
                pull=pull,
                created=now,
            )
        )
    link = next(
        link
        for link in links_of(conn, peer.id)
        if link.channel_id == channel.id and link.remote_collection == remote
    )
    if not push:
        return link
    # What the channel already holds is offered too, objects other nodes sent included
    # (never back to the peer's organisation); the rules of departure decide at push.
    backlog = versions_that_may_be_offered(conn, channel.id, peer.org_id)
    queued = outbox.queue_backlog(conn, link.id, peer.id, backlog, now, progress)
    return replace(link, queued=queued)


def links_of(conn: Connection, peer_id: int) -> list[Link]:
    """Return a peer's links."""
    rows = conn.execute(
        select(peer_links, channels.c.title)
        .join(channels, channels.c.id == peer_links.c.channel_id)
        .where(peer_links.c.peer_id == peer_id)
        .order_by(peer_links.c.id)
    )
    return [
        Link(r.id, r.peer_id, r.channel_id, r.title, r.remote_collection, r.push, r.pull)
        for r in rows
    ]


def pushed_channels(conn: Connection) -> frozenset[int]:
    """Return the local channels pushed to some peer."""
    rows = conn.execute(select(peer_links.c.channel_id).where(peer_links.c.push.is_(True)))
    return frozenset(rows.scalars())


def audience(conn: Connection, peer: Peer) -> PeerAudience:
    """Return the peer as the rules of departure see it."""
    pushed = frozenset(link.channel_id for link in links_of(conn, peer.id) if link.push)
    return PeerAudience(
        peer.org_id, peer.org_name, peer.speaks_for_org_id, pushed, speaks_for=peer.speaks_for
    )


def node_account(conn: Connection, peer: Peer) -> Viewer:
    """Return the node account through which what the peer sends is written here: the
    one user of the peer's organisation with the role ``node``."""
    found = conn.execute(
        select(users.c.id).where(users.c.org_id == peer.org_id, users.c.role == Role.NODE.value)
    ).scalars()
    ids = list(found)
    if len(ids) != 1:
        raise BadInput(
            f"organisation {peer.org_name!r} needs exactly one node account to pull with "
            f"(passerelle user add {peer.org_name} NAME --role node); it has {len(ids)}"
        )
    return viewer_by_id(conn, ids[0], "federation pull")


def link_channel(conn: Connection, link: Link) -> Channel:
    """Return the local channel of a link."""
    row = conn.execute(select(channels).where(channels.c.id == link.channel_id)).one()
    return channel_row_to_channel(row)
