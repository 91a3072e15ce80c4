"""``passerelle import|export``: STIX bundles in and out of a channel, as a user."""

from __future__ import annotations

import json
import sys
import uuid
from typing import TYPE_CHECKING, Any

import click

from passerelle.cli.root import Node, cli, json_option, pass_node, stderr_progress, user_option
from passerelle.errors import Forbidden
from passerelle.stix.markings import Handling, HandlingCode

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from passerelle.objects.ingest import Verdict
    from passerelle.objects.queries import ObjectFilter
    from passerelle.policy.directory import Channel
    from passerelle.policy.viewer import Viewer

BATCH = 1000
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
    from passerelle.cli.interop import import_input

    viewer = node.viewer(username)
    target, objects, notes, unconverted = import_input(
        node,
        viewer,
        file,
        from_misp,
        lambda: _writable_channel(node, viewer, channel_ref, recipients),
    )
    accepted, rejected = _ingest_all(node, viewer, target, objects, recipients)
    _report(target, accepted, rejected, notes, as_json)
    if rejected:
        raise click.ClickException(
            f"{len(rejected)} of {len(objects)} objects rejected ({len(accepted)} stored)"
            + (f"; {unconverted} MISP items not converted" if unconverted else "")
        )
    if unconverted:
        raise click.ClickException(
            f"{unconverted} MISP attributes or objects could not be converted (see the notes; "
            f"{len(accepted)} objects stored)"
        )


def _ingest_all(
    node: Node, viewer: Viewer, target: Channel, objects: list[Any], recipients: tuple[str, ...]
) -> tuple[list[Verdict], list[Verdict]]:
    """Ingest the objects batch by batch, showing progress; return accepted and rejected."""
    from passerelle.objects.ingest import ingest

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
    return accepted, rejected


def _report(
    target: Channel,
    accepted: list[Verdict],
    rejected: list[Verdict],
    notes: list[str],
    as_json: bool,
) -> None:
    if as_json:
        summary: dict[str, Any] = {
            "channel": target.title,
            "accepted": len(accepted),
            "rejected": [v.as_status_entry() for v in rejected],
        }
        if notes:
            summary["notes"] = notes
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    for note in notes:
        click.echo(f"note: {note}", err=True)
    for verdict in rejected:
        click.echo(f"rejected {verdict.id or '(no id)'}: {verdict.message}", err=True)
    click.echo(f"{len(accepted)} accepted, {len(rejected)} rejected into {target.title!r}")


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
@click.option("--misp", "as_misp", is_flag=True, help=MISP_EXPORT_HELP)
@click.option("--csv", "as_csv", is_flag=True, help=CSV_EXPORT_HELP)
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
    from passerelle.objects.queries import ObjectFilter, handling_summary
    from passerelle.policy.visibility import BULK_MAX_TLP, channel_for, require_read

    if as_misp or as_csv:
        from passerelle.cli.interop import export_for_tools

        return export_for_tools(
            node, username, channel_ref, as_misp, as_csv, all_versions or for_court
        )
    viewer = node.viewer(username)
    flt = ObjectFilter(versions=("all",) if all_versions else ("last",), max_tlp=BULK_MAX_TLP)
    with node.database.read() as conn:
        target = channel_for(conn, viewer, channel_ref)
        require_read(conn, viewer, target)
        if for_court:
            _check_court_use(conn, viewer, target, flt)
        summary = handling_summary(conn, viewer, target, flt)
        exported, withheld = _write_bundle(conn, viewer, target, flt)
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


def _write_bundle(
    conn: Connection, viewer: Viewer, target: Channel, flt: ObjectFilter
) -> tuple[list[str], list[str]]:
    """Stream the bundle on stdout, page by page; return the ids exported and withheld."""
    from passerelle.objects.queries import entries_page

    exported: list[str] = []
    withheld: list[str] = []
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
    return exported, withheld


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
