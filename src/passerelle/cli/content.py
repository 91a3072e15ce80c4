"""``passerelle import|export``: STIX bundles in and out of a channel, as a user."""

from __future__ import annotations

import json
import sys
import uuid
from typing import TYPE_CHECKING, Any

import click
import orjson

from passerelle.cli.root import Node, cli, json_option, pass_node, stderr_progress, user_option
from passerelle.errors import BadInput, Forbidden
from passerelle.stix.markings import Handling, HandlingCode

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from passerelle.objects.ingest import Verdict
    from passerelle.objects.queries import ObjectFilter
    from passerelle.policy.directory import Channel
    from passerelle.policy.viewer import Viewer

BATCH = 1000


def _read_objects(path: str) -> tuple[list[Any], list[str]]:
    """Return the objects of a STIX file, made current (STIX 2.0, x-misp-*), and notes."""
    from passerelle.cli.interop import made_current, read_raw

    raw = read_raw(path)
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        # orjson's own text names its parser's state; the place is what the user needs.
        raise BadInput(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno})") from exc
    if isinstance(document, dict) and isinstance(document.get("objects"), list):
        objects = list(document["objects"])
    elif isinstance(document, list):
        objects = document
    elif isinstance(document, dict) and "type" in document:
        objects = [document]
    else:
        raise BadInput(f"{path} holds no STIX objects: expected a bundle, an envelope or a list")
    return made_current(document, objects)


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--channel", "channel_ref", required=True, help="Channel title, alias or id.")
@click.option(
    "--misp",
    "from_misp",
    is_flag=True,
    help="FILE is a MISP event (JSON), converted with misp-stix, its TLP, PAP and "
    "distribution kept (docs/interop.md).",
)
@click.option(
    "--recipient",
    "recipients",
    multiple=True,
    help="A named recipient of the file's TLP:RED objects (a username); repeat for each.",
)
@user_option
@json_option
@pass_node
def import_bundle(
    node: Node,
    file: str,
    channel_ref: str,
    from_misp: bool,
    recipients: tuple[str, ...],
    username: str | None,
    as_json: bool,
) -> None:
    """Import the STIX objects of FILE (a bundle; - for stdin) into a channel.

    A STIX 2.0 bundle is upgraded to 2.1 and MISP's custom objects (x-misp-*) are kept,
    saying so; with --misp, FILE is a MISP event. Exits non-zero when any object was
    rejected (the others are stored), saying how many.
    """
    from passerelle.cli.interop import misp_objects, note_lines
    from passerelle.objects.ingest import ingest

    viewer = node.viewer(username)
    if from_misp:
        target = _writable_channel(node, viewer, channel_ref, recipients)
        objects, notes = misp_objects(node, viewer, target, file)
    else:
        objects, notes = _read_objects(file)
        target = _writable_channel(node, viewer, channel_ref, recipients)
    accepted: list[Verdict] = []
    rejected: list[Verdict] = []
    with stderr_progress(len(objects), f"importing into {target.title}") as bar:
        for start in range(0, len(objects), BATCH):
            batch = objects[start : start + BATCH]
            result = ingest(
                node.database, node.hooks, viewer, target, batch, recipients, clock=node.clock
            )
            accepted += result.successes
            rejected += result.failures
            bar.update(len(batch))
    if as_json:
        summary = {
            "channel": target.title,
            "accepted": len(accepted),
            "rejected": [v.as_status_entry() for v in rejected],
            "notes": notes,
        }
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        for line in note_lines(notes):
            click.echo(line, err=True)
        for verdict in rejected:
            click.echo(f"rejected {verdict.id or '(no id)'}: {verdict.message}", err=True)
        click.echo(f"{len(accepted)} accepted, {len(rejected)} rejected into {target.title!r}")
    if rejected:
        raise click.ClickException(
            f"{len(rejected)} of {len(objects)} objects rejected ({len(accepted)} stored)"
        )


def _writable_channel(
    node: Node, viewer: Viewer, channel_ref: str, recipients: tuple[str, ...]
) -> Channel:
    """Return the channel the user may write into, having checked every named recipient."""
    from passerelle.policy.actions import require_write
    from passerelle.policy.directory import viewer_by_name
    from passerelle.policy.visibility import channel_for

    with node.database.read() as conn:
        target = channel_for(conn, viewer, channel_ref)
        require_write(conn, viewer, target)
        for name in recipients:
            viewer_by_name(conn, name)  # a misspelt recipient would silently see nothing
    return target


def _describe(handling: Handling) -> str:
    parts = [handling.tlp.label if handling.tlp is not None else "no TLP"]
    if handling.pap is not None:
        parts.append(f"PAP:{handling.pap.name}")
    parts += [code.name or "" for code in HandlingCode if code and code in handling.codes]
    return ", ".join(parts)


@cli.command("export")
@click.option("--channel", "channel_ref", required=True, help="Channel title, alias or id.")
@click.option("--all-versions", is_flag=True, help="Every version, not only the latest.")
@click.option(
    "--misp",
    "as_misp",
    is_flag=True,
    help="Print one MISP event (JSON, made by misp-stix), TLP and PAP as tags, its "
    "distribution from the handling of the whole (docs/interop.md).",
)
@click.option(
    "--csv",
    "as_csv",
    is_flag=True,
    help="Print the indicators' and observables' values as CSV for blocking tools; what "
    "PAP forbids blocking (PAP:AMBER, PAP:RED) is left out and counted.",
)
@click.option(
    "--for-court",
    is_flag=True,
    help="For use in court: refused if any object is H1 without its producer's permission.",
)
@user_option
@pass_node
def export_bundle(
    node: Node,
    channel_ref: str,
    all_versions: bool,
    as_misp: bool,
    as_csv: bool,
    for_court: bool,
    username: str | None,
) -> None:
    """Print the channel's objects that you may see as a STIX bundle on stdout.

    TLP:RED objects are never exported in bulk; H3 objects you have not acknowledged are
    left out (and listed). The most restrictive handling of the content is printed on
    stderr: it applies to the bundle as a whole.
    """
    from passerelle.audit.log import record_alone
    from passerelle.objects.queries import ObjectFilter, entries_page, handling_summary
    from passerelle.policy.visibility import BULK_MAX_TLP, channel_for, require_read

    if as_misp or as_csv:
        if (as_misp and as_csv) or all_versions or for_court:
            raise BadInput(
                "--misp and --csv go alone: not together, nor with --all-versions or --for-court"
            )
        from passerelle.cli.interop import export_for_tools

        return export_for_tools(node, username, channel_ref, "misp" if as_misp else "csv")
    viewer = node.viewer(username)
    flt = ObjectFilter(versions=("all",) if all_versions else ("last",), max_tlp=BULK_MAX_TLP)
    exported: list[str] = []
    withheld: list[str] = []
    with node.database.read() as conn:
        target = channel_for(conn, viewer, channel_ref)
        require_read(conn, viewer, target)
        if for_court:
            _check_court_use(conn, viewer, target, flt)
        summary = handling_summary(conn, viewer, target, flt)
        out = sys.stdout
        out.write(f'{{"type":"bundle","id":"bundle--{uuid.uuid4()}","objects":[')
        cursor = None
        while True:
            page = entries_page(conn, viewer, target, flt, BATCH, cursor)
            for entry in page.entries:
                out.write(("," if exported else "") + "\n" + entry.body)
                exported.append(entry.stix_id)
            withheld += [w.stix_id for w in page.withheld]
            if not page.more:
                break
            cursor = page.last
        out.write("\n]}\n")
    record_alone(
        node.database, viewer, "export", exported, {"channel": target.title, "court": for_court}
    )
    click.echo(
        f"exported {len(exported)} objects; handling of the whole: {_describe(summary)}", err=True
    )
    for stix_id in withheld:
        click.echo(
            f"withheld {stix_id}: acknowledge its H3 restriction first (passerelle acknowledge)",
            err=True,
        )


def _check_court_use(conn: Connection, viewer: Viewer, channel: Channel, flt: ObjectFilter) -> None:
    from passerelle.objects.queries import restricted_ids
    from passerelle.policy.actions import COURT, has_grant

    refused = [
        stix_id
        for stix_id in restricted_ids(conn, viewer, channel, flt, HandlingCode.H1)
        if not has_grant(conn, stix_id, COURT, None, viewer.org_id)
    ]
    if refused:
        raise Forbidden(
            f"{len(refused)} object(s) are H1 (no use in court without the producer's "
            f"permission): {', '.join(refused[:5])}{' ...' if len(refused) > 5 else ''}"
        )
