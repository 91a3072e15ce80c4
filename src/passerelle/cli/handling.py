"""``passerelle grant|acknowledge|audit``: permissions, H3 acknowledgements, the audit log."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from passerelle.cli.client import client_options, remote_client, url_option
from passerelle.cli.root import Node, cli, emit_rows, json_option, pass_node, user_option
from passerelle.errors import BadInput, Forbidden
from passerelle.policy.roles import Role
from passerelle.stix.timestamps import now_micros

if TYPE_CHECKING:
    from passerelle.store.database import AuditKey


@cli.command("grant")
@click.argument("object_id")
@click.option(
    "--channel",
    "channel_ref",
    help="Allow sharing it onward into this channel (a partner's: its collection id).",
)
@click.option("--court", is_flag=True, help="Allow its use in court (lifts H1).")
@click.option("--to", "org_name", help="With --court: the organisation allowed (default: any).")
@click.option(
    "--federate",
    "federate_to",
    metavar="ORG",
    help="Allow pushing it (H2) to the peer that speaks for ORG.",
)
@click.option(
    "--forward",
    "forward_to",
    metavar="ORG",
    help="Allow the node of --by ORG, which received it, to forward it to ORG's node "
    "(a new version carrying the grant).",
)
@click.option(
    "--by", "forward_by", metavar="ORG", help="With --forward: whose node may forward it."
)
@client_options
@pass_node
def grant_command(
    node: Node,
    object_id: str,
    channel_ref: str | None,
    court: bool,
    org_name: str | None,
    federate_to: str | None,
    forward_to: str | None,
    forward_by: str | None,
    username: str | None,
    url: str | None,
) -> None:
    """As the producer, allow a use of OBJECT_ID that its handling rules forbid."""
    values: dict[str, object] = {
        "object_id": object_id,
        "channel": channel_ref,
        "court": court,
        "court_to": org_name,
        "federate_to": federate_to,
        "forward_to": forward_to,
        "forward_by": forward_by,
    }
    remote = remote_client(node, username, url)
    if remote is not None:
        detail = remote.post("/api/grants", values)
    else:
        from passerelle.objects.grants import Grant, grant

        asked = Grant(object_id, channel_ref, court, org_name, federate_to, forward_to, forward_by)
        detail = grant(node.database, node.viewer(username), asked, node.hooks)
    click.echo(f"granted {detail['kind']} use of {object_id}")


@cli.command("acknowledge")
@click.argument("object_id")
@client_options
@pass_node
def acknowledge_command(node: Node, object_id: str, username: str | None, url: str | None) -> None:
    """Acknowledge the H3 restriction of OBJECT_ID (printed) so that you may read it."""
    remote = remote_client(node, username, url)
    if remote is not None:
        text = remote.post("/api/acknowledgements", {"object_id": object_id})["acknowledged"]
    else:
        from passerelle.objects.grants import acknowledge

        text = acknowledge(node.database, node.viewer(username), object_id)
    click.echo(f"acknowledged for {object_id}:\n{text}")


@cli.group("audit")
def audit_group() -> None:
    """Read and check the hash-chained audit log."""


@audit_group.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also check every checkpoint in this file (from `audit checkpoint`); repeatable.",
)
@json_option
@url_option
@pass_node
def audit_verify(
    node: Node, checkpoint_files: tuple[Path, ...], as_json: bool, url: str | None
) -> None:
    """Check that no entry was altered, removed or reordered, and that the log still holds
    every checkpointed head; print the head hash (an auditor's, with --url)."""
    remote = remote_client(node, None, url)
    if remote is not None:
        if checkpoint_files:
            raise BadInput("--checkpoint is checked on the node itself, not with --url")
        _print_verdict(remote.get("/api/audit/verify", {}), as_json)
        return
    from passerelle.audit import checkpoints
    from passerelle.audit import log as audit

    key = _audit_key(node)
    lines = [
        (f"{path} line {number}", line)
        for path in checkpoint_files
        for number, line in enumerate(_lines(path), 1)
    ]
    with node.database.read() as conn:
        verdict = audit.verify(conn, key)
        checked, problem = checkpoints.check(conn, key, lines) if verdict.ok else (0, "")
    if problem:
        verdict = replace(verdict, ok=False, problem=problem)
    matched = f"; {checked} checkpoints hold" if checkpoint_files else ""
    _print_verdict({**verdict.__dict__, "checkpoints": checked}, as_json, matched)


def _print_verdict(verdict: dict[str, object], as_json: bool, matched: str = "") -> None:
    if as_json:
        click.echo(json.dumps(verdict))
    elif verdict["ok"]:
        click.echo(
            f"audit log intact: {verdict['checked']} entries, keyed from entry "
            f"{verdict['keyed_from']}{matched}, head {verdict['head']}"
        )
    if not verdict["ok"]:
        raise click.ClickException(f"audit log broken: {verdict['problem']}")


@audit_group.command("checkpoint")
@click.option(
    "--append",
    "append_to",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append the checkpoint to this file instead of printing it.",
)
@pass_node
def audit_checkpoint(node: Node, append_to: Path | None) -> None:
    """Check the log, then print a checkpoint of its head signed with the node's audit key:
    keep it off the node (cron, a remote log) for `audit verify --checkpoint`."""
    from passerelle.audit import checkpoints
    from passerelle.audit import log as audit

    key = _audit_key(node)
    with node.database.read() as conn:
        verdict = audit.verify(conn, key)
    if not verdict.ok:
        # Signing the head of a broken log would vouch for it.
        raise click.ClickException(f"audit log broken: {verdict.problem}")
    line = checkpoints.sign(key, verdict.head_seq, verdict.head, now_micros()).line()
    if append_to is None:
        click.echo(line)
        return
    with append_to.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())
    click.echo(f"checkpoint of entry {verdict.head_seq} appended to {append_to}")


def _lines(path: Path) -> list[str]:
    # A damaged byte fails its line's check instead of stopping the whole verification.
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


def _audit_key(node: Node) -> AuditKey:
    key = node.database.audit_key
    assert key is not None  # the node opens its database with its key
    return key


@audit_group.command("show")
@click.option("--object", "object_id", help="Only entries about this object.")
@click.option("--by", "by_user", help="Only entries by this user.")
@user_option
@click.option("--as", "old_as", hidden=True, help="The old name of --user.")
@json_option
@url_option
@pass_node
def audit_show(
    node: Node,
    object_id: str | None,
    by_user: str | None,
    username: str | None,
    old_as: str | None,
    as_json: bool,
    url: str | None,
) -> None:
    """Show audit entries (auditors only): who did what, when, for which purpose; with
    --url, the entries of the auditor's organisation on a running node. --user is the
    auditor reading, as everywhere; --by filters by who acted."""
    auditor = _reader(username, old_as)
    remote = remote_client(node, auditor, url)
    if remote is not None:
        rows = remote.get("/api/audit", {"object": object_id, "user": by_user})
    else:
        rows = _local_entries(node, object_id, by_user, auditor)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        row["objects"] = len(row["objects"])
    emit_rows(rows, ["seq", "at", "user", "organisation", "action", "purpose", "objects"], False)


def _reader(username: str | None, old_as: str | None) -> str | None:
    """Return who reads the log: --user, or --as, its old name (not both, unless equal:
    --user once filtered by who acted, so a script giving both means the old way)."""
    if old_as is not None and username is not None and old_as != username:
        raise click.UsageError(
            "--user is the auditor reading the log (it was --as); filter by who acted with --by"
        )
    return username or old_as


def _local_entries(
    node: Node, object_id: str | None, username: str | None, auditor: str | None
) -> list[dict[str, object]]:
    """Read the node's whole log as an auditor (the read is an entry; a refusal too)."""
    from passerelle.audit import log as audit

    viewer = node.viewer(auditor)
    if viewer.role is not Role.AUDITOR:
        audit.record_alone(node.database, viewer, "read-audit-refused", [], {"asked": "show"})
        raise Forbidden("only an auditor may read the audit log")
    with node.database.write() as conn:
        found = audit.entries(conn, object_id, username)
        audit.record(
            node.database, conn, viewer, "read-audit", [], {"object": object_id, "user": username}
        )
    return [e.as_dict() for e in found]
