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
- its TLP is its producer's, not this channel's default: a version leaves as its producer
  wrote it, so a peer never holds, for one id and version, other bytes than this node
  serves (a cyber-observable, which has no version to bump, leaves with the default made
  explicit, as every reader is served it);
- TLP:RED only when it names recipients and every one is a user of the peer's
  organisation (each of them must see it here);
- H2 only with the producer's grant to federate it to the peer's organisation (for a
  forwarded object, the grant it carries);
- every stored object it refers to may itself leave for that peer through a channel pushed
  to it (never "dependencies pulled along": a referent is not sent for its referrer's sake).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

import orjson
from sqlalchemy import ColumnElement, Connection, Select, and_, bindparam, false, select

from passerelle.policy.actions import granted_objects
from passerelle.policy.forwarding import forwarding_refusal
from passerelle.policy.ownership import COPY_MARK
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import visible_placement
from passerelle.stix.markings import HandlingCode, InvalidHandling, Tlp, read_handling
from passerelle.store.chunks import one_of
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


Key = tuple[str, str]


def departure_refusal(
    conn: Connection, peer: PeerAudience, channel_id: int, stix_id: str, version: str
) -> str:
    """Say why a placed version may not leave for the peer ('' when it may)."""
    key = (stix_id, version)
    return departure_refusals(conn, peer, channel_id, [key])[key]


def departure_refusals(
    conn: Connection, peer: PeerAudience, channel_id: int, keys: Sequence[Key]
) -> dict[Key, str]:
    """Say, for each placed version (id, version) of a channel, why it may not leave for
    the peer ('' when it may).

    The rules are weighed for the lot at once, a handful of queries whatever the number
    of versions (a push decides a page of its outbox at a time); each version gets the
    reason it would get alone.
    """
    return _refusals(conn, peer, channel_id, list(dict.fromkeys(keys)), 0)


def _refusals(
    conn: Connection, peer: PeerAudience, channel_id: int, keys: list[Key], depth: int
) -> dict[Key, str]:
    placed = _placed(conn, channel_id, [k for k in keys if COPY_MARK not in k[1]])
    reasons: dict[Key, str] = {}
    forwarded: set[Key] = set()
    for key in keys:
        row = placed.get(key)
        if COPY_MARK in key[1]:
            reasons[key] = "a copy kept of another organisation's object is never sent"
        elif row is None:
            reasons[key] = "no longer in the channel"
        elif row.tlp_defaulted and key[1]:
            reasons[key] = defaulted_refusal(Tlp(row.tlp))
        elif row.producer_org_id != peer.speaks_for_org_id:
            # Forwarded (rare): its carried grant stands for the H2 grant below.
            reason = _forwarding_refusal(conn, peer, channel_id, row.producer_org_id, key)
            if reason:
                reasons[key] = reason
            else:
                forwarded.add(key)
    # Each rule in turn, for the versions no earlier rule kept here.
    rest = [k for k in keys if k not in reasons]
    reasons |= _audience_refusals(conn, peer, channel_id, {k: Tlp(placed[k].tlp) for k in rest})
    rest = [k for k in rest if k not in reasons]
    codes = {k: placed[k].handling_codes for k in rest if k not in forwarded}
    reasons |= _grant_refusals(conn, peer, codes)
    rest = [k for k in rest if k not in reasons]
    reasons |= _referent_refusals(conn, peer, rest, depth)
    return {key: reasons.get(key, "") for key in keys}


def defaulted_refusal(tlp: Tlp) -> str:
    """Say why a version whose TLP this node defaulted does not leave, and what its
    producer does about it (docs/federation.md, "A TLP defaulted here")."""
    return (
        f"its producer set no TLP ({tlp.label} is this channel's default here), and a version "
        "leaves only as its producer wrote it: post a new version with its TLP set "
        "(object_marking_refs), which leaves in its place"
    )


def _forwarding_refusal(
    conn: Connection, peer: PeerAudience, channel_id: int, producer_org_id: int, key: Key
) -> str:
    """Why another organisation's version may not be forwarded to the peer ('' if it may).

    The producer's latest word decides: a version whose grant a later version of the
    producer placed in the channel no longer carries stays here (the grant withdrawn)."""
    if not peer.speaks_for:
        return "produced by another organisation than the one this peer account speaks for"
    if producer_org_id == peer.org_id:
        return "produced by the peer's own organisation: its node holds it already"
    rows = conn.execute(_PRODUCERS_VERSIONS, {"channel_id": channel_id, "stix_id": key[0],
                                               "producer": producer_org_id}).all()  # fmt: skip
    reason = _refusal_of(next(r for r in rows if r.version == key[1]), peer)
    if reason or rows[0].version <= key[1]:
        return reason
    later = _refusal_of(rows[0], peer)
    if later:
        return f"a later version of its producer ({rows[0].version}) may not be forwarded: {later}"
    return ""


def _refusal_of(row: Any, peer: PeerAudience) -> str:
    """Why one placed version of another organisation may not be forwarded ('' if it may)."""
    try:
        handling = read_handling(orjson.loads(row.body))
    except InvalidHandling as exc:  # stored before a rule it breaks: never sent on
        return f"its handling cannot be read: {exc}"
    return forwarding_refusal(handling, Tlp(row.tlp), row.name, peer.speaks_for, peer.org_name)


# The producer's versions of an object placed in a channel, latest first (copies aside).
_PRODUCERS_VERSIONS: Final = (
    select(channel_objects.c.version, channel_objects.c.tlp, objects.c.body, organisations.c.name)
    .join(
        objects,
        (objects.c.stix_id == channel_objects.c.stix_id)
        & (objects.c.version == channel_objects.c.version),
    )
    .join(organisations, organisations.c.id == objects.c.producer_org_id)
    .where(
        channel_objects.c.channel_id == bindparam("channel_id"),
        channel_objects.c.stix_id == bindparam("stix_id"),
        channel_objects.c.producer_org_id == bindparam("producer"),
        channel_objects.c.version.not_like(f"%{COPY_MARK}%"),
    )
    .order_by(channel_objects.c.version.desc())
)


def _placed(conn: Connection, channel_id: int, keys: list[Key]) -> dict[Key, Any]:
    """Return the placement in the channel of each of these versions that has one."""
    if not keys:
        return {}
    rows = conn.execute(_PLACED, {"channel_id": channel_id, "ids": _ids(keys)})
    wanted = set(keys)
    return {(r.stix_id, r.version): r for r in rows if (r.stix_id, r.version) in wanted}


_PLACED: Final = (
    select(
        channel_objects.c.stix_id,
        channel_objects.c.version,
        channel_objects.c.tlp,
        channel_objects.c.tlp_defaulted,
        channel_objects.c.producer_org_id,
        objects.c.handling_codes,
    )
    .join(
        objects,
        (objects.c.stix_id == channel_objects.c.stix_id)
        & (objects.c.version == channel_objects.c.version),
    )
    .where(
        channel_objects.c.channel_id == bindparam("channel_id"),
        one_of(channel_objects.c.stix_id, "ids"),
    )
)


def _ids(keys: Iterable[Key]) -> list[str]:
    return sorted({key[0] for key in keys})


def _audience_refusals(
    conn: Connection, peer: PeerAudience, channel_id: int, tlps: dict[Key, Tlp]
) -> dict[Key, str]:
    """Why versions do not reach the peer's organisation (only those that do not)."""
    plain = [key for key, tlp in tlps.items() if tlp is not Tlp.RED]
    seen = _visible_here(conn, peer.as_viewer(), channel_id, plain)
    reasons = {key: _unreached(peer, tlps[key]) for key in plain if key not in seen}
    for key in (k for k, tlp in tlps.items() if tlp is Tlp.RED):  # rare: one at a time
        reason = _red_refusal(conn, peer, channel_id, key)
        if reason:
            reasons[key] = reason
    return reasons


def _unreached(peer: PeerAudience, tlp: Tlp) -> str:
    return (
        f"{tlp.label} in this channel does not reach {peer.org_name!r} "
        "(or it refers to an object hidden from it)"
    )


def _red_refusal(conn: Connection, peer: PeerAudience, channel_id: int, key: Key) -> str:
    named = conn.execute(
        select(object_recipients.c.username, users.c.id, users.c.org_id)
        .outerjoin(users, users.c.username == object_recipients.c.username)
        .where(object_recipients.c.stix_id == key[0], object_recipients.c.version == key[1])
    ).all()
    if not named:
        return "TLP:RED names no recipient at the peer's organisation"
    if any(r.org_id != peer.org_id for r in named):
        return "TLP:RED names a recipient who is not a user of the peer's organisation"
    for r in named:
        viewer = Viewer(r.id, r.username, peer.org_id, peer.org_name, Role.NODE)
        if key not in _visible_here(conn, viewer, channel_id, [key]):
            return _unreached(peer, Tlp.RED)
    return ""


def _visible_here(conn: Connection, viewer: Viewer, channel_id: int, keys: list[Key]) -> set[Key]:
    """Return which of these versions placed in a channel the viewer may see there."""
    if not keys:
        return set()
    values = {
        "org_id": viewer.org_id,
        "username": viewer.username,
        "channel_id": channel_id,
        "ids": _ids(keys),
    }
    rows = conn.execute(_visible_here_query(), values)
    return {(r.stix_id, r.version) for r in rows} & set(keys)


@functools.cache
def _visible_here_query() -> Select[Any]:
    """The versions of the objects ``:ids`` placed in ``:channel_id`` that ``:org_id`` (as
    ``:username``) may see there, by the one rule of :func:`visible_placement`.

    Built once with the viewer as bound parameters: building the statement cost a hundred
    times more than running it.
    """
    bound = Viewer(
        -1,
        cast(str, bindparam("username")),
        cast(int, bindparam("org_id")),
        "",
        Role.NODE,
    )
    placement = channel_objects.alias("placement")
    return select(placement.c.stix_id, placement.c.version).where(
        placement.c.channel_id == bindparam("channel_id"),
        one_of(placement.c.stix_id, "ids"),
        visible_placement(bound, placement),
    )


def _grant_refusals(conn: Connection, peer: PeerAudience, codes: dict[Key, int]) -> dict[Key, str]:
    """Why H2 versions may not leave: their producer granted no federation to the peer."""
    restricted = [key for key, code in codes.items() if HandlingCode(code) & HandlingCode.H2]
    granted = granted_objects(conn, _ids(restricted), FEDERATE, None, peer.org_id)
    return {
        key: f"H2: its producer has not granted it to {peer.org_name!r}"
        for key in restricted
        if key[0] not in granted
    }


def _referent_refusals(
    conn: Connection, peer: PeerAudience, keys: list[Key], depth: int
) -> dict[Key, str]:
    """Why versions may not leave: a stored object they refer to may not (the first such
    referent, by id)."""
    refs = _referents(conn, keys)
    stored = _placements_of(conn, sorted({ref for found in refs.values() for ref in found}))
    leaving = _leaving_referents(conn, peer, stored, depth)
    reasons = {}
    for key, found in refs.items():
        hidden = [ref for ref in found if ref in stored and ref not in leaving]
        if hidden:
            reasons[key] = f"it refers to {hidden[0]}, which may not leave for this peer"
    return reasons


def _referents(conn: Connection, keys: list[Key]) -> dict[Key, list[str]]:
    """Return the ids each version refers to (itself left out), sorted."""
    if not keys:
        return {}
    rows = conn.execute(
        select(object_refs.c.stix_id, object_refs.c.version, object_refs.c.ref_id).where(
            one_of(object_refs.c.stix_id, "ids")
        ),
        {"ids": _ids(keys)},
    )
    found: dict[Key, set[str]] = {key: set() for key in keys}
    for stix_id, version, ref_id in rows:
        if (stix_id, version) in found and ref_id != stix_id:
            found[(stix_id, version)].add(ref_id)
    return {key: sorted(refs) for key, refs in found.items() if refs}


def _placements_of(conn: Connection, stix_ids: list[str]) -> dict[str, list[tuple[int, str]]]:
    """Return the placements (channel, version) of these objects, for those stored."""
    if not stix_ids:
        return {}
    rows = conn.execute(
        select(
            channel_objects.c.stix_id, channel_objects.c.channel_id, channel_objects.c.version
        ).where(one_of(channel_objects.c.stix_id, "ids")),
        {"ids": stix_ids},
    )
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for stix_id, channel_id, version in rows:
        found[stix_id].append((channel_id, version))
    return found


def _leaving_referents(
    conn: Connection, peer: PeerAudience, stored: dict[str, list[tuple[int, str]]], depth: int
) -> set[str]:
    """Return the referents some version of which may leave for the peer through a
    channel pushed to it (never "dependencies pulled along": a referent is not sent for
    its referrer's sake, it must be able to leave on its own)."""
    if depth >= _MAX_DEPTH:
        return set()
    by_channel: dict[int, list[Key]] = defaultdict(list)
    for ref_id, placements in stored.items():
        for channel_id, version in placements:
            if channel_id in peer.pushed_channels:
                by_channel[channel_id].append((ref_id, version))
    leaving: set[str] = set()
    for channel_id, keys in sorted(by_channel.items()):
        said = _refusals(conn, peer, channel_id, keys, depth + 1)
        leaving |= {key[0] for key, reason in said.items() if not reason}
    return leaving


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


def withheld_shown_to(
    viewer: Viewer,
    producer: ColumnElement[Any],
    speaks_for: ColumnElement[Any],
    member: ColumnElement[Any],
) -> ColumnElement[bool]:
    """Filter withheld outbox rows to those the viewer may read: its own organisation's
    versions (``producer``), withheld from a peer whose account speaks for that very
    organisation (``speaks_for``), in a channel it is a member of (``member``: the org id
    of its membership row, NULL when none). Users and auditors of the producer read them;
    a peer node's account reads none (docs/federation.md, "A TLP defaulted here")."""
    if viewer.role is Role.NODE:
        return false()
    return and_(producer == viewer.org_id, speaks_for == viewer.org_id, member == viewer.org_id)


# What the producer does about each reason a version is withheld (by the reason's start).
_RED_HINT: Final = (
    "TLP:RED leaves only when every named recipient is a user of the peer's organisation: "
    "name them, or keep it here"
)
_H2_HINT: Final = (
    "grant it (passerelle grant ID --federate ORG), then ask the node operator to retry "
    "(passerelle peer retry)"
)
_HINTS: Final = (
    ("its producer set no TLP", "post a new version with object_marking_refs (its TLP set)"),
    ("TLP:RED", _RED_HINT),
    ("H2:", _H2_HINT),
    ("it refers to", "the object it refers to must be able to leave on its own first"),
    ("a copy kept", "only the owner's versions leave: ask the owner to share it"),
    ("no longer in the channel", "place it in the channel again if it should leave"),
)


def withheld_hint(reason: str) -> str:
    """Say what the producer does about a version withheld for ``reason``."""
    for start, hint in _HINTS:
        if reason.startswith(start):
            return hint
    if "does not reach" in reason:
        return "post a new version with a TLP its organisation may see in this channel, if right"
    return "keep it here, or change what the reason names and ask for a retry"
