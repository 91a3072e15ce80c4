"""What a viewer may do with what they can see: write, share onward, use in court,
look up externally, read H3 content.

Visibility is decided in :mod:`passerelle.policy.visibility`; this module decides
actions, always on objects the viewer can already see.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from enum import Enum

from sqlalchemy import ColumnElement, Connection, and_, exists, func, or_, select

from passerelle.errors import Forbidden, NotFound
from passerelle.policy.directory import Channel
from passerelle.policy.ownership import owners_of
from passerelle.policy.posting import posting_refusal
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import object_visible_anywhere, visible_placement
from passerelle.stix.markings import HandlingCode, Pap, Tlp
from passerelle.stix.timestamps import now_micros
from passerelle.store.chunks import one_of
from passerelle.store.schema import (
    acknowledgements,
    channel_members,
    channel_objects,
    grants,
    objects,
    org_clients,
)

ONWARD = "onward"
COURT = "court"


def require_write(conn: Connection, viewer: Viewer, channel: Channel) -> None:
    """Refuse unless the viewer may post into the channel (see :mod:`.posting`)."""
    refusal = posting_refusal(conn, viewer, channel.id, channel.title)
    if refusal:
        raise Forbidden(refusal)


def restricts_onward_sharing(tlp: Tlp | None, codes: HandlingCode) -> bool:
    """Tell whether handling forbids sharing onward without the producer's permission."""
    return HandlingCode.H2 in codes or tlp in (Tlp.AMBER_STRICT, Tlp.RED)


def onward_refusal(
    conn: Connection,
    viewer: Viewer,
    channel: Channel,
    stix_id: str,
    producer_org_id: int,
    tlp: Tlp | None,
    codes: HandlingCode,
) -> str:
    """Say why placing another organisation's object in a channel needs its producer's
    grant ('' when it does not).

    H2, TLP:AMBER+STRICT and TLP:RED never go onward without a grant. TLP:AMBER goes no
    further than the recipient organisation and its declared clients (TLP 2.0): a channel
    whose readers, or their clients, include anyone else needs a grant too.
    """
    if has_grant(conn, stix_id, ONWARD, channel.id, viewer.org_id):
        return ""
    if restricts_onward_sharing(tlp, codes):
        return (
            "its handling (H2, TLP:AMBER+STRICT or TLP:RED) forbids sharing it onward "
            "without its producer's permission"
        )
    if tlp is Tlp.AMBER:
        allowed = {viewer.org_id, producer_org_id} | _clients_of(conn, viewer.org_id)
        if not _audience(conn, channel.id) <= allowed:
            return (
                f"TLP:AMBER reaches only your organisation and its clients, and channel "
                f"{channel.title!r} reaches others: its producer must grant onward sharing"
            )
    return ""


def _clients_of(conn: Connection, org_id: int) -> set[int]:
    rows = conn.execute(select(org_clients.c.client_org_id).where(org_clients.c.org_id == org_id))
    return set(rows.scalars())


def _audience(conn: Connection, channel_id: int) -> set[int]:
    """The organisations a channel's TLP:AMBER reaches: its readers and their clients."""
    readers = set(
        conn.execute(
            select(channel_members.c.org_id).where(
                channel_members.c.channel_id == channel_id, channel_members.c.can_read.is_(True)
            )
        ).scalars()
    )
    if not readers:
        return readers
    clients = conn.execute(
        select(org_clients.c.client_org_id).where(org_clients.c.org_id.in_(sorted(readers)))
    ).scalars()
    return readers | set(clients)


def channel_audience(conn: Connection, channel_id: int) -> set[int]:
    """Return the organisations a channel reaches: its readers and their declared clients."""
    return _audience(conn, channel_id)


def reaches_only_own_organisation(conn: Connection, viewer: Viewer, channel: Channel) -> bool:
    """Tell whether no organisation but the viewer's reads a channel (nor any client)."""
    return _audience(conn, channel.id) <= {viewer.org_id}


def has_grant(
    conn: Connection, stix_id: str, kind: str, channel_id: int | None, org_id: int
) -> bool:
    """Tell whether the object's producer granted this use.

    Only the producer organisation can record a grant (see :func:`grant`), so any grant
    on record for the object, the use, and this channel or organisation counts.
    """
    query = select(exists().where(grants.c.stix_id == stix_id, _covers(kind, channel_id, org_id)))
    return bool(conn.execute(query).scalar())


def granted_objects(
    conn: Connection, stix_ids: Sequence[str], kind: str, channel_id: int | None, org_id: int
) -> set[str]:
    """Return which of these objects their producer granted this use (as :func:`has_grant`
    decides for each, in one query)."""
    if not stix_ids:
        return set()
    query = select(grants.c.stix_id).where(
        one_of(grants.c.stix_id, "ids"), _covers(kind, channel_id, org_id)
    )
    return set(conn.execute(query, {"ids": sorted(set(stix_ids))}).scalars())


def _covers(kind: str, channel_id: int | None, org_id: int) -> ColumnElement[bool]:
    """A grant of this use, for this channel or any, to this organisation or any."""
    return and_(
        grants.c.kind == kind,
        or_(grants.c.channel_id.is_(None), grants.c.channel_id == channel_id),
        or_(grants.c.org_id.is_(None), grants.c.org_id == org_id),
    )


def effective_tlp(conn: Connection, stix_id: str, version: str) -> Tlp | None:
    """Return a stored version's own TLP, else the strictest its channels gave it."""
    own = conn.execute(
        select(objects.c.tlp).where(objects.c.stix_id == stix_id, objects.c.version == version)
    ).scalar()
    if own is not None:
        return Tlp(own)
    given = conn.execute(
        select(func.max(channel_objects.c.tlp)).where(
            channel_objects.c.stix_id == stix_id, channel_objects.c.version == version
        )
    ).scalar()
    return None if given is None else Tlp(given)


def effective_tlps(conn: Connection, versions: dict[str, str]) -> dict[str, Tlp]:
    """Return :func:`effective_tlp` of many stored versions (id -> version) in two
    statements; a version with no TLP at all is left out."""
    found: dict[str, Tlp] = {}
    ids = sorted(versions)
    own = select(objects.c.stix_id, objects.c.version, objects.c.tlp).where(
        one_of(objects.c.stix_id, "ids")
    )
    for row in conn.execute(own, {"ids": ids}):
        if versions[row.stix_id] == row.version and row.tlp is not None:
            found[row.stix_id] = Tlp(row.tlp)
    rest = [i for i in ids if i not in found]
    if not rest:
        return found
    given = (
        select(
            channel_objects.c.stix_id, channel_objects.c.version, func.max(channel_objects.c.tlp)
        )
        .where(one_of(channel_objects.c.stix_id, "ids"))
        .group_by(channel_objects.c.stix_id, channel_objects.c.version)
    )
    for stix_id, version, tlp in conn.execute(given, {"ids": rest}):
        if versions[stix_id] == version and tlp is not None:
            found[stix_id] = Tlp(tlp)
    return found


def grant(
    conn: Connection,
    viewer: Viewer,
    stix_id: str,
    kind: str,
    channel: Channel | None = None,
    org_id: int | None = None,
) -> None:
    """Record the producer's permission for a use its handling rules otherwise forbid.

    The producer is the organisation that owns the object (stored its first version);
    an organisation that keeps its own copy of an object grants nothing about it.
    """
    producer = owners_of(conn, [stix_id]).get(stix_id)
    if producer is None or not object_visible_anywhere(conn, viewer, stix_id):
        raise NotFound(f"no object {stix_id!r}")
    if producer != viewer.org_id:
        raise Forbidden("only the organisation that produced an object may grant its use")
    if viewer.role not in (Role.LIAISON, Role.ADMIN):
        raise Forbidden("only a liaison officer or an administrator may grant")
    conn.execute(
        grants.insert().values(
            stix_id=stix_id,
            kind=kind,
            channel_id=channel.id if channel else None,
            org_id=org_id,
            granted_by=viewer.user_id,
            created=now_micros(),
        )
    )


class Action(Enum):
    """Uses of shared information that PAP governs."""

    PASSIVE_ANALYSIS = "passive-analysis"  # on one's own logs and data, undetectable
    EXTERNAL_LOOKUP = "external-lookup"  # third-party services (a reputation service...)
    ENRICHMENT = "enrichment"  # sending it to enrichment services
    BLOCKING = "blocking"  # pushing to blocking devices, active measures


# The strictest PAP level at which each action is still permitted (PAP definitions:
# RED non-detectable actions only; AMBER passive cross-checks with third parties;
# GREEN active actions; CLEAR no restriction).
_LIMIT: dict[Action, Pap] = {
    Action.PASSIVE_ANALYSIS: Pap.RED,
    Action.EXTERNAL_LOOKUP: Pap.AMBER,
    Action.ENRICHMENT: Pap.AMBER,
    Action.BLOCKING: Pap.GREEN,
}


def pap_permits(action: Action, pap: Pap | None) -> bool:
    """Tell whether PAP allows an action (no PAP marking: no restriction)."""
    return pap is None or pap <= _LIMIT[action]


def require_permitted(
    conn: Connection, viewer: Viewer, stix_ids: Iterable[str], action: Action
) -> None:
    """Refuse an action on objects if any of them (any stored version) forbids it.

    Every look-up, enrichment or blocking feature calls this before acting.
    """
    for stix_id in stix_ids:
        if not object_visible_anywhere(conn, viewer, stix_id):
            raise NotFound(f"no object {stix_id!r}")
        strictest = conn.execute(
            select(func.max(objects.c.pap)).where(objects.c.stix_id == stix_id)
        ).scalar()
        pap = None if strictest is None else Pap(strictest)
        if pap is not None and not pap_permits(action, pap):
            raise Forbidden(f"{stix_id}: PAP:{pap.name} forbids {action.value}")


def text_hash(text: str) -> str:
    """Hash an H3 text, to record which text was acknowledged."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def h3_text_of(conn: Connection, viewer: Viewer, stix_id: str) -> str:
    """Return the H3 text of the versions of an object the viewer may see ('' if none
    carries one): a hidden version, or another organisation's copy, tells them nothing."""
    if not object_visible_anywhere(conn, viewer, stix_id):
        raise NotFound(f"no object {stix_id!r}")
    placement = channel_objects.alias("h3_placement")
    rows = conn.execute(
        select(objects.c.h3_text)
        .join(
            placement,
            (placement.c.stix_id == objects.c.stix_id) & (placement.c.version == objects.c.version),
        )
        .where(
            objects.c.stix_id == stix_id,
            objects.c.handling_codes.op("&")(int(HandlingCode.H3)) != 0,
            visible_placement(viewer, placement),
        )
        .order_by(objects.c.version)
    )
    return "\n".join(dict.fromkeys(r.h3_text for r in rows))


def acknowledge(conn: Connection, viewer: Viewer, stix_id: str) -> str:
    """Record that the viewer read and accepts an object's H3 text; return the text."""
    text = h3_text_of(conn, viewer, stix_id)
    if not text:
        raise NotFound(f"{stix_id} carries no H3 restriction to acknowledge")
    done = conn.execute(
        select(acknowledgements.c.user_id).where(
            acknowledgements.c.user_id == viewer.user_id, acknowledgements.c.stix_id == stix_id
        )
    ).first()
    if done is None:
        conn.execute(
            acknowledgements.insert().values(
                user_id=viewer.user_id,
                stix_id=stix_id,
                text_hash=text_hash(text),
                created=now_micros(),
            )
        )
    return text
