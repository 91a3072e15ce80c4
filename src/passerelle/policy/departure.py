"""What may leave the node for a peer: the rules of visibility, evaluated for the peer's
organisation as the viewer, and the rules that bind a whole node on top of them.

A version placed in a channel leaves for a peer only when all of these hold (docs/security.md,
"What leaves the node"):

- it is the producer's own version (a copy an organisation keeps of another's object is
  never sent), produced by the local organisation the peer account speaks for, or
  forwarded: produced elsewhere (never by the peer's own organisation), with the
  producer's grant carried in it for this organisation's node to forward it to the peer's
  organisation, and never TLP:AMBER+STRICT (:mod:`passerelle.policy.forwarding`);
- its audience admits the peer's organisation in that channel, exactly as
  :func:`passerelle.policy.visibility.visible_placement` decides for a person of it: so
  AMBER+STRICT only to a reading member, AMBER to members and their declared clients, and
  nothing whose stored referents the peer's organisation may not see;
- TLP:RED only when it names recipients and every one is a user of the peer's
  organisation (each of them must see it here);
- H2 only with the producer's grant to federate it to the peer's organisation (for a
  forwarded object, the grant it carries);
- every stored object it refers to may itself leave for that peer through a channel pushed
  to it (never "dependencies pulled along": a referent is not sent for its referrer's sake).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, cast

import orjson
from sqlalchemy import Connection, Select, bindparam, exists, select

from passerelle.policy.actions import has_grant
from passerelle.policy.forwarding import forwarding_refusal
from passerelle.policy.ownership import COPY_MARK
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import visible_placement
from passerelle.stix.markings import HandlingCode, InvalidHandling, Tlp, read_handling
from passerelle.store.schema import (
    channel_objects,
    object_recipients,
    object_refs,
    objects,
    organisations,
    users,
)

# The use a producer grants (``passerelle grant ID --federate ORG``) for H2 objects.
FEDERATE = "federate"
# How deep referents of referents are followed before a version is withheld.
_MAX_DEPTH = 4


@dataclass(frozen=True)
class PeerAudience:
    """A peer as the rules see it: its organisation here, the local organisation its
    account speaks for, and the channels pushed to it."""

    org_id: int
    org_name: str
    speaks_for_org_id: int
    pushed_channels: frozenset[int]
    # The name of the organisation the account speaks for (a forwarding grant names it).
    speaks_for: str = ""

    def as_viewer(self) -> Viewer:
        """Return the peer's organisation as a viewer that is no named person."""
        return Viewer(-1, "", self.org_id, self.org_name, Role.NODE)


def departure_refusal(
    conn: Connection, peer: PeerAudience, channel_id: int, stix_id: str, version: str
) -> str:
    """Say why a placed version may not leave for the peer ('' when it may)."""
    return _refusal(conn, peer, channel_id, stix_id, version, 0)


def _refusal(
    conn: Connection, peer: PeerAudience, channel_id: int, stix_id: str, version: str, depth: int
) -> str:
    if COPY_MARK in version:
        return "a copy kept of another organisation's object is never sent"
    row = conn.execute(
        select(channel_objects.c.tlp, channel_objects.c.producer_org_id, objects.c.handling_codes)
        .join(
            objects,
            (objects.c.stix_id == channel_objects.c.stix_id)
            & (objects.c.version == channel_objects.c.version),
        )
        .where(
            channel_objects.c.channel_id == channel_id,
            channel_objects.c.stix_id == stix_id,
            channel_objects.c.version == version,
        )
    ).first()
    if row is None:
        return "no longer in the channel"
    forwarded = row.producer_org_id != peer.speaks_for_org_id
    if forwarded:
        reason = _forwarding_refusal(conn, peer, row.producer_org_id, stix_id, version, row.tlp)
        if reason:
            return reason
    reason = _audience_refusal(conn, peer, channel_id, stix_id, version, Tlp(row.tlp))
    if reason:
        return reason
    if (
        not forwarded
        and HandlingCode(row.handling_codes) & HandlingCode.H2
        and not has_grant(conn, stix_id, FEDERATE, None, peer.org_id)
    ):
        return f"H2: its producer has not granted it to {peer.org_name!r}"
    return _referent_refusal(conn, peer, stix_id, version, depth)


def _forwarding_refusal(
    conn: Connection, peer: PeerAudience, producer_org_id: int, stix_id: str, version: str, tlp: int
) -> str:
    """Why another organisation's version may not be forwarded to the peer ('' if it may)."""
    if not peer.speaks_for:
        return "produced by another organisation than the one this peer account speaks for"
    if producer_org_id == peer.org_id:
        return "produced by the peer's own organisation: its node holds it already"
    body, producer = conn.execute(
        select(objects.c.body, organisations.c.name)
        .join(organisations, organisations.c.id == objects.c.producer_org_id)
        .where(objects.c.stix_id == stix_id, objects.c.version == version)
    ).one()
    try:
        handling = read_handling(orjson.loads(body))
    except InvalidHandling as exc:  # stored before a rule it breaks: never sent on
        return f"its handling cannot be read: {exc}"
    return forwarding_refusal(handling, Tlp(tlp), producer, peer.speaks_for, peer.org_name)


def _audience_refusal(
    conn: Connection, peer: PeerAudience, channel_id: int, stix_id: str, version: str, tlp: Tlp
) -> str:
    viewers = [peer.as_viewer()]
    if tlp is Tlp.RED:
        named = conn.execute(
            select(object_recipients.c.username, users.c.id, users.c.org_id)
            .outerjoin(users, users.c.username == object_recipients.c.username)
            .where(object_recipients.c.stix_id == stix_id, object_recipients.c.version == version)
        ).all()
        if not named:
            return "TLP:RED names no recipient at the peer's organisation"
        if any(r.org_id != peer.org_id for r in named):
            return "TLP:RED names a recipient who is not a user of the peer's organisation"
        viewers = [Viewer(r.id, r.username, peer.org_id, peer.org_name, Role.NODE) for r in named]
    for viewer in viewers:
        if not _visible_here(conn, viewer, channel_id, stix_id, version):
            return (
                f"{tlp.label} in this channel does not reach {peer.org_name!r} "
                "(or it refers to an object hidden from it)"
            )
    return ""


def _visible_here(
    conn: Connection, viewer: Viewer, channel_id: int, stix_id: str, version: str
) -> bool:
    values = {
        "org_id": viewer.org_id,
        "username": viewer.username,
        "channel_id": channel_id,
        "stix_id": stix_id,
        "version": version,
    }
    return bool(conn.execute(_visible_here_query(), values).scalar())


@functools.cache
def _visible_here_query() -> Select[Any]:
    """Whether ``:org_id`` (as ``:username``) may see a version in a channel, by the one
    rule of :func:`visible_placement`.

    Built once with the viewer as bound parameters: a pass asks it of every queued version,
    and building the statement cost a hundred times more than running it.
    """
    bound = Viewer(
        -1,
        cast(str, bindparam("username")),
        cast(int, bindparam("org_id")),
        "",
        Role.NODE,
    )
    placement = channel_objects.alias("placement")
    return select(
        exists().where(
            placement.c.channel_id == bindparam("channel_id"),
            placement.c.stix_id == bindparam("stix_id"),
            placement.c.version == bindparam("version"),
            visible_placement(bound, placement),
        )
    )


def _referent_refusal(
    conn: Connection, peer: PeerAudience, stix_id: str, version: str, depth: int
) -> str:
    refs = conn.execute(
        select(object_refs.c.ref_id).where(
            object_refs.c.stix_id == stix_id, object_refs.c.version == version
        )
    ).scalars()
    for ref_id in sorted(set(refs)):
        if ref_id == stix_id:
            continue
        stored = conn.execute(
            select(channel_objects.c.channel_id, channel_objects.c.version).where(
                channel_objects.c.stix_id == ref_id
            )
        ).all()
        if not stored:
            continue  # nothing of it here, so nothing of it to reveal
        leaves = depth < _MAX_DEPTH and any(
            not _refusal(conn, peer, c, ref_id, v, depth + 1)
            for c, v in stored
            if c in peer.pushed_channels
        )
        if not leaves:
            return f"it refers to {ref_id}, which may not leave for this peer"
    return ""


def rfi_departure_refusal(
    conn: Connection, peer: PeerAudience, from_org_id: int, to_org_id: int, about: str | None
) -> str:
    """Say why an RFI may not be forwarded to a peer ('' when it may).

    It leaves only when the organisation the peer account speaks for asked it, of the
    peer's own organisation, and when the object it is about (if any) is one the peer's
    organisation may see here in a channel pushed to that peer: the question names it, so
    it must not tell of an object the partner may not know exists.
    """
    if from_org_id != peer.speaks_for_org_id:
        return "asked by another organisation than the one this peer account speaks for"
    if to_org_id != peer.org_id:
        return f"addressed to another organisation than {peer.org_name!r}"
    if about is None:
        return ""
    placement = channel_objects.alias("placement")
    seen = conn.execute(
        select(placement.c.stix_id).where(
            placement.c.stix_id == about,
            placement.c.channel_id.in_(sorted(peer.pushed_channels)),
            visible_placement(peer.as_viewer(), placement),
        )
    ).first()
    if seen is None:
        return (
            f"it is about {about}, which {peer.org_name!r} may not see in a channel "
            "pushed to its node"
        )
    return ""
