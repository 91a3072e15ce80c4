"""``passerelle import|export``: STIX bundles in and out of a channel, as a user."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import orjson

from passerelle.cli.client import RemoteClient, remote_client, url_option
from passerelle.cli.root import Node, cli, json_option, pass_node, stderr_progress, user_option
from passerelle.errors import BadInput
from passerelle.settings import HANDLING_HEADER

# The export's bundle ends with the withheld ids (objects.bundles.WITHHELD, not imported:
# that would load the database layer for a remote export).
WITHHELD = "x_passerelle_withheld"
# Objects per POST of a remote import: well under the node's request size limit.
REMOTE_BATCH = 500
_CHUNK = 64 * 1024
_TAIL = 1024 * 1024


def _read_objects(path: str) -> list[Any]:
    raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        # orjson's own text names its parser's state; the place is what the user needs.
        raise BadInput(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno})") from exc
    if isinstance(document, dict) and isinstance(document.get("objects"), list):
        return list(document["objects"])
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and "type" in document:
        return [document]
    raise BadInput(f"{path} holds no STIX objects: expected a bundle, an envelope or a list")


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--channel", "channel_ref", required=True, help="Channel title, alias or id.")
@click.option(
    "--recipient",
    "recipients",
    multiple=True,
    help="A named recipient of the file's TLP:RED objects (a username); repeat for each.",
)
@user_option
@json_option
@url_option
@pass_node
def import_bundle(
    node: Node,
    file: str,
    channel_ref: str,
    recipients: tuple[str, ...],
    username: str | None,
    as_json: bool,
    url: str | None,
) -> None:
    """Import the STIX objects of FILE (a bundle; - for stdin) into a channel; with --url,
    into a channel of a running node (POST /api/import, a batch at a time).

    Exits non-zero when any object was rejected (the others are stored), saying how many.
    """
    objects = _read_objects(file)
    remote = remote_client(node, username, url)
    if remote is not None:
        summary = _import_remotely(remote, channel_ref, recipients, objects)
    else:
        summary = _import_locally(node, username, channel_ref, recipients, objects)
    rejected: list[dict[str, Any]] = summary["rejected"]
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        for entry in rejected:
            click.echo(f"rejected {entry.get('id') or '(no id)'}: {entry['message']}", err=True)
        click.echo(
            f"{summary['accepted']} accepted, {len(rejected)} rejected into {summary['channel']!r}"
        )
    if rejected:
        raise click.ClickException(
            f"{len(rejected)} of {len(objects)} objects rejected ({summary['accepted']} stored)"
        )


def _import_locally(
    node: Node,
    username: str | None,
    channel_ref: str,
    recipients: tuple[str, ...],
    objects: list[Any],
) -> dict[str, Any]:
    from passerelle.objects.bundles import import_objects, writable_channel

    viewer = node.viewer(username)
    target = writable_channel(node.database, viewer, channel_ref, recipients)
    with stderr_progress(len(objects), f"importing into {target.title}") as bar:
        imported = import_objects(
            node.database, node.hooks, viewer, target, objects, recipients, node.clock, bar.update
        )
    return imported.as_dict()


def _import_remotely(
    remote: RemoteClient, channel_ref: str, recipients: tuple[str, ...], objects: list[Any]
) -> dict[str, Any]:
    """POST the objects a batch at a time, the node applying every rule to each one."""
    summary: dict[str, Any] = {"channel": channel_ref, "accepted": 0, "rejected": []}
    with stderr_progress(len(objects), f"importing into {channel_ref}") as bar:
        for start in range(0, len(objects), REMOTE_BATCH):
            batch = objects[start : start + REMOTE_BATCH]
            body = {"channel": channel_ref, "recipients": list(recipients), "objects": batch}
            answer = remote.post("/api/import", body)
            summary["channel"] = answer["channel"]
            summary["accepted"] += answer["accepted"]
            summary["rejected"] += answer["rejected"]
            bar.update(len(batch))
    return summary


@cli.command("export")
@click.option("--channel", "channel_ref", required=True, help="Channel title, alias or id.")
@click.option("--all-versions", is_flag=True, help="Every version, not only the latest.")
@click.option(
    "--for-court",
    is_flag=True,
    help="For use in court: refused if any object is H1 without its producer's permission.",
)
@user_option
@url_option
@pass_node
def export_bundle(
    node: Node,
    channel_ref: str,
    all_versions: bool,
    for_court: bool,
    username: str | None,
    url: str | None,
) -> None:
    """Print the channel's objects that you may see as a STIX bundle on stdout, as it is
    read (with --url, streamed from a running node: GET /api/export).

    TLP:RED objects are never exported in bulk; H3 objects you have not acknowledged are
    left out (listed on stderr and in the bundle's x_passerelle_withheld). The most
    restrictive handling of the content is printed on stderr: it applies to the bundle as
    a whole.
    """
    out = sys.stdout.buffer
    remote = remote_client(node, username, url)
    if remote is not None:
        query = {"channel": channel_ref, "all_versions": all_versions, "for_court": for_court}
        with remote.stream("/api/export", query) as answer:
            handling = answer.headers.get(HANDLING_HEADER, "")
            tail = _copy(answer, out)
        withheld = _withheld_in(tail)
        click.echo(
            f"exported from {url or node.settings.client.url}; handling: {handling}", err=True
        )
    else:
        from passerelle.objects.bundles import Exported, describe, export_pieces

        exported = Exported()
        viewer = node.viewer(username)
        pieces = export_pieces(
            node.database, viewer, channel_ref, all_versions, for_court, exported
        )
        for piece in pieces:
            out.write(piece)
        out.flush()
        handling = describe(exported.handling) if exported.handling else ""
        click.echo(
            f"exported {len(exported.objects)} objects; handling of the whole: {handling}", err=True
        )
        withheld = exported.withheld
    for stix_id in withheld:
        click.echo(
            f"withheld {stix_id}: acknowledge its H3 restriction first (passerelle acknowledge)",
            err=True,
        )


def _copy(answer: Any, out: Any) -> bytes:
    """Copy a streamed answer to ``out``; return its last bytes (where the withheld are)."""
    tail = b""
    while chunk := answer.read(_CHUNK):
        out.write(chunk)
        tail = (tail + chunk)[-_TAIL:]
    out.flush()
    return tail


def _withheld_in(tail: bytes) -> list[str]:
    """Return the withheld ids a bundle's end lists (none when it names none)."""
    marker = f'"{WITHHELD}":'.encode()
    if marker not in tail:
        return []
    listed = tail.rsplit(marker, 1)[1].rstrip().removesuffix(b"}")
    try:
        return [str(stix_id) for stix_id in orjson.loads(listed)]
    except orjson.JSONDecodeError:
        return []
