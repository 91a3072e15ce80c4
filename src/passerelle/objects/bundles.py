"""STIX bundles in and out of a channel, as a user: what ``passerelle import|export`` and
``POST /api/import`` / ``GET /api/export`` share, so the command line on the database and
against a node apply the very same rules.

An import is all the channel's rules applied object by object (the refused ones listed
with why, the others stored), in batches. An export streams the channel's objects the
viewer may see, never TLP:RED in bulk, leaving out H3 objects the viewer has not
acknowledged (listed, in the bundle's ``x_passerelle_withheld``); for court, it is refused
while an H1 object lacks its producer's grant, and the refusal is audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import orjson
from sqlalchemy import Connection

from passerelle.audit.log import record_alone
from passerelle.errors import Forbidden
from passerelle.objects.hooks import Hooks
from passerelle.objects.ingest import Verdict, ingest
from passerelle.objects.queries import (
    ObjectFilter,
    entries_page,
    handling_summary,
    restricted_ids,
)
from passerelle.policy.actions import COURT, has_grant, require_write
from passerelle.policy.directory import Channel, viewer_by_name
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import BULK_MAX_TLP, channel_for, require_read
from passerelle.stix.markings import Handling, HandlingCode
from passerelle.stix.timestamps import now_micros
from passerelle.store.database import Database

BATCH = 1000
WITHHELD = "x_passerelle_withheld"


@dataclass
class Imported:
    """What an import stored and refused."""

    channel: str
    accepted: int = 0
    rejected: list[Verdict] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """Return the summary as JSON values (the rejected objects with their reasons)."""
        return {
            "channel": self.channel,
            "accepted": self.accepted,
            "rejected": [v.as_status_entry() for v in self.rejected],
        }


def writable_channel(
    database: Database, viewer: Viewer, channel_ref: str, recipients: Sequence[str] = ()
) -> Channel:
    """Return the channel the user may write into, having checked every named recipient."""
    with database.read() as conn:
        target = channel_for(conn, viewer, channel_ref)
        require_write(conn, viewer, target)
        for name in recipients:
            viewer_by_name(conn, name)  # a misspelt recipient would silently see nothing
    return target


def import_objects(
    database: Database,
    hooks: Hooks,
    viewer: Viewer,
    target: Channel,
    objects: Sequence[object],
    recipients: Sequence[str] = (),
    clock: Callable[[], int] = now_micros,
    done: Callable[[int], None] | None = None,
) -> Imported:
    """Store the objects in the channel batch by batch; ``done`` hears each batch's size."""
    imported = Imported(target.title)
    for start in range(0, len(objects), BATCH):
        batch = objects[start : start + BATCH]
        result = ingest(database, hooks, viewer, target, batch, recipients, clock=clock)
        imported.accepted += len(result.successes)
        imported.rejected += result.failures
        if done is not None:
            done(len(batch))
    return imported


@dataclass
class Exported:
    """What an export sent, known once its last piece is out."""

    channel: str = ""
    handling: Handling | None = None
    objects: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)


def export_pieces(
    database: Database,
    viewer: Viewer,
    channel_ref: str,
    all_versions: bool,
    for_court: bool,
    exported: Exported,
) -> Iterator[bytes]:
    """Check the export, then yield the bundle piece by piece (a page of objects at a
    time); ``exported`` fills in as it goes. The export is audited when it has ended."""
    flt = ObjectFilter(versions=("all",) if all_versions else ("last",), max_tlp=BULK_MAX_TLP)
    with database.read() as conn:
        target = channel_for(conn, viewer, channel_ref)
        require_read(conn, viewer, target)
        if for_court:
            _check_court_use(database, conn, viewer, target, flt)
        exported.channel = target.title
        exported.handling = handling_summary(conn, viewer, target, flt)
    return _pieces(database, viewer, target, flt, for_court, exported)


def _pieces(
    database: Database,
    viewer: Viewer,
    target: Channel,
    flt: ObjectFilter,
    for_court: bool,
    exported: Exported,
) -> Iterator[bytes]:
    """Yield the bundle's pieces, read on a transaction of their own."""
    with database.read() as pages:
        yield f'{{"type":"bundle","id":"bundle--{uuid.uuid4()}","objects":['.encode()
        cursor = None
        while True:
            page = entries_page(pages, viewer, target, flt, BATCH, cursor)
            for entry in page.entries:
                yield (("," if exported.objects else "") + "\n" + entry.body).encode()
                exported.objects.append(entry.stix_id)
            exported.withheld += [w.stix_id for w in page.withheld]
            if not page.more:
                break
            cursor = page.last
        tail = f',"{WITHHELD}":'.encode() + orjson.dumps(exported.withheld)
        yield b"\n]" + (tail if exported.withheld else b"") + b"}\n"
    detail = {"channel": target.title, "court": for_court}
    record_alone(database, viewer, "export", exported.objects, detail)


def _check_court_use(
    database: Database, conn: Connection, viewer: Viewer, channel: Channel, flt: ObjectFilter
) -> None:
    """Refuse an export for court holding an H1 object without its producer's grant; the
    refusal goes to the audit log (on a connection of its own: this one only reads)."""
    refused = [
        stix_id
        for stix_id in restricted_ids(conn, viewer, channel, flt, HandlingCode.H1)
        if not has_grant(conn, stix_id, COURT, None, viewer.org_id)
    ]
    if refused:
        detail = {"channel": channel.title, "court": True, "refused": len(refused)}
        record_alone(database, viewer, "export-refused", refused[:20], detail)
        raise Forbidden(
            f"{len(refused)} object(s) are H1 (no use in court without the producer's "
            f"permission): {', '.join(refused[:5])}{' ...' if len(refused) > 5 else ''}"
        )


def describe(handling: Handling) -> str:
    """Say a handling in words: ``TLP:AMBER, PAP:GREEN, H1``."""
    parts = [handling.tlp.label if handling.tlp is not None else "no TLP"]
    if handling.pap is not None:
        parts.append(f"PAP:{handling.pap.name}")
    parts += [code.name or "" for code in HandlingCode if code and code in handling.codes]
    return ", ".join(parts)
