"""The administration's operations, served by the REST API under ``/api/admin``.

Every path is about the caller's own organisation: an admin names no organisation, so an
admin of one can never reach another's users, clients or channels (another's user or a
channel the organisation is not in is not found, whether or not it exists). Creating
organisations and channels, adding members, raising rights and setting another
organisation's phone region are the node operator's; anyone else is refused (403, audited).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select

from passerelle.admin import actions
from passerelle.audit.log import record_alone
from passerelle.core.context import Context
from passerelle.core.operations import Operation, RequestT
from passerelle.core.operations import register as register_operation
from passerelle.errors import BadInput, Forbidden
from passerelle.policy import directory
from passerelle.policy import register as rules
from passerelle.policy.directory import Membership
from passerelle.policy.regions import phone_regions
from passerelle.policy.register import may_operate
from passerelle.policy.roles import Role
from passerelle.policy.signin_links import LINK_PATH
from passerelle.stix.markings import Tlp
from passerelle.store.schema import channels, organisations

_ROLES = Literal["admin", "analyst", "liaison", "auditor", "node"]
_NAME = Field(min_length=1, max_length=200)


class Nothing(BaseModel):
    """A request without fields."""


class UserView(BaseModel):
    """A user of your organisation."""

    username: str
    role: str = Field(description="The role; a disabled user's reads 'ROLE (disabled)'")


class OrganisationView(BaseModel):
    """Your organisation as its admins see it."""

    name: str
    phone_region: str
    clients: list[str]
    users: list[UserView]
    runs_node: bool = Field(False, description="Whether you are the node's operator")


class ChannelView(BaseModel):
    """A channel your organisation is a member of, with every member's rights."""

    title: str
    alias: str
    collection_id: str
    members: dict[str, str] = Field(description="Each member's rights: r, w or rw")


class AddUser(BaseModel):
    """A user to create in your organisation."""

    username: str = _NAME
    role: _ROLES = "analyst"
    purpose: str = Field("", max_length=200, description="Purpose recorded by default")


class NewToken(BaseModel):
    """A user's API token, shown only this once."""

    username: str
    token: str


class UserRef(BaseModel):
    """A user of your organisation."""

    username: str = Field(min_length=1, max_length=200, description="The user's name")


class RoleChange(UserRef):
    """A user's new role."""

    role: _ROLES


class ClientRef(BaseModel):
    """An organisation declared (or withdrawn) as your organisation's client."""

    client: str = _NAME


class Rename(BaseModel):
    """Your organisation's new name (its id, and all it holds, stay)."""

    name: str = _NAME


class ChannelRef(BaseModel):
    """A channel your organisation is a member of (title, alias or collection id)."""

    channel: str = Field(min_length=1, max_length=200, description="Title, alias or id")


class ChannelRename(ChannelRef):
    """What changes in a channel's names (left out: unchanged; alias '' removes it)."""

    title: str | None = Field(None, max_length=200)
    alias: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=2000)


class Rights(ChannelRef):
    """Your organisation's rights in a channel, lowered: r, w, or - to leave it."""

    rights: Literal["r", "w", "rw", "-"]


def _require_admin(ctx: Context, what: str) -> None:
    """Refuse (and audit the refusal) unless the caller is an admin of their organisation."""
    viewer = ctx.viewer
    with ctx.database.read() as conn:
        allowed = rules.may_administer(conn, viewer, viewer.org_id)
    if not allowed:
        reason = f"only an admin of {viewer.org_name!r} may do this"
        record_alone(
            ctx.database, viewer, actions.REFUSED, detail={"action": what, "reason": reason}
        )
        raise Forbidden(reason)


class NewOrganisation(BaseModel):
    """An organisation to register on the node (the operator's)."""

    name: str = _NAME
    operator: bool = Field(False, description="Its admins run the node too")


class OrganisationRef(BaseModel):
    """An organisation of the node, as registered."""

    name: str
    operator: bool = False


class RegionChange(BaseModel):
    """The region an organisation's phone numbers are read in ('': the node's default)."""

    phone_region: str = Field(max_length=2, description="ISO 3166 code, or '' for none")
    organisation: str = Field(
        "",
        max_length=200,
        description="Another organisation, one without an admin of its own (the node's "
        "operator's); '': yours",
    )


class RegionView(BaseModel):
    """The region an organisation's phone numbers are now read in ('': the node's)."""

    organisation: str
    phone_region: str


class PasswordChange(UserRef):
    """A user's new web password; your own needs your current one."""

    password: str = Field(min_length=1, max_length=1024, description="At least 12 characters")
    old_password: str | None = Field(
        None, max_length=1024, description="Your current password, to change your own"
    )


class LinkRequest(UserRef):
    """How long a one-time sign-in link stays good."""

    valid: str = Field("15m", max_length=20, description="e.g. 15m, 1h (24h at most)")


class SignInLink(BaseModel):
    """A one-time sign-in link, shown only this once: the path to open on the node."""

    username: str
    path: str
    valid: str


class NewChannel(BaseModel):
    """A channel to create (the operator's): its members and their rights."""

    title: str = _NAME
    members: dict[str, Literal["r", "w", "rw"]] = Field(
        min_length=1, description="Each member organisation's rights"
    )
    alias: str | None = Field(None, max_length=200)
    description: str = Field("", max_length=2000)
    default_tlp: Literal["clear", "green", "amber", "amber+strict", "red"] = Field(
        "amber", description="The TLP of objects posted without one (never red)"
    )


class Member(ChannelRef):
    """An organisation's rights in a channel (the operator's): r, w, rw, or - to remove."""

    organisation: str = Field(min_length=1, max_length=200)
    rights: Literal["r", "w", "rw", "-"]


def _require_operator(ctx: Context, what: str, target: dict[str, str]) -> None:
    """Refuse (and audit) unless the caller runs the node, before anything is looked up."""
    with ctx.database.read() as conn:
        allowed = may_operate(conn, ctx.viewer)
    if not allowed:
        reason = f"only {actions.OPERATOR_ROLE} may do this"
        detail = {"action": what, **target, "reason": reason}
        record_alone(ctx.database, ctx.viewer, actions.REFUSED, detail=detail)
        raise Forbidden(reason)


def add_organisation(ctx: Context, request: NewOrganisation) -> OrganisationRef:
    """Register an organisation on the node (the node's operator only)."""
    _require_operator(ctx, "admin.org-add", {"organisation": request.name})
    created = actions.add_organisation(ctx.database, ctx.viewer, request.name, request.operator)
    return OrganisationRef(name=created.name, operator=request.operator)


def set_region(ctx: Context, request: RegionChange) -> RegionView:
    """Set the region your organisation's phone numbers are read in, when they have no
    international prefix ('': the node's default); the node's operator may name another
    organisation."""
    name = request.organisation or ctx.viewer.org_name
    code = actions.set_region(ctx.database, ctx.viewer, name, request.phone_region or None)
    return RegionView(organisation=name, phone_region=code or "")


def add_channel(ctx: Context, request: NewChannel) -> ChannelView:
    """Create a channel with its members (the node's operator only)."""
    _require_operator(ctx, "admin.channel-add", {"channel": request.title})
    members = [
        Membership(org_name=org, can_read="r" in rights, can_write="w" in rights)
        for org, rights in request.members.items()
    ]
    created = actions.add_channel(
        ctx.database,
        ctx.viewer,
        request.title,
        members,
        request.alias,
        request.description,
        Tlp.parse(request.default_tlp),
    )
    return ChannelView(
        title=created.title,
        alias=created.alias or "",
        collection_id=created.collection_id,
        members=dict(request.members),
    )


def set_member(ctx: Context, request: Member) -> Member:
    """Give an organisation these rights in a channel, or take it out (-): the node's
    operator only (a member's admin lowers its own rights with ``/rights``)."""
    target = {"channel": request.channel, "organisation": request.organisation}
    _require_operator(ctx, "admin.channel-member", target)
    actions.set_member(
        ctx.database, ctx.viewer, request.channel, request.organisation, request.rights
    )
    return request


def show_organisation(ctx: Context, _request: Nothing) -> OrganisationView:
    """Show your organisation: its phone region, its declared clients and its users."""
    _require_admin(ctx, "admin.org-show")
    with ctx.database.read() as conn:
        # By id: the organisation may have been renamed since the caller authenticated.
        name = conn.execute(
            select(organisations.c.name).where(organisations.c.id == ctx.viewer.org_id)
        ).scalar_one()
        users = directory.list_users(conn, ctx.viewer.org_id)
        clients = directory.clients_of(conn, name)
        region = phone_regions(conn).get(name, "")
        runs_node = may_operate(conn, ctx.viewer)
    return OrganisationView(
        name=name,
        phone_region=region,
        clients=clients,
        users=[UserView(username=u["username"], role=u["role"]) for u in users],
        runs_node=runs_node,
    )


def rename_organisation(ctx: Context, request: Rename) -> OrganisationView:
    """Rename your organisation; partners address it by its new name from now on."""
    actions.rename_organisation(ctx.database, ctx.viewer, ctx.viewer.org_name, request.name)
    return show_organisation(ctx, Nothing())


def add_user(ctx: Context, request: AddUser) -> NewToken:
    """Create a user in your organisation and return their API token (shown only once)."""
    token = actions.add_user(
        ctx.database,
        ctx.viewer,
        ctx.viewer.org_name,
        request.username,
        Role(request.role),
        request.purpose,
    )
    return NewToken(username=request.username, token=token)


def disable_user(ctx: Context, request: UserRef) -> UserRef:
    """Disable a user: their token and web sessions stop working at once."""
    actions.set_disabled(ctx.database, ctx.viewer, request.username, True, own_org_only=True)
    return request


def enable_user(ctx: Context, request: UserRef) -> UserRef:
    """Enable a disabled user again."""
    actions.set_disabled(ctx.database, ctx.viewer, request.username, False, own_org_only=True)
    return request


def change_role(ctx: Context, request: RoleChange) -> RoleChange:
    """Change a user's role."""
    actions.set_role(
        ctx.database, ctx.viewer, request.username, Role(request.role), own_org_only=True
    )
    return request


def rotate_token(ctx: Context, request: UserRef) -> NewToken:
    """Issue a user a new API token; the old one stops working at once."""
    token = actions.rotate_token(ctx.database, ctx.viewer, request.username, own_org_only=True)
    return NewToken(username=request.username, token=token)


def set_password(ctx: Context, request: PasswordChange) -> UserRef:
    """Set a user's web password (an admin of your organisation), or your own with your
    current one; the user's web sessions end."""
    if request.old_password is not None:
        if request.username != ctx.viewer.username:
            raise BadInput("old_password is for changing your own password only")
        actions.set_own_password(ctx.database, ctx.viewer, request.old_password, request.password)
    else:
        actions.set_password(
            ctx.database, ctx.viewer, request.username, request.password, own_org_only=True
        )
    return UserRef(username=request.username)


def issue_link(ctx: Context, request: LinkRequest) -> SignInLink:
    """Issue a one-time link that signs a user of your organisation in to the web
    interface (shown only this once)."""
    token = actions.issue_link(
        ctx.database, ctx.viewer, request.username, ctx.clock(), request.valid, own_org_only=True
    )
    return SignInLink(username=request.username, path=LINK_PATH + token, valid=request.valid)


def add_client(ctx: Context, request: ClientRef) -> OrganisationView:
    """Declare an organisation your client: it may receive what you receive as TLP:AMBER."""
    actions.change_client(ctx.database, ctx.viewer, ctx.viewer.org_name, request.client, True)
    return show_organisation(ctx, Nothing())


def remove_client(ctx: Context, request: ClientRef) -> OrganisationView:
    """Withdraw a client declaration."""
    actions.change_client(ctx.database, ctx.viewer, ctx.viewer.org_name, request.client, False)
    return show_organisation(ctx, Nothing())


def list_channels(ctx: Context, _request: Nothing) -> list[ChannelView]:
    """List the channels your organisation is a member of, with every member's rights."""
    _require_admin(ctx, "admin.channel-list")
    found = []
    with ctx.database.read() as conn:
        for row in conn.execute(channels.select().order_by(channels.c.title)):
            members = directory.channel_members_of(conn, row.id)
            if ctx.viewer.org_name not in {m.org_name for m in members}:
                continue
            found.append(
                ChannelView(
                    title=row.title,
                    alias=row.alias or "",
                    collection_id=row.collection_id,
                    members={m.org_name: rules.rights_text(m) for m in members},
                )
            )
    return found


def rename_channel(ctx: Context, request: ChannelRename) -> ChannelRef:
    """Change a channel's title, alias or description; its collection id stays."""
    changes = {"title": request.title, "alias": request.alias, "description": request.description}
    renamed = actions.rename_channel(
        ctx.database, ctx.viewer, request.channel, changes, own_org_only=True
    )
    return ChannelRef(channel=renamed.collection_id)


def lower_rights(ctx: Context, request: Rights) -> ChannelRef:
    """Lower your organisation's rights in a channel, or leave it (-); only the node's
    operator adds members or raises rights."""
    actions.set_member(
        ctx.database,
        ctx.viewer,
        request.channel,
        ctx.viewer.org_name,
        request.rights,
        own_org_only=True,
    )
    return ChannelRef(channel=request.channel)


def register(operation: Operation[RequestT]) -> Operation[RequestT]:
    """Register an administration operation: it audits its refusals itself (with what it
    would have changed), so the generic refusal entry would only repeat it."""
    return register_operation(dataclasses.replace(operation, audits_refusals=True))


_ORG = "/api/admin/organisation"
_ORGS = "/api/admin/organisations"
_USER = "/api/admin/users/{username}"
_CHANNEL = "/api/admin/channels/{channel}"

ORG = register(Operation("admin.org", "GET", _ORG, Nothing, show_organisation))
ORG_RENAME = register(
    Operation("admin.org-rename", "POST", _ORG + "/rename", Rename, rename_organisation)
)
CLIENT_ADD = register(
    Operation("admin.client-add", "POST", _ORG + "/clients", ClientRef, add_client)
)
CLIENT_REMOVE = register(
    Operation("admin.client-remove", "POST", _ORG + "/clients/remove", ClientRef, remove_client)
)
USER_ADD = register(Operation("admin.user-add", "POST", "/api/admin/users", AddUser, add_user))
USER_DISABLE = register(
    Operation("admin.user-disable", "POST", _USER + "/disable", UserRef, disable_user)
)
USER_ENABLE = register(
    Operation("admin.user-enable", "POST", _USER + "/enable", UserRef, enable_user)
)
USER_ROLE = register(Operation("admin.user-role", "POST", _USER + "/role", RoleChange, change_role))
USER_TOKEN = register(
    Operation("admin.user-token", "POST", _USER + "/token", UserRef, rotate_token)
)
USER_PASSWORD = register(
    Operation("admin.user-password", "POST", _USER + "/password", PasswordChange, set_password)
)
USER_LINK = register(Operation("admin.user-link", "POST", _USER + "/link", LinkRequest, issue_link))
CHANNELS = register(
    Operation("admin.channels", "GET", "/api/admin/channels", Nothing, list_channels)
)
CHANNEL_RENAME = register(
    Operation("admin.channel-rename", "POST", _CHANNEL + "/rename", ChannelRename, rename_channel)
)
CHANNEL_RIGHTS = register(
    Operation("admin.channel-rights", "POST", _CHANNEL + "/rights", Rights, lower_rights)
)
ORG_ADD = register(Operation("admin.org-add", "POST", _ORGS, NewOrganisation, add_organisation))
ORG_SET = register(Operation("admin.org-set", "POST", _ORG + "/region", RegionChange, set_region))
CHANNEL_ADD = register(
    Operation("admin.channel-add", "POST", "/api/admin/channels", NewChannel, add_channel)
)
CHANNEL_MEMBER = register(
    Operation("admin.channel-member", "POST", _CHANNEL + "/members", Member, set_member)
)
