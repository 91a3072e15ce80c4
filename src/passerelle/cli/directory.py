"""``passerelle org|user|channel``: the register of organisations, users and channels."""

from __future__ import annotations

import click

from passerelle.cli.client import client_options, remote_client, url_option
from passerelle.cli.root import Node, cli, emit_rows, json_option, pass_node, user_option
from passerelle.durations import parse_duration
from passerelle.errors import BadInput
from passerelle.policy.roles import Role
from passerelle.stix.markings import Tlp


@cli.group()
def org() -> None:
    """Manage organisations (services and agencies)."""


@org.command("add")
@click.argument("name")
@click.option(
    "--operator",
    is_flag=True,
    help="NAME runs the node: its admins create organisations and channels and decide "
    "who is in a channel.",
)
@user_option
@url_option
@pass_node
def org_add(node: Node, name: str, operator: bool, username: str | None, url: str | None) -> None:
    """Register an organisation called NAME (the node operator's; with --url, an admin of
    an operator organisation, by their token)."""
    from passerelle.cli.admin import acting

    remote = remote_client(node, username, url)
    if remote is not None:
        added = remote.call("admin.org-add", {"name": name, "operator": operator})
        created_name = str(added["name"])
    else:
        from passerelle.admin import actions

        with acting(node, username) as actor:
            created_name = actions.add_organisation(node.database, actor, name, operator).name
    click.echo(f"organisation {created_name!r} added" + (" (operator)" if operator else ""))


@org.command("list")
@json_option
@pass_node
def org_list(node: Node, as_json: bool) -> None:
    """List the organisations."""
    from passerelle.policy import directory
    from passerelle.policy.regions import phone_regions

    with node.database.read() as conn:
        regions = phone_regions(conn)
        found = directory.list_organisations(conn)
    rows = [{"name": o.name, "phone_region": regions.get(o.name, "")} for o in found]
    emit_rows(rows, ["name", "phone_region"], as_json)


@org.command("set")
@click.argument("org_name", metavar="ORG")
@click.option(
    "--phone-region",
    required=True,
    metavar="CC",
    help="Region (RU, DE, ...) of the phone numbers in ORG's objects written without an "
    "international prefix; '' for the node's (PASSERELLE_PHONE_REGION).",
)
@user_option
@url_option
@pass_node
def org_set(
    node: Node, org_name: str, phone_region: str, username: str | None, url: str | None
) -> None:
    """Change a setting of ORG: the region its objects' phone numbers are read in (ORG's
    admin's, or the node operator's)."""
    remote = remote_client(node, username, url)
    if remote is not None:
        asked = {"phone_region": phone_region, "organisation": org_name}
        region = str(remote.call("admin.org-set", asked)["phone_region"])
        shown = region or "the node's default"
    else:
        from passerelle.admin import actions
        from passerelle.cli.admin import acting

        with acting(node, username) as actor:
            region = actions.set_region(node.database, actor, org_name, phone_region) or ""
        shown = region or f"the node's ({node.settings.phone_region})"
    click.echo(f"phone numbers of {org_name!r} are read in {shown}")
    click.echo("for objects stored from now on; `passerelle reindex` for the others", err=True)


@org.command("client-add")
@click.argument("org_name", metavar="ORG")
@click.argument("client")
@user_option
@url_option
@pass_node
def org_client_add(
    node: Node, org_name: str, client: str, username: str | None, url: str | None
) -> None:
    """Declare CLIENT a client of ORG: it may receive what ORG receives as TLP:AMBER."""
    from passerelle.cli.admin import acting, own_organisation

    remote = remote_client(node, username, url)
    if remote is not None:
        own_organisation(remote, org_name)
        remote.call("admin.client-add", {"client": client})
    else:
        from passerelle.admin import actions

        with acting(node, username) as actor:
            actions.change_client(node.database, actor, org_name, client, True)
    click.echo(f"{client!r} is now a client of {org_name!r}")


@org.command("clients")
@click.argument("org_name", metavar="ORG")
@json_option
@client_options
@pass_node
def org_clients(
    node: Node, org_name: str, as_json: bool, username: str | None, url: str | None
) -> None:
    """List the declared clients of ORG (with --url, ORG is your own organisation)."""
    remote = remote_client(node, username, url)
    if remote is not None:
        from passerelle.cli.admin import own_organisation

        names = own_organisation(remote, org_name)["clients"]
    else:
        from passerelle.policy import directory

        with node.database.read() as conn:
            names = directory.clients_of(conn, org_name)
    rows = [{"client": name} for name in names]
    emit_rows(rows, ["client"], as_json)


@cli.group()
def user() -> None:
    """Manage users and their API tokens."""


@user.command("add")
@click.argument("org_name", metavar="ORG")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.ANALYST.value,
    show_default=True,
    help="What the user does on this node.",
)
@click.option("--purpose", default="", help="Purpose recorded when a request declares none.")
@click.option("--user", "acting_as", help="Act as this admin of ORG (default: PASSERELLE_USER).")
@url_option
@pass_node
def user_add(
    node: Node,
    org_name: str,
    username: str,
    role: str,
    purpose: str,
    acting_as: str | None,
    url: str | None,
) -> None:
    """Create USERNAME in ORG and print their API token (shown only this once)."""
    from passerelle.cli.admin import acting, own_organisation

    remote = remote_client(node, acting_as, url)
    if remote is not None:
        own_organisation(remote, org_name)
        asked = {"username": username, "role": role, "purpose": purpose}
        token = remote.call("admin.user-add", asked)["token"]
    else:
        from passerelle.admin import actions

        with acting(node, acting_as) as actor:
            token = actions.add_user(node.database, actor, org_name, username, Role(role), purpose)
    click.echo(token)
    click.echo(
        f"user {username!r} ({role}) added to {org_name!r}; keep the token above, "
        "it is not stored and cannot be shown again",
        err=True,
    )


@user.command("token")
@click.argument("username")
@click.option("--user", "acting_as", help="Act as this admin (default: PASSERELLE_USER).")
@url_option
@pass_node
def user_token(node: Node, username: str, acting_as: str | None, url: str | None) -> None:
    """Issue a new API token for USERNAME; the old one stops working."""
    from passerelle.cli.admin import acting

    remote = remote_client(node, acting_as, url)
    if remote is not None:
        token = remote.call("admin.user-token", {"username": username})["token"]
    else:
        from passerelle.admin import actions

        with acting(node, acting_as) as actor:
            token = actions.rotate_token(node.database, actor, username)
    click.echo(token)


@user.command("password")
@click.argument("username")
@click.password_option(
    "--password",
    prompt="New web password",
    help="The password (asked twice, unechoed, when not given; at least 12 characters).",
)
@click.option(
    "--old-password",
    help="Your current password, to change your own as yourself (not as an admin).",
)
@click.option("--user", "acting_as", help="Act as this admin (default: PASSERELLE_USER).")
@url_option
@pass_node
def user_password(
    node: Node,
    username: str,
    password: str,
    old_password: str | None,
    acting_as: str | None,
    url: str | None,
) -> None:
    """Set the password USERNAME signs in to the web interface with (stored as an argon2
    hash): an admin of USERNAME's organisation, or USERNAME with --old-password."""
    remote = remote_client(node, acting_as, url)
    if remote is not None:
        asked = {"username": username, "password": password, "old_password": old_password}
        remote.call("admin.user-password", asked)
    else:
        from passerelle.admin import actions
        from passerelle.cli.admin import acting

        with acting(node, acting_as) as actor:
            if old_password is None:
                actions.set_password(node.database, actor, username, password)
            elif actor is None or actor.username != username:
                raise BadInput("--old-password is for changing your own password (--user you)")
            else:
                actions.set_own_password(node.database, actor, old_password, password)
    click.echo(f"web password of {username!r} set", err=True)


@user.command("link")
@click.argument("username")
@click.option(
    "--valid",
    default="15m",
    show_default=True,
    help="How long the link stays good (it is good for one sign-in), e.g. 15m, 1h.",
)
@click.option("--user", "acting_as", help="Act as this admin (default: PASSERELLE_USER).")
@url_option
@pass_node
def user_link(
    node: Node, username: str, valid: str, acting_as: str | None, url: str | None
) -> None:
    """Print a one-time link that signs USERNAME in to the web interface (the node's
    PASSERELLE_PUBLIC_URL, else http://127.0.0.1:8000; with --url, that node's)."""
    parse_duration(valid)  # a bad duration is refused before anything is asked
    remote = remote_client(node, acting_as, url)
    if remote is not None:
        asked = {"username": username, "valid": valid}
        path = str(remote.call("admin.user-link", asked)["path"])
        click.echo(f"{remote.base}{path}")
    else:
        from passerelle.admin import actions
        from passerelle.cli.admin import acting
        from passerelle.policy.signin_links import LINK_PATH
        from passerelle.stix.timestamps import now_micros

        with acting(node, acting_as) as actor:
            token = actions.issue_link(node.database, actor, username, now_micros(), valid)
        base = node.settings.public_url or "http://127.0.0.1:8000"
        click.echo(f"{base}{LINK_PATH}{token}")
    click.echo(f"good for one sign-in of {username!r} within {valid}", err=True)


@user.command("list")
@json_option
@client_options
@pass_node
def user_list(node: Node, as_json: bool, username: str | None, url: str | None) -> None:
    """List the users with their organisation and role (with --url, your organisation's,
    as its admin)."""
    remote = remote_client(node, username, url)
    if remote is not None:
        shown = remote.call("admin.org", {})
        rows = [{**u, "organisation": shown["name"]} for u in shown["users"]]
    else:
        from passerelle.policy import directory

        with node.database.read() as conn:
            rows = directory.list_users(conn)
    emit_rows(rows, ["username", "organisation", "role"], as_json)


@cli.group()
def channel() -> None:
    """Manage sharing channels (TAXII collections)."""


@channel.command("add")
@click.argument("title")
@click.option(
    "--member",
    "members",
    multiple=True,
    required=True,
    help="ORG:rw, ORG:r or ORG:w; repeat for each member organisation.",
)
@click.option("--alias", help="A short name for URLs and commands.")
@click.option("--description", default="", help="What the channel is for.")
@user_option
@url_option
@click.option(
    "--default-tlp",
    type=click.Choice(["clear", "green", "amber", "amber+strict", "red"]),
    default="amber",
    show_default=True,
    help="TLP given to objects posted without one.",
)
@pass_node
def channel_add(
    node: Node,
    title: str,
    members: tuple[str, ...],
    alias: str | None,
    description: str,
    username: str | None,
    url: str | None,
    default_tlp: str,
) -> None:
    """Create a channel called TITLE shared by its member organisations (the node
    operator's)."""
    tlp = Tlp.parse(default_tlp)
    if tlp is Tlp.RED:
        raise BadInput("a channel cannot default to TLP:RED: RED names its recipients")
    remote = remote_client(node, username, url)
    if remote is not None:
        asked = {
            "title": title,
            "members": dict(_member_rights(m) for m in members),
            "alias": alias,
            "description": description,
            "default_tlp": default_tlp,
        }
        collection_id = str(remote.call("admin.channel-add", asked)["collection_id"])
    else:
        from passerelle.admin import actions
        from passerelle.cli.admin import acting
        from passerelle.policy.directory import Membership

        parsed = [Membership.parse(m) for m in members]
        with acting(node, username) as actor:
            created = actions.add_channel(
                node.database, actor, title, parsed, alias, description, tlp
            )
        collection_id = created.collection_id
    click.echo(collection_id)
    click.echo(f"channel {title!r} added: TAXII collection {collection_id}", err=True)


def _member_rights(text: str) -> tuple[str, str]:
    """Read ``ORG:rw`` into the organisation and its rights (r, w or rw)."""
    org_name, _, rights = text.rpartition(":")
    if not org_name or rights not in ("r", "w", "rw"):
        raise BadInput(f"a member is ORG:rw, ORG:r or ORG:w, not {text[:80]!r}")
    return org_name, rights


@channel.command("list")
@json_option
@client_options
@pass_node
def channel_list(node: Node, as_json: bool, username: str | None, url: str | None) -> None:
    """List every channel with its collection id and members (an administrator's view;
    with --url, the channels of your organisation, as its admin)."""
    remote = remote_client(node, username, url)
    if remote is not None:
        shown = remote.call("admin.channels", {})
        for found in shown:
            found["members"] = ", ".join(f"{o}:{r}" for o, r in found["members"].items())
        emit_rows(shown, ["title", "alias", "collection_id", "members"], as_json)
        return
    from passerelle.policy import directory
    from passerelle.store.schema import channels

    with node.database.read() as conn:
        rows = []
        for row in conn.execute(channels.select().order_by(channels.c.title)):
            found = directory.channel_row_to_channel(row)
            members = directory.channel_members_of(conn, found.id)
            rows.append(
                {
                    "title": found.title,
                    "alias": found.alias or "",
                    "collection_id": found.collection_id,
                    "default_tlp": found.default_tlp.label,
                    "members": ", ".join(
                        f"{m.org_name}:{'r' if m.can_read else ''}{'w' if m.can_write else ''}"
                        for m in members
                    ),
                }
            )
    emit_rows(rows, ["title", "alias", "collection_id", "default_tlp", "members"], as_json)
