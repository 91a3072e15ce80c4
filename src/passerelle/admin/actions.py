"""Every change of the register, checked against who acts and audited with before/after.

The command line and the REST API both come here. ``actor`` is the user who acts, or None
for the holder of the database file in the node's bootstrap (see
:mod:`passerelle.policy.register`). A refused change is audited too (``admin.refused``,
with what was asked and why it was refused), in a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final, TypeVar

from sqlalchemy import Connection

from passerelle.audit.log import record, record_alone
from passerelle.durations import parse_duration
from passerelle.errors import BadInput, Forbidden, NotFound
from passerelle.policy import directory, passwords, register, signin_links
from passerelle.policy.directory import Channel, Membership
from passerelle.policy.regions import phone_regions, set_phone_region
from passerelle.policy.register import may_administer, may_operate, require
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.stix.markings import Tlp
from passerelle.store.database import Database

# Who the log names when the database file's holder acts without --user (the bootstrap).
OPERATOR: Final = "(node operator)"
REFUSED: Final = "admin.refused"
OPERATOR_ROLE: Final = "the node's operator (an admin of an operator organisation)"

T = TypeVar("T")


@contextmanager
def _audited(
    database: Database, actor: Viewer | None, action: str, target: dict[str, Any]
) -> Iterator[tuple[Connection, dict[str, Any]]]:
    """Run a change in one transaction with its audit entry; audit a refusal on its own."""
    detail = dict(target)
    try:
        with database.write() as conn:
            yield conn, detail
            record(database, conn, actor, action, detail=detail, username=OPERATOR)
    except (Forbidden, NotFound) as exc:
        refusal = {"action": action, **target, "reason": exc.message}
        record_alone(database, actor, REFUSED, detail=refusal, username=OPERATOR)
        raise


def _org_admin(conn: Connection, actor: Viewer | None, org_name: str) -> directory.Organisation:
    """Return the organisation if the actor administers it; refuse otherwise."""
    if actor is not None and actor.org_name != org_name and not may_operate(conn, actor):
        # Another organisation's admin learns nothing of ORG, not even that it exists.
        raise Forbidden(f"only an admin of {org_name[:80]!r} may do this")
    org = directory.find_organisation(conn, org_name)
    require(may_administer(conn, actor, org.id), f"an admin of {org.name!r}")
    return org


def add_organisation(
    database: Database, actor: Viewer | None, name: str, operator: bool = False
) -> directory.Organisation:
    """Register an organisation (the operator's); ``operator`` marks it as running the node."""
    with _audited(database, actor, "admin.org-add", {"organisation": name}) as (conn, detail):
        require(may_operate(conn, actor), OPERATOR_ROLE)
        created = directory.add_organisation(conn, name)
        if operator:
            register.set_operator(conn, created.id, True)
        detail.update(organisation=created.name, after={"operator": operator})
    return created


def rename_organisation(
    database: Database, actor: Viewer | None, org_name: str, new_name: str
) -> str:
    """Rename an organisation (its admin's); its id and all it holds stay."""
    target = {"organisation": org_name}
    with _audited(database, actor, "admin.org-rename", target) as (conn, detail):
        org = _org_admin(conn, actor, org_name)
        renamed = register.rename_organisation(conn, org, new_name)
        detail.update(before={"name": org.name}, after={"name": renamed})
    return renamed


def set_region(
    database: Database, actor: Viewer | None, org_name: str, region: str | None
) -> str | None:
    """Set the region an organisation's phone numbers are read in (its admin's)."""
    target = {"organisation": org_name}
    with _audited(database, actor, "admin.org-set", target) as (conn, detail):
        org = _org_admin(conn, actor, org_name)
        was = phone_regions(conn).get(org.name, "")
        code = set_phone_region(conn, org.name, region)
        detail.update(
            organisation=org.name, before={"phone_region": was}, after={"phone_region": code or ""}
        )
    return code


def change_client(
    database: Database, actor: Viewer | None, org_name: str, client: str, declare: bool
) -> None:
    """Declare (or withdraw) CLIENT as a client of ORG (ORG's admin's)."""
    action = "admin.client-add" if declare else "admin.client-remove"
    target = {"organisation": org_name, "client": client}
    with _audited(database, actor, action, target) as (conn, detail):
        org = _org_admin(conn, actor, org_name)
        if declare:
            directory.add_client(conn, org.name, client)
        else:
            register.remove_client(conn, org, directory.find_organisation(conn, client))
        detail.update(before={"client": not declare}, after={"client": declare})


def add_user(
    database: Database,
    actor: Viewer | None,
    org_name: str,
    username: str,
    role: Role,
    purpose: str = "",
) -> str:
    """Create a user in ORG (ORG's admin's) and return their token (shown once)."""
    target = {"organisation": org_name, "user": username}
    with _audited(database, actor, "admin.user-add", target) as (conn, detail):
        org = _org_admin(conn, actor, org_name)
        token = directory.add_user(conn, org.name, username, role, purpose)
        detail.update(after={"role": role.value, "purpose": purpose})
    return token


def change_user(
    database: Database,
    actor: Viewer | None,
    username: str,
    action: str,
    change: Callable[[Connection, int], tuple[dict[str, Any], dict[str, Any], T]],
    own_org_only: bool = False,
) -> T:
    """Change a user (their organisation's admin's): ``change`` gets the connection and the
    user's id and returns the before, the after and what to answer.

    ``own_org_only`` (the REST API): a user of another organisation is not found, whether
    or not they exist.
    """
    target = {"user": username}
    with _audited(database, actor, action, target) as (conn, detail):
        scope = actor.org_id if own_org_only and actor is not None else None
        user_id, org_id, _role, _disabled = register.user_in(conn, username, scope)
        if actor is not None and org_id != actor.org_id and not may_operate(conn, actor):
            raise Forbidden(f"{username[:80]!r} is not a user of your organisation")
        require(may_administer(conn, actor, org_id), "an admin of the user's organisation")
        before, after, answer = change(conn, user_id)
        detail.update(before=before, after=after)
    return answer


def set_disabled(
    database: Database,
    actor: Viewer | None,
    username: str,
    disabled: bool,
    own_org_only: bool = False,
) -> None:
    """Disable (or enable) a user: their token and sessions stop (or start) working."""
    if actor is not None and actor.username == username and disabled:
        raise BadInput("you cannot disable yourself: ask another admin")

    def change(conn: Connection, user_id: int) -> tuple[dict[str, Any], dict[str, Any], None]:
        was = register.user_in(conn, username, None)[3]
        register.set_disabled(conn, user_id, disabled)
        return {"disabled": was}, {"disabled": disabled}, None

    action = "admin.user-disable" if disabled else "admin.user-enable"
    change_user(database, actor, username, action, change, own_org_only)


def set_role(
    database: Database,
    actor: Viewer | None,
    username: str,
    role: Role,
    own_org_only: bool = False,
) -> None:
    """Change a user's role."""
    if actor is not None and actor.username == username and role is not Role.ADMIN:
        raise BadInput("you cannot give up your own admin role: ask another admin")

    def change(conn: Connection, user_id: int) -> tuple[dict[str, Any], dict[str, Any], None]:
        was = register.user_in(conn, username, None)[2]
        register.set_role(conn, user_id, role)
        return {"role": was.value}, {"role": role.value}, None

    change_user(database, actor, username, "admin.user-role", change, own_org_only)


def rotate_token(
    database: Database, actor: Viewer | None, username: str, own_org_only: bool = False
) -> str:
    """Issue a new API token for a user; the old one stops working."""

    def change(conn: Connection, user_id: int) -> tuple[dict[str, Any], dict[str, Any], str]:
        token = register.rotate_token(conn, user_id)
        return {"token": "replaced"}, {"token": "issued"}, token

    return change_user(database, actor, username, "admin.user-token", change, own_org_only)


def set_password(
    database: Database,
    actor: Viewer | None,
    username: str,
    password: str,
    own_org_only: bool = False,
) -> None:
    """Set a user's web password (their organisation's admin's); their web sessions end.
    The log says that a password was set, never the password."""

    def change(conn: Connection, user_id: int) -> tuple[dict[str, Any], dict[str, Any], None]:
        had = passwords.has_password(conn, user_id)
        passwords.set_password(conn, username, password)
        return {"password": "set" if had else "none"}, {"password": "set"}, None

    change_user(database, actor, username, "admin.user-password", change, own_org_only)


def set_own_password(database: Database, actor: Viewer, old: str, new: str) -> None:
    """Change one's own web password, proving the current one (a token alone may not)."""
    target = {"user": actor.username}
    with _audited(database, actor, "admin.user-password", target) as (conn, detail):
        if passwords.viewer_by_password(conn, actor.username, old) is None:
            raise Forbidden("that is not your current password")
        passwords.set_password(conn, actor.username, new)
        detail.update(before={"password": "set"}, after={"password": "set"}, by="themself")


def issue_link(
    database: Database,
    actor: Viewer | None,
    username: str,
    now: int,
    valid: str,
    own_org_only: bool = False,
) -> str:
    """Return a one-time sign-in token for a user (their organisation's admin's), good for
    ``valid`` (``15m``); the log says how long, never the token."""
    valid_for = parse_duration(valid)

    def change(conn: Connection, _user_id: int) -> tuple[dict[str, Any], dict[str, Any], str]:
        issued = signin_links.issue_link(conn, username, now, valid_for)
        return {}, {"sign_in_link": valid}, issued

    return change_user(database, actor, username, "admin.user-link", change, own_org_only)


def add_channel(
    database: Database,
    actor: Viewer | None,
    title: str,
    members: list[Membership],
    alias: str | None = None,
    description: str = "",
    default_tlp: Tlp = Tlp.AMBER,
) -> Channel:
    """Create a channel (the operator's: it decides what reaches whom)."""
    if default_tlp is Tlp.RED:
        raise BadInput("a channel cannot default to TLP:RED: RED names its recipients")
    with _audited(database, actor, "admin.channel-add", {"channel": title}) as (conn, detail):
        require(may_operate(conn, actor), OPERATOR_ROLE)
        created = directory.add_channel(conn, title, members, alias, description, default_tlp)
        detail.update(
            channel=created.collection_id,
            after={
                "title": created.title,
                "alias": created.alias or "",
                "members": {m.org_name: register.rights_text(m) for m in members},
                "default_tlp": default_tlp.label,
            },
        )
    return created


def rename_channel(
    database: Database,
    actor: Viewer | None,
    name: str,
    changes: dict[str, str | None],
    own_org_only: bool = False,
) -> Channel:
    """Change a channel's title, alias or description (an admin of a member's, or the
    operator's); ``changes`` has the keys title, alias and description (None: unchanged)."""
    with _audited(database, actor, "admin.channel-rename", {"channel": name}) as (conn, detail):
        scope = actor.org_id if own_org_only and actor is not None else None
        channel = register.find_channel(conn, name, scope)
        members = [m.org_name for m in directory.channel_members_of(conn, channel.id)]
        by_member = actor is not None and actor.org_name in members
        require(
            (by_member and may_administer(conn, actor, actor.org_id if actor else 0))
            or may_operate(conn, actor),
            "an admin of a member organisation, or the node's operator,",
        )
        renamed = register.rename_channel(
            conn, channel, changes.get("title"), changes.get("alias"), changes.get("description")
        )
        detail.update(
            channel=channel.collection_id,
            before={"title": channel.title, "alias": channel.alias or ""},
            after={"title": renamed.title, "alias": renamed.alias or ""},
        )
    return renamed


def set_member(
    database: Database,
    actor: Viewer | None,
    name: str,
    org_name: str,
    rights: str,
    own_org_only: bool = False,
) -> None:
    """Give ORG these rights in a channel (``r``, ``w``, ``rw``; ``-`` takes it out).

    An organisation's admin may lower its own rights or leave; adding a member or raising
    rights changes what reaches whom, and is the operator's.
    """
    if set(rights) - {"r", "w", "-"} or not rights:
        raise BadInput(f"rights must be r, w, rw or - (none), not {rights[:20]!r}")
    target = {"channel": name, "organisation": org_name}
    with _audited(database, actor, "admin.channel-member", target) as (conn, detail):
        scope = actor.org_id if own_org_only and actor is not None else None
        channel = register.find_channel(conn, name, scope)
        org = directory.find_organisation(conn, org_name)
        was = register.membership_of(conn, channel.id, org.id)
        read, write = "r" in rights, "w" in rights
        lowering = was is not None and (was.can_read or not read) and (was.can_write or not write)
        own = actor is not None and actor.org_id == org.id and may_administer(conn, actor, org.id)
        require((own and lowering) or may_operate(conn, actor), OPERATOR_ROLE)
        if read or write:
            register.set_membership(conn, channel.id, org.id, read, write)
        else:
            register.remove_membership(conn, channel.id, org.id)
        now = register.membership_of(conn, channel.id, org.id)
        detail.update(
            channel=channel.collection_id,
            before={"rights": register.rights_text(was)},
            after={"rights": register.rights_text(now)},
        )
