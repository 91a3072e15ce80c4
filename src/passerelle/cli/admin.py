"""The administration's commands beside ``org|user|channel add``: disable, enable, roles,
renames, clients withdrawn, channel members; and who acts for every one of them.

Each command acts as ``--user`` (or PASSERELLE_USER), checked against the ``admin`` role
of the organisation concerned. Without one, only the node's bootstrap is open: while the
node has no operator admin, the holder of the database file sets it up (README.md,
"Administration").

With ``--url`` (and the admin's token in PASSERELLE_TOKEN) a command acts on a running
node through ``/api/admin``: for the admin's own organisation only, which the node
decides from the token (an ORG argument must then name it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from passerelle.cli.client import RemoteClient, remote_client, url_option
from passerelle.cli.directory import channel, org, user
from passerelle.cli.root import Node, pass_node, user_option
from passerelle.errors import BadInput, Forbidden
from passerelle.policy.roles import Role

if TYPE_CHECKING:
    from passerelle.policy.viewer import Viewer


@contextmanager
def acting(node: Node, username: str | None) -> Iterator[Viewer | None]:
    """Yield who acts (None: nobody named, the bootstrap); a refusal says how to name one."""
    username = username or node.settings.client.user
    actor = None
    if username:
        actor = node.viewer(username)
    try:
        yield actor
    except Forbidden as exc:
        if actor is not None:
            raise
        raise Forbidden(f"{exc.message} (say who acts: --user NAME)") from exc


def own_organisation(remote: RemoteClient, org_name: str) -> dict[str, Any]:
    """Return the caller's organisation as the node shows it to its admins; refuse an ORG
    that is not it (over --url an admin administers their own organisation only)."""
    shown: dict[str, Any] = remote.call("admin.org", {})
    if shown["name"] != org_name:
        raise BadInput(
            f"over --url you administer your own organisation ({shown['name']!r}), not {org_name!r}"
        )
    return shown


@org.command("rename")
@click.argument("org_name", metavar="ORG")
@click.argument("new_name")
@user_option
@url_option
@pass_node
def org_rename(
    node: Node, org_name: str, new_name: str, username: str | None, url: str | None
) -> None:
    """Rename ORG to NEW_NAME (its id, users, channels and objects stay)."""
    remote = remote_client(node, username, url)
    if remote is not None:
        own_organisation(remote, org_name)
        renamed = remote.call("admin.org-rename", {"name": new_name})["name"]
        click.echo(f"organisation {org_name!r} is now {renamed!r}")
        return
    from passerelle.admin import actions

    with acting(node, username) as actor:
        renamed = actions.rename_organisation(node.database, actor, org_name, new_name)
    click.echo(f"organisation {org_name!r} is now {renamed!r}")


@org.command("client-remove")
@click.argument("org_name", metavar="ORG")
@click.argument("client")
@user_option
@url_option
@pass_node
def org_client_remove(
    node: Node, org_name: str, client: str, username: str | None, url: str | None
) -> None:
    """Withdraw CLIENT as a client of ORG: it stops receiving ORG's TLP:AMBER content."""
    remote = remote_client(node, username, url)
    if remote is not None:
        own_organisation(remote, org_name)
        remote.call("admin.client-remove", {"client": client})
    else:
        from passerelle.admin import actions

        with acting(node, username) as actor:
            actions.change_client(node.database, actor, org_name, client, False)
    click.echo(f"{client!r} is no longer a client of {org_name!r}")


def _switch(node: Node, username: str | None, url: str | None, target: str, disabled: bool) -> None:
    remote = remote_client(node, username, url)
    if remote is not None:
        remote.call("admin.user-disable" if disabled else "admin.user-enable", {"username": target})
    else:
        from passerelle.admin import actions

        with acting(node, username) as actor:
            actions.set_disabled(node.database, actor, target, disabled)
    click.echo(f"user {target!r} {'disabled' if disabled else 'enabled'}")


@user.command("disable")
@click.argument("target", metavar="USERNAME")
@user_option
@url_option
@pass_node
def user_disable(node: Node, target: str, username: str | None, url: str | None) -> None:
    """Disable USERNAME: their token, web sessions and sign-in links stop working at once."""
    _switch(node, username, url, target, True)


@user.command("enable")
@click.argument("target", metavar="USERNAME")
@user_option
@url_option
@pass_node
def user_enable(node: Node, target: str, username: str | None, url: str | None) -> None:
    """Enable USERNAME again (their token works again)."""
    _switch(node, username, url, target, False)


@user.command("role")
@click.argument("target", metavar="USERNAME")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@user_option
@url_option
@pass_node
def user_role(node: Node, target: str, role: str, username: str | None, url: str | None) -> None:
    """Give USERNAME the role ROLE."""
    remote = remote_client(node, username, url)
    if remote is not None:
        remote.call("admin.user-role", {"username": target, "role": role})
    else:
        from passerelle.admin import actions

        with acting(node, username) as actor:
            actions.set_role(node.database, actor, target, Role(role))
    click.echo(f"user {target!r} is now {role}")


@channel.command("rename")
@click.argument("name")
@click.option("--title", help="The new title.")
@click.option("--alias", help="The new alias ('' removes it).")
@click.option("--description", help="The new description.")
@user_option
@url_option
@pass_node
def channel_rename(
    node: Node,
    name: str,
    title: str | None,
    alias: str | None,
    description: str | None,
    username: str | None,
    url: str | None,
) -> None:
    """Change the title, alias or description of the channel NAME (its collection id
    stays)."""

    if title is None and alias is None and description is None:
        raise click.UsageError("say what changes: --title, --alias or --description")
    changes = {"title": title, "alias": alias, "description": description}
    remote = remote_client(node, username, url)
    if remote is not None:
        renamed_id = remote.call("admin.channel-rename", {"channel": name, **changes})["channel"]
        click.echo(f"channel {renamed_id}: renamed")
        return
    from passerelle.admin import actions

    with acting(node, username) as actor:
        renamed = actions.rename_channel(node.database, actor, name, changes)
    click.echo(f"channel {renamed.collection_id}: {renamed.title!r} (alias {renamed.alias!r})")


@channel.command("member")
@click.argument("name")
@click.argument("org_name", metavar="ORG")
@click.argument("rights", type=click.Choice(["r", "w", "rw", "-"]))
@user_option
@url_option
@pass_node
def channel_member(
    node: Node, name: str, org_name: str, rights: str, username: str | None, url: str | None
) -> None:
    """Give ORG the RIGHTS r, w or rw in the channel NAME, or take it out (-).

    An organisation's admin may lower its own rights or leave; adding a member or raising
    rights is the node operator's.
    """
    remote = remote_client(node, username, url)
    if remote is not None:
        shown = remote.call("admin.org", {})
        if shown["name"] == org_name and not shown.get("runs_node"):
            remote.call("admin.channel-rights", {"channel": name, "rights": rights})
        else:
            asked = {"channel": name, "organisation": org_name, "rights": rights}
            remote.call("admin.channel-member", asked)
    else:
        from passerelle.admin import actions

        with acting(node, username) as actor:
            actions.set_member(node.database, actor, name, org_name, rights)
    click.echo(f"{org_name!r} in {name!r}: {rights}")
