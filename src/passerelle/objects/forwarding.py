"""The producer's forwarding grant, written into its object as a new version
(``passerelle grant ID --forward ORG --by ORG``).

The grant must travel in the object (docs/federation.md, "Forwarding to a third node"),
so granting it is a new version by the producer: the latest version with the grant added
to its handling extension and a later ``modified``, placed wherever that version is
placed. It then reaches the peers that hold the object as any new version does.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, func, not_, select

from passerelle.audit.log import record
from passerelle.errors import BadInput, Forbidden, NotFound
from passerelle.objects.hooks import Hooks
from passerelle.objects.ingest import store_all_or_nothing
from passerelle.objects.writing import writing
from passerelle.policy.actions import require_write
from passerelle.policy.directory import channel_row_to_channel, find_organisation
from passerelle.policy.forwarding import granted
from passerelle.policy.ownership import COPY_MARK, owners_of
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import object_visible_anywhere
from passerelle.stix.markings import FORWARDING, HANDLING_EXTENSION_ID, read_handling
from passerelle.stix.timestamps import micros_to_text, now_micros, text_to_micros
from passerelle.store.database import Database
from passerelle.store.schema import channel_objects, channels, objects


def grant_forwarding(
    database: Database, hooks: Hooks, viewer: Viewer, object_id: str, to: str, by: str
) -> dict[str, str]:
    """Let the node of organisation ``by`` forward the object to ``to``: a new version
    carrying the grant, placed where the latest is (nothing new if already granted)."""
    now = now_micros()
    with database.read() as conn:
        by, to = find_organisation(conn, by).name, find_organisation(conn, to).name
        body, channel_ids = _latest_own(conn, viewer, object_id)
    obj = orjson.loads(body)
    detail = {"kind": "forward", "by": by, "to": to}
    if granted(read_handling(obj).forwarding, by, to):
        return {**detail, "version": str(obj.get("modified", ""))}
    newer = _with_grant(obj, by, to, now)
    with writing(database, hooks, now, channel_ids) as write:
        for channel_id in channel_ids:
            row = write.conn.execute(select(channels).where(channels.c.id == channel_id)).one()
            channel = channel_row_to_channel(row)
            require_write(write.conn, viewer, channel)
            store_all_or_nothing(write, viewer, channel, [dict(newer)])
        detail["version"] = newer["modified"]
        record(database, write.conn, viewer, "grant", [object_id], detail)
    return detail


def _latest_own(conn: Connection, viewer: Viewer, object_id: str) -> tuple[str, list[int]]:
    """Return the body of the producer's latest version and the channels it is placed in."""
    producer = owners_of(conn, [object_id]).get(object_id)
    if producer is None or not object_visible_anywhere(conn, viewer, object_id):
        raise NotFound(f"no object {object_id!r}")
    if producer != viewer.org_id:
        raise Forbidden("only the organisation that produced an object may grant its use")
    if viewer.role not in (Role.LIAISON, Role.ADMIN):
        raise Forbidden("only a liaison officer or an administrator may grant")
    own = (
        channel_objects.c.stix_id == object_id,
        channel_objects.c.producer_org_id == viewer.org_id,
        not_(channel_objects.c.version.contains(COPY_MARK, autoescape=True)),
    )
    version = conn.execute(select(func.max(channel_objects.c.version)).where(*own)).scalar()
    if version is None:
        raise NotFound(f"no object {object_id!r}")
    where = (channel_objects.c.version == version, *own)
    placed = conn.execute(select(channel_objects.c.channel_id).where(*where)).scalars()
    body = conn.execute(
        select(objects.c.body).where(objects.c.stix_id == object_id, objects.c.version == version)
    ).scalar_one()
    return body, sorted(set(placed))


def _with_grant(obj: dict[str, Any], by: str, to: str, now: int) -> dict[str, Any]:
    """Return the next version: the grant added, ``modified`` after the last one."""
    if "created" not in obj:
        raise BadInput("a cyber-observable has no versions: it cannot carry a new grant")
    extensions = dict(obj.get("extensions") or {})
    handling = dict(extensions.get(HANDLING_EXTENSION_ID) or {})
    handling.setdefault("extension_type", "property-extension")
    handling[FORWARDING] = [*handling.get(FORWARDING, []), {"by": by, "to": to}]
    extensions[HANDLING_EXTENSION_ID] = handling
    last = text_to_micros(str(obj.get("modified") or obj["created"]))
    stamp = micros_to_text(max(now, last + 1000))
    return {**obj, "extensions": extensions, "modified": stamp}
