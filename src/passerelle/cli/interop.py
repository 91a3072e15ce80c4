"""What ``passerelle import`` and ``export`` do for partners' tools: MISP events in and out,
STIX 2.0 and MISP's custom objects made acceptable, CSV for blocking tools."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import orjson

from passerelle.errors import BadInput, Forbidden

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from passerelle.cli.root import Node
    from passerelle.policy.directory import Channel
    from passerelle.policy.viewer import Viewer
    from passerelle.stix.markings import Handling

_PAGE = 1000


def read_raw(path: str) -> bytes:
    """Return the bytes of FILE (``-``: stdin)."""
    return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()


def made_current(document: object, objects: list[Any]) -> tuple[list[Any], list[str]]:
    """Upgrade STIX 2.0 objects and declare MISP's custom ones; say what was done."""
    from passerelle.stix.misp_objects import declare_misp_objects
    from passerelle.stix.upgrade import upgrade_document

    notes: list[str] = []
    upgrade = upgrade_document(document, objects)
    if upgrade is not None:
        objects = upgrade.objects
        notes.append(upgrade.summary())
    objects, declared = declare_misp_objects(objects)
    if declared:
        notes.append(f"kept {declared} MISP custom objects (x-misp-*) as declared custom SDOs")
    return objects, notes


def read_objects(path: str) -> tuple[list[Any], list[str]]:
    """Return the objects of a STIX file, made current (STIX 2.0, x-misp-*), and notes."""
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


def misp_objects(
    node: Node, viewer: Viewer, target: Channel, path: str
) -> tuple[list[Any], list[str], int]:
    """Return the STIX objects of a MISP event file, notes, and how many MISP attributes
    and objects misp-stix did not convert; refuse a channel too wide for the file."""
    from passerelle.interop.misp import events_to_stix, read_events
    from passerelle.policy.actions import reaches_only_own_organisation

    converted = events_to_stix(read_events(read_raw(path), path))
    if converted.organisation_only:
        with node.database.read() as conn:
            if not reaches_only_own_organisation(conn, viewer, target):
                raise Forbidden(
                    f"{path} is for its organisation only (MISP distribution 0): import it "
                    f"into a channel that only your organisation reads, not {target.title!r}"
                )
    notes = [
        f"converted {converted.events} MISP event(s) to {len(converted.objects)} objects",
        *dict.fromkeys(converted.notes),
        *(f"not converted by misp-stix: {item}" for item in converted.unconverted),
    ]
    return converted.objects, notes, len(converted.unconverted)


def import_input(
    node: Node, viewer: Viewer, path: str, from_misp: bool, channel: Callable[[], Channel]
) -> tuple[Channel, list[Any], list[str], int]:
    """Return the channel to import into, the objects of FILE, notes, and the number of
    MISP items not converted (a STIX file is read before the channel is checked)."""
    if not from_misp:
        objects, notes = read_objects(path)
        return channel(), objects, notes, 0
    target = channel()
    return target, *misp_objects(node, viewer, target, path)


def export_for_tools(
    node: Node, username: str | None, channel_ref: str, misp: bool, as_csv: bool, other: bool
) -> None:
    """Print what ``export --misp`` or ``export --csv`` gives the user, and audit it."""
    if (misp and as_csv) or other:
        raise BadInput(
            "--misp and --csv go alone: not together, nor with --all-versions or --for-court"
        )
    form = "misp" if misp else "csv"
    from passerelle.audit.log import record_alone
    from passerelle.objects.queries import ObjectFilter, handling_summary
    from passerelle.policy.visibility import BULK_MAX_TLP, channel_for, require_read

    viewer = node.viewer(username)
    types: tuple[str, ...] = ()
    if form == "csv":
        from passerelle.interop.blocklist import TYPES

        types = TYPES
    flt = ObjectFilter(types=types, max_tlp=BULK_MAX_TLP)
    with node.database.read() as conn:
        target = channel_for(conn, viewer, channel_ref)
        require_read(conn, viewer, target)
        whole = handling_summary(conn, viewer, target, flt)
        bodies, withheld = _bodies(conn, viewer, target, flt)
    ids = [str(orjson.loads(b)["id"]) for b in bodies]
    if form == "misp":
        _print_misp(bodies, whole, target.title)
    else:
        _print_csv(bodies, node.clock())
    record_alone(node.database, viewer, "export", ids, {"channel": target.title, "format": form})
    for stix_id in withheld:
        click.echo(
            f"withheld {stix_id}: acknowledge its H3 restriction first (passerelle acknowledge)",
            err=True,
        )


def _bodies(
    conn: Connection, viewer: Viewer, target: Channel, flt: Any
) -> tuple[list[str], list[str]]:
    from passerelle.objects.queries import entries_page

    bodies: list[str] = []
    withheld: list[str] = []
    cursor = None
    while True:
        page = entries_page(conn, viewer, target, flt, _PAGE, cursor)
        bodies += [entry.body for entry in page.entries]
        withheld += [w.stix_id for w in page.withheld]
        if not page.more:
            return bodies, withheld
        cursor = page.last


def _print_misp(bodies: list[str], whole: Handling, title: str) -> None:
    from passerelle.interop.misp import stix_to_event

    if not bodies:
        raise BadInput(f"nothing in {title!r} that you may export: no MISP event to make")
    exported = stix_to_event(bodies, whole, f"Passerelle: {title}")
    sys.stdout.write(orjson.dumps(exported.event, option=orjson.OPT_INDENT_2).decode() + "\n")
    event = exported.event["Event"]
    count = len(event.get("Attribute", [])) + len(event.get("Object", []))
    click.echo(
        f"exported {len(bodies)} objects as one MISP event ({count} attributes and objects, "
        f"distribution {event['distribution']})",
        err=True,
    )
    for note in dict.fromkeys(exported.notes):
        click.echo(f"note: {note}", err=True)


def _print_csv(bodies: list[str], now_micros: int) -> None:
    from passerelle.interop.blocklist import COLUMNS, Blocklist, add_object
    from passerelle.stix.timestamps import micros_to_text

    blocklist = Blocklist()
    now = micros_to_text(now_micros)
    for body in bodies:
        add_object(blocklist, orjson.loads(body), now)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(blocklist.rows)
    click.echo(f"exported {len(blocklist.rows)} values of {blocklist.objects} objects", err=True)
    for reason, count in sorted(blocklist.left_out.items()):
        click.echo(f"left out {count} objects: {reason}", err=True)
