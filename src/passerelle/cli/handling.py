"""``passerelle grant|acknowledge|audit``: permissions, H3 acknowledgements, the audit log."""

from __future__ import annotations

import json

import click
from sqlalchemy import Connection

from passerelle.audit import log as audit
from passerelle.cli.root import Node, cli, emit_rows, json_option, pass_node, user_option
from passerelle.errors import BadInput, Forbidden, NotFound
from passerelle.policy import actions
from passerelle.policy.directory import Channel, channel_by_collection_id, find_organisation
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import channel_for


def grant_target(conn: Connection, viewer: Viewer, reference: str) -> Channel:
    """Find the channel an onward-sharing grant is for.

    A producer usually grants sharing into a partner's channel it is not part of; it names
    that channel by the exact collection id the partner gave it (titles and aliases stay
    private to members).
    """
    try:
        return channel_for(conn, viewer, reference)
    except NotFound:
        return channel_by_collection_id(conn, reference)


@cli.command("grant")
@click.argument("object_id")
@click.option(
    "--channel",
    "channel_ref",
    help="Allow sharing it onward into this channel (a partner's: its collection id).",
)
@click.option("--court", is_flag=True, help="Allow its use in court (lifts H1).")
@click.option("--to", "org_name", help="With --court: the organisation allowed (default: any).")
@user_option
@pass_node
def grant_command(
    node: Node,
    object_id: str,
    channel_ref: str | None,
    court: bool,
    org_name: str | None,
    username: str | None,
) -> None:
    """As the producer, allow a use of OBJECT_ID that its handling rules forbid."""
    if bool(channel_ref) == court:
        raise BadInput("say what you grant: --channel C (onward sharing) or --court")
    viewer = node.viewer(username)
    with node.database.write() as conn:
        if court:
            org_id = find_organisation(conn, org_name).id if org_name else None
            actions.grant(conn, viewer, object_id, actions.COURT, org_id=org_id)
            detail = {"kind": "court", "to": org_name or "any"}
        else:
            assert channel_ref is not None
            channel = grant_target(conn, viewer, channel_ref)
            actions.grant(conn, viewer, object_id, actions.ONWARD, channel=channel)
            detail = {"kind": "onward", "channel": channel.title}
        audit.record(node.database, conn, viewer, "grant", [object_id], detail)
    click.echo(f"granted {detail['kind']} use of {object_id}")


@cli.command("acknowledge")
@click.argument("object_id")
@user_option
@pass_node
def acknowledge_command(node: Node, object_id: str, username: str | None) -> None:
    """Acknowledge the H3 restriction of OBJECT_ID (printed) so that you may read it."""
    viewer = node.viewer(username)
    with node.database.write() as conn:
        text = actions.acknowledge(conn, viewer, object_id)
        audit.record(node.database, conn, viewer, "acknowledge", [object_id])
    click.echo(f"acknowledged for {object_id}:\n{text}")


@cli.group("audit")
def audit_group() -> None:
    """Read and check the hash-chained audit log."""


@audit_group.command("verify")
@json_option
@pass_node
def audit_verify(node: Node, as_json: bool) -> None:
    """Check that no entry was altered, removed or reordered; print the head hash."""
    key = node.database.audit_key
    assert key is not None  # the node opens its database with its key
    with node.database.read() as conn:
        verdict = audit.verify(conn, key)
    if as_json:
        click.echo(json.dumps(verdict.__dict__))
    elif verdict.ok:
        click.echo(
            f"audit log intact: {verdict.checked} entries, keyed from entry "
            f"{verdict.keyed_from}, head {verdict.head}"
        )
    if not verdict.ok:
        raise click.ClickException(f"audit log broken: {verdict.problem}")


@audit_group.command("show")
@click.option("--object", "object_id", help="Only entries about this object.")
@click.option("--user", "username", help="Only entries by this user.")
@click.option(
    "--as",
    "auditor",
    help="The auditor reading the log (default: PASSERELLE_USER).",
)
@json_option
@pass_node
def audit_show(
    node: Node, object_id: str | None, username: str | None, auditor: str | None, as_json: bool
) -> None:
    """Show audit entries (auditors only): who did what, when, for which purpose."""
    viewer = node.viewer(auditor)
    if viewer.role is not Role.AUDITOR:
        raise Forbidden("only an auditor may read the audit log")
    with node.database.write() as conn:
        found = audit.entries(conn, object_id, username)
        audit.record(
            node.database, conn, viewer, "read-audit", [], {"object": object_id, "user": username}
        )
    rows = [e.as_dict() for e in found]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        row["objects"] = len(row["objects"])
    emit_rows(rows, ["seq", "at", "user", "organisation", "action", "purpose", "objects"], False)
