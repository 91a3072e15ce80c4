"""MISP events into a channel, and a channel out as one MISP event or as CSV for blocking
tools: the work ``passerelle import --misp`` and ``export --misp|--csv`` do, the same on
the database and on a running node (``POST /api/import/misp``, ``GET /api/export/misp``,
``GET /api/export/csv``), so the two paths cannot apply different rules.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from sqlalchemy import Connection

from passerelle.audit.log import record_alone
from passerelle.errors import BadInput, Forbidden
from passerelle.interop.blocklist import COLUMNS, TYPES, Blocklist, add_object
from passerelle.interop.misp import events_to_stix, read_events, stix_to_event
from passerelle.objects import bundles
from passerelle.objects.hooks import Hooks
from passerelle.objects.queries import ObjectFilter, entries_page, handling_summary
from passerelle.policy.actions import reaches_only_own_organisation
from passerelle.policy.directory import Channel
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import BULK_MAX_TLP, channel_for, require_read
from passerelle.stix.markings import Handling
from passerelle.stix.timestamps import micros_to_text
from passerelle.store.database import Database

ToolForm = Literal["misp", "csv"]
_PAGE = 1000


@dataclass
class MispObjects:
    """The STIX objects of a MISP file, the notes of the conversion, and how many MISP
    attributes and objects misp-stix did not convert."""

    objects: list[Any]
    notes: list[str]
    unconverted: int


def misp_objects(
    database: Database, viewer: Viewer, target: Channel, raw: bytes, name: str
) -> MispObjects:
    """Convert a MISP event file (its bytes; NAME for messages); refuse a channel wider
    than the file's distribution allows."""
    converted = events_to_stix(read_events(raw, name))
    if converted.organisation_only:
        with database.read() as conn:
            if not reaches_only_own_organisation(conn, viewer, target):
                raise Forbidden(
                    f"{name} is for its organisation only (MISP distribution 0): import it "
                    f"into a channel that only your organisation reads, not {target.title!r}"
                )
    notes = [
        f"converted {converted.events} MISP event(s) to {len(converted.objects)} objects",
        *dict.fromkeys(converted.notes),
        *(f"not converted by misp-stix: {item}" for item in converted.unconverted),
    ]
    return MispObjects(converted.objects, notes, len(converted.unconverted))


@dataclass
class MispImported:
    """What an import of a MISP file stored, refused and said."""

    imported: bundles.Imported
    objects: int
    notes: list[str]
    unconverted: int

    def as_dict(self) -> dict[str, Any]:
        """Return the summary as JSON values."""
        return {
            **self.imported.as_dict(),
            "objects": self.objects,
            "notes": self.notes,
            "unconverted": self.unconverted,
        }


def import_misp(
    database: Database,
    hooks: Hooks,
    viewer: Viewer,
    channel_ref: str,
    recipients: Sequence[str],
    raw: bytes,
    name: str,
    clock: Callable[[], int],
) -> MispImported:
    """Import a MISP event file into a channel the user may write into."""
    target = bundles.writable_channel(database, viewer, channel_ref, recipients)
    made = misp_objects(database, viewer, target, raw, name)
    imported = bundles.import_objects(
        database, hooks, viewer, target, made.objects, recipients, clock
    )
    return MispImported(imported, len(made.objects), made.notes, made.unconverted)


@dataclass
class ToolExport:
    """A channel as one MISP event (JSON) or as CSV, with what to tell the user."""

    form: ToolForm
    text: str
    said: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the export as JSON values."""
        return {"form": self.form, "text": self.text, "said": self.said, "withheld": self.withheld}


def export_for_tools(
    database: Database, viewer: Viewer, channel_ref: str, form: ToolForm, now: int
) -> ToolExport:
    """Export what the user may see of a channel for MISP or blocking tools (never
    TLP:RED in bulk; unacknowledged H3 objects withheld), and audit it."""
    flt = ObjectFilter(types=TYPES if form == "csv" else (), max_tlp=BULK_MAX_TLP)
    with database.read() as conn:
        target = channel_for(conn, viewer, channel_ref)
        require_read(conn, viewer, target)
        whole = handling_summary(conn, viewer, target, flt)
        bodies, withheld = _bodies(conn, viewer, target, flt)
    ids = [str(orjson.loads(b)["id"]) for b in bodies]
    made = _misp(bodies, whole, target.title) if form == "misp" else _csv(bodies, now)
    made.withheld = withheld
    record_alone(database, viewer, "export", ids, {"channel": target.title, "format": form})
    return made


def _bodies(
    conn: Connection, viewer: Viewer, target: Channel, flt: ObjectFilter
) -> tuple[list[str], list[str]]:
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


def _misp(bodies: list[str], whole: Handling, title: str) -> ToolExport:
    if not bodies:
        raise BadInput(f"nothing in {title!r} that you may export: no MISP event to make")
    exported = stix_to_event(bodies, whole, f"Passerelle: {title}")
    event = exported.event["Event"]
    count = len(event.get("Attribute", [])) + len(event.get("Object", []))
    said = [
        f"exported {len(bodies)} objects as one MISP event ({count} attributes and objects, "
        f"distribution {event['distribution']})",
        *(f"note: {note}" for note in dict.fromkeys(exported.notes)),
    ]
    text = orjson.dumps(exported.event, option=orjson.OPT_INDENT_2).decode() + "\n"
    return ToolExport("misp", text, said)


def _csv(bodies: list[str], now_micros: int) -> ToolExport:
    blocklist = Blocklist()
    now = micros_to_text(now_micros)
    for body in bodies:
        add_object(blocklist, orjson.loads(body), now)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(blocklist.rows)
    said = [f"exported {len(blocklist.rows)} values of {blocklist.objects} objects"]
    said += [f"left out {n} objects: {why}" for why, n in sorted(blocklist.left_out.items())]
    if blocklist.formula_values:
        said.append(
            f"left out {blocklist.formula_values} values a spreadsheet would run as a formula"
            " (they begin with = + - @, a tab or a carriage return)"
        )
    return ToolExport("csv", out.getvalue(), said)
