"""What ``passerelle import`` and ``export`` do for partners' tools: MISP events in and out,
STIX 2.0 and MISP's custom objects made acceptable, CSV for blocking tools (the work
itself is :mod:`passerelle.interop.transfer`'s, on the database or on a running node)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click
import orjson

from passerelle.errors import BadInput

if TYPE_CHECKING:
    from passerelle.cli.root import Node
    from passerelle.policy.directory import Channel
    from passerelle.policy.viewer import Viewer

ToolForm = Literal["misp", "csv"]


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


def import_input(
    node: Node, viewer: Viewer, path: str, from_misp: bool, channel: Callable[[], Channel]
) -> tuple[Channel, list[Any], list[str], int]:
    """Return the channel to import into, the objects of FILE, notes, and the number of
    MISP items not converted (a STIX file is read before the channel is checked)."""
    if not from_misp:
        objects, notes = read_objects(path)
        return channel(), objects, notes, 0
    from passerelle.interop.transfer import misp_objects

    target = channel()
    made = misp_objects(node.database, viewer, target, read_raw(path), path)
    return target, made.objects, made.notes, made.unconverted


def check_tool_form(misp: bool, as_csv: bool, other: bool) -> ToolForm:
    """Return the form ``export --misp`` or ``--csv`` asked for, alone."""
    if (misp and as_csv) or other:
        raise BadInput(
            "--misp and --csv go alone: not together, nor with --all-versions or --for-court"
        )
    return "misp" if misp else "csv"


def export_for_tools(node: Node, username: str | None, channel_ref: str, form: ToolForm) -> None:
    """Print what ``export --misp`` or ``export --csv`` gives the user (audited)."""
    from passerelle.interop.transfer import export_for_tools as export

    made = export(node.database, node.viewer(username), channel_ref, form, node.clock())
    print_tool_export(made.as_dict())


def print_tool_export(made: dict[str, Any]) -> None:
    """Print an export for tools (its text on stdout, what it says on stderr)."""
    sys.stdout.write(made["text"])
    sys.stdout.flush()
    for line in made["said"]:
        click.echo(line, err=True)
    for stix_id in made["withheld"]:
        click.echo(
            f"withheld {stix_id}: acknowledge its H3 restriction first (passerelle acknowledge)",
            err=True,
        )
