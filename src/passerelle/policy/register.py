"""Who may change the register, and the changes themselves (audited by
:mod:`passerelle.admin`, which every change goes through).

Three scopes of authority (docs/security.md, "Administration"):

- an **organisation's** users, clients, name and settings: an enabled admin of that
  organisation; an organisation with no enabled admin yet is the operator's to set up;
- a **channel's** title, alias and description: an admin of one of its members; an
  organisation's own rights in it, lowered, or leaving it: that organisation's admin;
- the **node's** register (organisations, channels, adding members, raising rights): the
  operator, an enabled admin of an organisation marked ``operator``. Until such an admin
  exists, the node is in its bootstrap: whoever holds the database file (the command line
  without ``--user``) is the operator.

Ids (organisation, user, channel, collection) never change; names do.
"""

from __future__ import annotations

from sqlalchemy import Connection, exists, select

from passerelle.errors import Conflict, Forbidden, NotFound
from passerelle.policy.directory import Channel, Membership, Organisation, channel_row_to_channel
from passerelle.policy.naming import checked_name, name_key
from passerelle.policy.roles import Role
from passerelle.policy.tokens import new_token, token_hash
from passerelle.policy.viewer import Viewer
from passerelle.store.schema import (
    channel_members,
    channels,
    org_clients,
    organisations,
    users,
    web_sessions,
)

_ADMINS_OF = select(users.c.id).where(users.c.role == Role.ADMIN.value, users.c.disabled.is_(False))


def _enabled_admin(conn: Connection, actor: Viewer) -> bool:
    """Tell whether the actor is an admin whose account is not disabled."""
    return actor.role is Role.ADMIN and bool(
        conn.execute(_ADMINS_OF.where(users.c.id == actor.user_id)).first()
    )


def operator_exists(conn: Connection) -> bool:
    """Tell whether the node has an operator: an enabled admin of an operator organisation."""
    query = _ADMINS_OF.join(organisations, organisations.c.id == users.c.org_id).where(
        organisations.c.operator.is_(True)
    )
    return conn.execute(query.limit(1)).first() is not None


def may_operate(conn: Connection, actor: Viewer | None) -> bool:
    """Tell whether the actor (None: the database file's holder) runs the node."""
    if actor is None:
        return not operator_exists(conn)
    is_operator = conn.execute(
        select(organisations.c.operator).where(organisations.c.id == actor.org_id)
    ).scalar()
    return bool(is_operator) and _enabled_admin(conn, actor)


def may_administer(conn: Connection, actor: Viewer | None, org_id: int) -> bool:
    """Tell whether the actor administers this organisation."""
    if actor is not None and actor.org_id == org_id and _enabled_admin(conn, actor):
        return True
    has_admin = conn.execute(_ADMINS_OF.where(users.c.org_id == org_id).limit(1)).first()
    return has_admin is None and may_operate(conn, actor)


def require(allowed: bool, what: str) -> None:
    """Refuse in one line unless ``allowed``."""
    if not allowed:
        raise Forbidden(f"only {what} may do this")


def user_in(conn: Connection, username: str, org_id: int | None) -> tuple[int, int, Role, bool]:
    """Return the id, organisation, role and disabled flag of a user (of ``org_id`` when
    given: another organisation's user is not found, whether or not they exist)."""
    query = select(users.c.id, users.c.org_id, users.c.role, users.c.disabled).where(
        users.c.username == username
    )
    if org_id is not None:
        query = query.where(users.c.org_id == org_id)
    row = conn.execute(query).first()
    if row is None:
        where = "" if org_id is None else " in your organisation"
        raise NotFound(f"no user named {username[:80]!r}{where}")
    return row.id, row.org_id, Role(row.role), bool(row.disabled)


def set_disabled(conn: Connection, user_id: int, disabled: bool) -> None:
    """Disable (or enable) a user; disabling ends their web sessions at once."""
    conn.execute(users.update().where(users.c.id == user_id).values(disabled=disabled))
    if disabled:
        conn.execute(web_sessions.delete().where(web_sessions.c.user_id == user_id))


def set_role(conn: Connection, user_id: int, role: Role) -> None:
    """Change a user's role."""
    conn.execute(users.update().where(users.c.id == user_id).values(role=role.value))


def rotate_token(conn: Connection, user_id: int) -> str:
    """Give a user a new API token and return it; the old one stops working."""
    token = new_token()
    conn.execute(users.update().where(users.c.id == user_id).values(token_hash=token_hash(token)))
    return token


def remove_client(conn: Connection, org: Organisation, client: Organisation) -> None:
    """Withdraw a client declaration."""
    gone = conn.execute(
        org_clients.delete().where(
            org_clients.c.org_id == org.id, org_clients.c.client_org_id == client.id
        )
    )
    if gone.rowcount != 1:
        raise NotFound(f"{client.name!r} is not a client of {org.name!r}")


def rename_organisation(conn: Connection, org: Organisation, new_name: str) -> str:
    """Rename an organisation (its id and everything it holds stay); return the new name."""
    new_name = checked_name(new_name, "an organisation's name")
    others = conn.execute(select(organisations.c.name).where(organisations.c.id != org.id))
    if name_key(new_name) in {name_key(name) for name in others.scalars()}:
        raise Conflict(f"organisation {new_name!r} already exists")
    conn.execute(organisations.update().where(organisations.c.id == org.id).values(name=new_name))
    return new_name


def set_operator(conn: Connection, org_id: int, operator: bool) -> None:
    """Mark (or unmark) the organisation whose admins run the node."""
    conn.execute(
        organisations.update().where(organisations.c.id == org_id).values(operator=operator)
    )


def find_channel(conn: Connection, name: str, member_org_id: int | None = None) -> Channel:
    """Return a channel by title, alias or collection id (whatever the case); with
    ``member_org_id``, only one that organisation is a member of."""
    key = name_key(name)
    query = select(channels)
    if member_org_id is not None:
        query = query.where(
            exists().where(
                channel_members.c.channel_id == channels.c.id,
                channel_members.c.org_id == member_org_id,
            )
        )
    for row in conn.execute(query):
        if key in {name_key(n) for n in (row.title, row.alias, row.collection_id) if n}:
            return channel_row_to_channel(row)
    raise NotFound(f"no channel {name[:80]!r}")


def rename_channel(
    conn: Connection,
    channel: Channel,
    title: str | None,
    alias: str | None,
    description: str | None,
) -> Channel:
    """Change a channel's title, alias or description (its collection id stays)."""
    new_title = checked_name(title, "a channel's title") if title is not None else channel.title
    new_alias = channel.alias
    if alias is not None:
        new_alias = checked_name(alias, "a channel's alias") if alias.strip() else None
    others = conn.execute(
        select(channels.c.title, channels.c.alias, channels.c.collection_id).where(
            channels.c.id != channel.id
        )
    )
    taken = {name_key(n) for row in others for n in row if n}
    for name in (new_title, new_alias):
        if name and name_key(name) in taken:
            raise Conflict(f"a channel is already called, aliased or identified {name!r}")
    new_description = channel.description if description is None else description
    conn.execute(
        channels.update()
        .where(channels.c.id == channel.id)
        .values(title=new_title, alias=new_alias, description=new_description)
    )
    return Channel(
        channel.id,
        channel.collection_id,
        new_title,
        new_description,
        new_alias,
        channel.default_tlp,
    )


def membership_of(conn: Connection, channel_id: int, org_id: int) -> Membership | None:
    """Return an organisation's rights in a channel (None: not a member)."""
    row = conn.execute(
        select(organisations.c.name, channel_members.c.can_read, channel_members.c.can_write)
        .join(organisations, organisations.c.id == channel_members.c.org_id)
        .where(channel_members.c.channel_id == channel_id, channel_members.c.org_id == org_id)
    ).first()
    return None if row is None else Membership(row.name, row.can_read, row.can_write)


def set_membership(conn: Connection, channel_id: int, org_id: int, read: bool, write: bool) -> None:
    """Make an organisation a member of a channel with these rights (or change them)."""
    where = (channel_members.c.channel_id == channel_id, channel_members.c.org_id == org_id)
    changed = conn.execute(
        channel_members.update().where(*where).values(can_read=read, can_write=write)
    )
    if changed.rowcount == 0:
        conn.execute(
            channel_members.insert().values(
                channel_id=channel_id, org_id=org_id, can_read=read, can_write=write
            )
        )


def remove_membership(conn: Connection, channel_id: int, org_id: int) -> None:
    """Take an organisation out of a channel (what it stored there stays there)."""
    conn.execute(
        channel_members.delete().where(
            channel_members.c.channel_id == channel_id, channel_members.c.org_id == org_id
        )
    )


def rights_text(membership: Membership | None) -> str:
    """Write rights as the command line takes them: ``rw``, ``r``, ``w``, ``-`` (none)."""
    if membership is None:
        return "-"
    return ("r" if membership.can_read else "") + ("w" if membership.can_write else "") or "-"
