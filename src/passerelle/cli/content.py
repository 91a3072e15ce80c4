"""``passerelle import|export``: STIX bundles in and out of a channel, as a user;
``passerelle erase``: an object erased for data-protection reasons."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
import orjson

from passerelle.cli.client import (
    RemoteClient,
    client_options,
    make_client,
    remote_client,
    url_option,
)
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


MISP_IMPORT_HELP = (
    "FILE is a MISP event (JSON), converted with misp-stix, its TLP, PAP and distribution "
    "kept (docs/interop.md)."
)
MISP_EXPORT_HELP = (
    "Print one MISP event (JSON, made by misp-stix), TLP and PAP as tags, its distribution "
    "from the handling of the whole (docs/interop.md)."
)
CSV_EXPORT_HELP = (
    "Print the indicators' and observables' values as CSV for blocking tools; what PAP "
    "forbids blocking (PAP:AMBER, PAP:RED) is left out and counted."
)


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--channel", "channel_ref", required=True, help="Channel title, alias or id.")
@click.option("--misp", "from_misp", is_flag=True, help=MISP_IMPORT_HELP)
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
    from_misp: bool,
    recipients: tuple[str, ...],
    username: str | None,
    as_json: bool,
    url: str | None,
) -> None:
    """Import the STIX objects of FILE (a bundle; - for stdin) into a channel; with --url,
    into a channel of a running node (POST /api/import, a batch at a time).

    A STIX 2.0 bundle is upgraded to 2.1 and MISP's custom objects (x-misp-*) are kept,
    saying so; with --misp, FILE is a MISP event. Exits non-zero when any object was
    rejected (the others are stored), saying how many.
    """
    from passerelle.cli.interop import read_objects

    remote = remote_client(node, username, url)
    if remote is not None and from_misp:
        summary, objects, notes, unconverted = _import_misp_remotely(
            remote, file, channel_ref, recipients
        )
    elif remote is not None:
        objects, notes = read_objects(file)
        summary = _import_remotely(remote, channel_ref, recipients, objects)
        unconverted = 0
    else:
        summary, objects, notes, unconverted = _import_locally(
            node, username, file, from_misp, channel_ref, recipients
        )
    _report(summary, notes, as_json)
    rejected, accepted = len(summary["rejected"]), summary["accepted"]
    if rejected:
        raise click.ClickException(
            f"{rejected} of {len(objects)} objects rejected ({accepted} stored)"
            + (f"; {unconverted} MISP items not converted" if unconverted else "")
        )
    if unconverted:
        raise click.ClickException(
            f"{unconverted} MISP attributes or objects could not be converted (see the notes; "
            f"{accepted} objects stored)"
        )


def _report(summary: dict[str, Any], notes: list[str], as_json: bool) -> None:
    if as_json:
        shown = {**summary, **({"notes": notes} if notes else {})}
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    for note in notes:
        click.echo(f"note: {note}", err=True)
    for entry in summary["rejected"]:
        click.echo(f"rejected {entry.get('id') or '(no id)'}: {entry['message']}", err=True)
    click.echo(
        f"{summary['accepted']} accepted, {len(summary['rejected'])} rejected into "
        f"{summary['channel']!r}"
    )


def _import_locally(
    node: Node,
    username: str | None,
    file: str,
    from_misp: bool,
    channel_ref: str,
    recipients: tuple[str, ...],
) -> tuple[dict[str, Any], list[Any], list[str], int]:
    """Import into the database: the summary, the objects, notes, MISP items not converted."""
    from passerelle.cli.interop import import_input
    from passerelle.objects.bundles import import_objects, writable_channel

    viewer = node.viewer(username)
    target, objects, notes, unconverted = import_input(
        node,
        viewer,
        file,
        from_misp,
        lambda: writable_channel(node.database, viewer, channel_ref, recipients),
    )
    with stderr_progress(len(objects), f"importing into {target.title}") as bar:
        imported = import_objects(
            node.database, node.hooks, viewer, target, objects, recipients, node.clock, bar.update
        )
    return imported.as_dict(), objects, notes, unconverted


def _import_misp_remotely(
    remote: RemoteClient, file: str, channel_ref: str, recipients: tuple[str, ...]
) -> tuple[dict[str, Any], list[Any], list[str], int]:
    """Send the MISP file to the node, which converts it (misp-stix) and imports it."""
    from passerelle.cli.interop import read_raw

    raw = read_raw(file)
    try:
        event = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadInput(f"{file} is not valid JSON (line {exc.lineno}, column {exc.colno})") from exc
    body = {"channel": channel_ref, "recipients": list(recipients), "event": event}
    answer = remote.post("/api/import/misp", body)
    summary = {key: answer[key] for key in ("channel", "accepted", "rejected")}
    return summary, [None] * answer["objects"], answer["notes"], answer["unconverted"]


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
@click.option("--misp", "as_misp", is_flag=True, help=MISP_EXPORT_HELP)
@click.option("--csv", "as_csv", is_flag=True, help=CSV_EXPORT_HELP)
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
    as_misp: bool,
    as_csv: bool,
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
    remote = remote_client(node, username, url)
    if as_misp or as_csv:
        from passerelle.cli.interop import check_tool_form, export_for_tools, print_tool_export

        form = check_tool_form(as_misp, as_csv, all_versions or for_court)
        if remote is None:
            return export_for_tools(node, username, channel_ref, form)
        return print_tool_export(remote.get(f"/api/export/{form}", {"channel": channel_ref}))
    if remote is not None:
        withheld = _export_remotely(remote, channel_ref, all_versions, for_court)
    else:
        withheld = _export_locally(node, username, channel_ref, all_versions, for_court)
    for stix_id in withheld:
        click.echo(
            f"withheld {stix_id}: acknowledge its H3 restriction first (passerelle acknowledge)",
            err=True,
        )


def _export_remotely(
    remote: RemoteClient, channel_ref: str, all_versions: bool, for_court: bool
) -> list[str]:
    """Copy the node's streamed bundle to stdout; return the ids it withheld."""
    query = {"channel": channel_ref, "all_versions": all_versions, "for_court": for_court}
    with remote.stream("/api/export", query) as answer:
        handling = answer.headers.get(HANDLING_HEADER, "")
        tail = _copy(answer, sys.stdout.buffer)
    click.echo(f"exported from {remote.base}; handling of the whole: {handling}", err=True)
    return _withheld_in(tail)


def _export_locally(
    node: Node, username: str | None, channel_ref: str, all_versions: bool, for_court: bool
) -> list[str]:
    """Write the bundle to stdout as it is read; return the ids it withheld."""
    from passerelle.objects.bundles import Exported, describe, export_pieces

    exported = Exported()
    viewer = node.viewer(username)
    pieces = export_pieces(node.database, viewer, channel_ref, all_versions, for_court, exported)
    out = sys.stdout.buffer
    for piece in pieces:
        out.write(piece)
    out.flush()
    handling = describe(exported.handling) if exported.handling else ""
    click.echo(
        f"exported {len(exported.objects)} objects; handling of the whole: {handling}", err=True
    )
    return exported.withheld


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


@cli.command("erase")
@click.argument("object_id")
@click.option(
    "--reason",
    required=True,
    help="Why the object is erased (data protection): kept in the audit log.",
)
@json_option
@client_options
@pass_node
def erase_command(
    node: Node, object_id: str, reason: str, as_json: bool, username: str | None, url: str | None
) -> None:
    """Erase OBJECT_ID for data-protection reasons (an admin or auditor of the organisation
    that produced it): every version it owns leaves every channel of the node, and every
    peer that received one is owed an erasure (see ``peer pending``)."""
    done = make_client(node, username, url).call(
        "objects.erase", {"object_id": object_id, "reason": reason}
    )
    if as_json:
        click.echo(json.dumps(done, indent=2))
        return
    click.echo(
        f"erased {done['object_id']}: {len(done['versions'])} version(s) "
        f"out of {done['channels']} channel(s)"
    )
