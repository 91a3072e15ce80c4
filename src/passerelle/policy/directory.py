"""Organisations, users and channels: creating them and looking them up.

Visibility of channels to a user is decided in :mod:`passerelle.policy.visibility`; this
module only keeps the register.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, exists, select

from passerelle.errors import BadInput, Conflict, NotFound
from passerelle.policy.naming import checked_name, name_key
from passerelle.policy.roles import Role
from passerelle.policy.tokens import new_token, token_hash
from passerelle.policy.viewer import Viewer
from passerelle.settings import PURPOSE_LENGTH
from passerelle.stix.markings import Tlp
from passerelle.stix.timestamps import now_micros
from passerelle.store.schema import channel_members, channels, org_clients, organisations, users


@dataclass(frozen=True)
class Organisation:
    """A service or agency."""

    id: int
    name: str


@dataclass(frozen=True)
class Membership:
    """An organisation's rights in a channel."""

    org_name: str
    can_read: bool
    can_write: bool

    @classmethod
    def parse(cls, text: str) -> Membership:
        """Parse ``ORG:rw``, ``ORG:r`` or ``ORG:w`` (the part after the last colon)."""
        name, sep, rights = text.rpartition(":")
        if not sep or not name or not rights or set(rights) - {"r", "w"}:
            raise BadInput(f"membership must look like ORG:rw, ORG:r or ORG:w, not {text!r}")
        return cls(org_name=name, can_read="r" in rights, can_write="w" in rights)


@dataclass(frozen=True)
class Channel:
    """A sharing channel, exposed over TAXII as a collection."""

    id: int
    collection_id: str
    title: str
    description: str
    alias: str | None
    default_tlp: Tlp = Tlp.AMBER


def add_organisation(conn: Connection, name: str) -> Organisation:
    """Register an organisation; its name must be new (whatever its case)."""
    name = checked_name(name, "an organisation's name")
    taken = conn.execute(select(organisations.c.name)).scalars()
    if name_key(name) in {name_key(known) for known in taken}:
        raise Conflict(f"organisation {name!r} already exists")
    org_id = conn.execute(
        organisations.insert().values(name=name, created=now_micros())
    ).inserted_primary_key
    assert org_id is not None
    return Organisation(id=org_id[0], name=name)


def find_organisation(conn: Connection, name: str) -> Organisation:
    """Return the organisation with this name."""
    row = conn.execute(
        select(organisations.c.id, organisations.c.name).where(organisations.c.name == name)
    ).first()
    if row is None:
        raise NotFound(f"no organisation named {name!r}")
    return Organisation(id=row.id, name=row.name)


def find_partner(conn: Connection, org_id: int, name: str) -> Organisation:
    """Return the organisation with this name if it shares a channel with ``org_id``.

    One answer for a name that does not exist and one that is no partner: addressing an
    organisation must not tell whether it has an account on the node.
    """
    mine = channel_members.alias("mine")
    theirs = channel_members.alias("theirs")
    row = conn.execute(
        select(organisations.c.id, organisations.c.name).where(
            organisations.c.name == name,
            organisations.c.id != org_id,
            exists().where(
                mine.c.org_id == org_id,
                theirs.c.channel_id == mine.c.channel_id,
                theirs.c.org_id == organisations.c.id,
            ),
        )
    ).first()
    if row is None:
        raise NotFound(f"no partner organisation named {name[:80]!r}")
    return Organisation(id=row.id, name=row.name)


def partner_names(conn: Connection, org_id: int) -> list[str]:
    """Return the names of the organisations sharing a channel with ``org_id``, sorted."""
    mine = channel_members.alias("mine")
    theirs = channel_members.alias("theirs")
    rows = conn.execute(
        select(organisations.c.name)
        .where(
            organisations.c.id != org_id,
            exists().where(
                mine.c.org_id == org_id,
                theirs.c.channel_id == mine.c.channel_id,
                theirs.c.org_id == organisations.c.id,
            ),
        )
        .order_by(organisations.c.name)
    )
    return list(rows.scalars())


def list_organisations(conn: Connection) -> list[Organisation]:
    """Return every organisation, by name."""
    rows = conn.execute(select(organisations.c.id, organisations.c.name).order_by("name"))
    return [Organisation(id=row.id, name=row.name) for row in rows]


def add_client(conn: Connection, org_name: str, client_name: str) -> None:
    """Declare CLIENT as a client of ORG: it may receive ORG's TLP:AMBER content."""
    org, client = find_organisation(conn, org_name), find_organisation(conn, client_name)
    if org.id == client.id:
        raise BadInput("an organisation cannot be its own client")
    known = conn.execute(
        select(org_clients.c.org_id).where(
            org_clients.c.org_id == org.id, org_clients.c.client_org_id == client.id
        )
    ).first()
    if known:
        raise Conflict(f"{client_name!r} is already a client of {org_name!r}")
    conn.execute(org_clients.insert().values(org_id=org.id, client_org_id=client.id))


def clients_of(conn: Connection, org_name: str) -> list[str]:
    """Return the names of an organisation's declared clients."""
    org = find_organisation(conn, org_name)
    client = organisations.alias("client")
    rows = conn.execute(
        select(client.c.name)
        .join(org_clients, org_clients.c.client_org_id == client.c.id)
        .where(org_clients.c.org_id == org.id)
        .order_by(client.c.name)
    )
    return [r.name for r in rows]


def add_user(
    conn: Connection, org_name: str, username: str, role: Role, default_purpose: str = ""
) -> str:
    """Create a user in an organisation and return their API token (shown only once)."""
    org = find_organisation(conn, org_name)
    username = checked_name(username, "a username")
    if ":" in username or " " in username:
        raise BadInput("a username must not contain ':' or spaces")
    taken = conn.execute(select(users.c.username)).scalars()
    if name_key(username) in {name_key(known) for known in taken}:
        raise Conflict(f"user {username!r} already exists")
    token = new_token()
    conn.execute(
        users.insert().values(
            org_id=org.id,
            username=username,
            role=role.value,
            token_hash=token_hash(token),
            created=now_micros(),
            default_purpose=default_purpose.strip()[:PURPOSE_LENGTH],
        )
    )
    return token


def _viewer_query() -> Select[Any]:
    return select(
        users.c.id,
        users.c.username,
        users.c.role,
        users.c.org_id,
        users.c.default_purpose,
        organisations.c.name,
    ).join(organisations, organisations.c.id == users.c.org_id)


@functools.cache
def _viewer_by_token_hash() -> Select[Any]:
    # Built once: every request authenticates.
    return _viewer_query().where(
        users.c.token_hash == bindparam("token_hash"), users.c.disabled.is_(False)
    )


def viewer_by_token(conn: Connection, token: str, purpose: str = "") -> Viewer | None:
    """Return the enabled user holding this token, or None (a disabled user's token fails
    like a wrong one)."""
    row = conn.execute(_viewer_by_token_hash(), {"token_hash": token_hash(token)}).first()
    return None if row is None else _viewer(row, purpose)


def viewer_by_name(conn: Connection, username: str, purpose: str = "") -> Viewer:
    """Return the user with this name (for local CLI use)."""
    row = conn.execute(_viewer_query().where(users.c.username == username)).first()
    if row is None:
        raise NotFound(f"no user named {username!r}")
    return _viewer(row, purpose)


def viewer_by_id(conn: Connection, user_id: int, purpose: str = "") -> Viewer:
    """Return the user with this id (a tip's owner, a watch's owner, who placed an object)."""
    row = conn.execute(_viewer_query().where(users.c.id == user_id)).first()
    if row is None:
        raise NotFound(f"no user with id {user_id}")
    return _viewer(row, purpose)


def active_viewer(conn: Connection, user_id: int, purpose: str = "") -> Viewer | None:
    """Return the user with this id if they are not disabled (a session, a sign-in), else
    None."""
    row = conn.execute(
        _viewer_query().where(users.c.id == user_id, users.c.disabled.is_(False))
    ).first()
    return None if row is None else _viewer(row, purpose)


def _viewer(row: Row[Any], purpose: str) -> Viewer:
    return Viewer(
        user_id=row.id,
        username=row.username,
        org_id=row.org_id,
        org_name=row.name,
        role=Role(row.role),
        purpose=purpose or row.default_purpose,
    )


def list_users(conn: Connection, org_id: int | None = None) -> list[dict[str, str]]:
    """Return every user (of one organisation) with their organisation and role; a
    disabled user's role reads ``ROLE (disabled)``."""
    query = _viewer_query().add_columns(users.c.disabled).order_by(users.c.username)
    if org_id is not None:
        query = query.where(users.c.org_id == org_id)
    return [
        {
            "username": r.username,
            "organisation": r.name,
            "role": f"{r.role} (disabled)" if r.disabled else r.role,
        }
        for r in conn.execute(query)
    ]


def add_channel(
    conn: Connection,
    title: str,
    members: list[Membership],
    alias: str | None = None,
    description: str = "",
    default_tlp: Tlp = Tlp.AMBER,
) -> Channel:
    """Create a channel with its member organisations."""
    title = checked_name(title, "a channel's title")
    alias = checked_name(alias, "a channel's alias") if alias is not None else None
    if not members:
        raise BadInput("a channel needs at least one member (--member ORG:rw)")
    # Titles, aliases and collection ids name channels alike (TAXII and the CLI accept
    # any of them): one namespace, or a reference could pick the wrong channel.
    taken = {
        name_key(name)
        for row in conn.execute(
            select(channels.c.title, channels.c.alias, channels.c.collection_id)
        )
        for name in row
        if name
    }
    for name in dict.fromkeys(n for n in (title, alias) if n):
        if name_key(name) in taken:
            raise Conflict(f"a channel is already called, aliased or identified {name!r}")
    orgs = {m.org_name: find_organisation(conn, m.org_name) for m in members}
    collection_id = str(uuid.uuid4())
    result = conn.execute(
        channels.insert().values(
            collection_id=collection_id,
            title=title,
            description=description,
            alias=alias,
            created=now_micros(),
            default_tlp=int(default_tlp),
        )
    )
    channel_id = result.inserted_primary_key[0]  # type: ignore[index]
    for member in members:
        conn.execute(
            channel_members.insert().values(
                channel_id=channel_id,
                org_id=orgs[member.org_name].id,
                can_read=member.can_read,
                can_write=member.can_write,
            )
        )
    return Channel(channel_id, collection_id, title, description, alias, default_tlp)


def channel_row_to_channel(row: Row[Any]) -> Channel:
    """Build a Channel from a row of the channels table."""
    return Channel(
        id=row.id,
        collection_id=row.collection_id,
        title=row.title,
        description=row.description,
        alias=row.alias,
        default_tlp=Tlp(row.default_tlp),
    )


def channel_members_of(conn: Connection, channel_id: int) -> list[Membership]:
    """Return the members of a channel with their rights."""
    rows = conn.execute(
        select(organisations.c.name, channel_members.c.can_read, channel_members.c.can_write)
        .join(organisations, organisations.c.id == channel_members.c.org_id)
        .where(channel_members.c.channel_id == channel_id)
        .order_by(organisations.c.name)
    )
    return [Membership(r.name, r.can_read, r.can_write) for r in rows]


def replace_token(conn: Connection, username: str) -> str:
    """Give a user a new API token and return it; the previous token stops working."""
    row = conn.execute(select(users.c.id).where(users.c.username == username)).first()
    if row is None:
        raise NotFound(f"no user named {username!r}")
    token = new_token()
    conn.execute(users.update().where(users.c.id == row.id).values(token_hash=token_hash(token)))
    return token


def channel_by_collection_id(conn: Connection, collection_id: str) -> Channel:
    """Return a channel by its exact collection id, whoever asks (a 36-character secret)."""
    row = conn.execute(select(channels).where(channels.c.collection_id == collection_id)).first()
    if row is None:
        raise NotFound(f"no channel {collection_id!r}")
    return channel_row_to_channel(row)
