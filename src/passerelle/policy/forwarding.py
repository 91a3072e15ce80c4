"""Forwarding: an object produced on one node, sent on by another node to a third.

A node sends on another organisation's object only with the producer's grant, written by
the producer in the object itself (the handling extension's ``forwarding_grants``: which
organisation's node may forward it, to which organisation), so the forwarder and the
third node read the same permission in the same version (docs/federation.md,
"Forwarding to a third node"). On top of the grant:

- TLP:AMBER+STRICT is never forwarded, grant or not: it reaches only the organisations
  its producer chose, and only the producer sends it;
- TLP:RED goes only to its named recipients: each must be a user of an organisation the
  grant names;
- everything else (H2 included) goes where the grant says and nowhere else.

The departure side is in :mod:`passerelle.policy.departure`; this module holds the rule
both sides apply, the arrival side (what the third node refuses), and the grant's part in
sharing onward on the forwarder's node (placing the object in a channel the granted
organisation reads there is giving it to that organisation too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from passerelle.policy.actions import channel_audience
from passerelle.policy.naming import name_key
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.stix.markings import FORWARDING, Handling, Tlp
from passerelle.stix.organisations import organisation_identity_id
from passerelle.store.federation_tables import peers
from passerelle.store.schema import channel_objects, organisations, users

NEVER_STRICT = (
    "TLP:AMBER+STRICT is never forwarded: only its producer sends it, to the "
    "organisations it chooses"
)


def granted(grants: Iterable[tuple[str, str]], by: str, to: str) -> bool:
    """Tell whether the producer lets the node of ``by`` forward the object to ``to``."""
    wanted = (name_key(by), name_key(to))
    return any((name_key(b), name_key(t)) == wanted for b, t in grants)


def forwarding_refusal(handling: Handling, tlp: Tlp, producer: str, by: str, to: str) -> str:
    """Say why the node of ``by`` may not forward ``producer``'s object to ``to`` ('' when
    it may, as far as the grant and the TLP go; RED recipients are checked by the caller)."""
    if tlp is Tlp.AMBER_STRICT:
        return NEVER_STRICT
    if not granted(handling.forwarding, by, to):
        return (
            f"produced by {producer!r}: forwarded to {to!r} only with its producer's grant "
            f"to {by!r}, carried in its handling extension ({FORWARDING})"
        )
    return ""


def grant_covers(
    conn: Connection,
    viewer: Viewer,
    channel_id: int,
    producer_org_id: int,
    carried: tuple[Tlp | None, tuple[tuple[str, str], ...]],
) -> bool:
    """Tell whether an object's forwarding grants (with its effective TLP) let the viewer's
    organisation place it in a channel: granted to every organisation the channel reaches
    but the viewer's and the producer's (at least one), and never TLP:AMBER+STRICT."""
    tlp, grants = carried
    if not grants or tlp is Tlp.AMBER_STRICT:
        return False
    reached = channel_audience(conn, channel_id) - {viewer.org_id, producer_org_id}
    if not reached:
        return False
    rows = conn.execute(
        select(organisations.c.id, organisations.c.name).where(
            organisations.c.id.in_(sorted(reached))
        )
    )
    names = {r.id: r.name for r in rows}
    return all(granted(grants, viewer.org_name, names[o]) for o in reached)


@dataclass(frozen=True)
class Arrival:
    """Who produced an object a peer's node account sends, and why it is refused ('')."""

    producer_org_id: int
    refusal: str = ""


def arrival(
    conn: Connection, writer: Viewer, channel_id: int, handling: Handling, author: object
) -> Arrival:
    """Decide an object a node account writes: its own organisation's, or forwarded.

    ``author`` is the object's ``created_by_ref``: the writer's organisation's identity,
    or one declared for it (``peer add --author``), is its own. Naming another
    organisation, the object is forwarded: it is kept as produced by that organisation (which
    must be known here), and only when the producer's grant carried in it lets the
    writer's organisation forward it to every organisation the channel reaches here.
    """
    own = organisation_identity_id(writer.org_name)
    if not isinstance(author, str) or author == own:
        return Arrival(writer.org_id)
    names = {r.id: r.name for r in conn.execute(select(organisations.c.id, organisations.c.name))}
    producer = next((i for i, n in names.items() if organisation_identity_id(n) == author), None)
    if producer is None:
        if author in _declared_authors(conn, writer.org_id):
            return Arrival(writer.org_id)  # a feed's own identity (peer add --author)
        return Arrival(writer.org_id, f"names as its producer {author}, an organisation "
                       "this node does not know")  # fmt: skip
    if _has_people_here(conn, producer):
        return Arrival(producer, f"names as its producer {names[producer]!r}, whose people "
                       "work on this node: its objects are never taken from another "
                       "organisation's node")  # fmt: skip
    tlp = handling.tlp if handling.tlp is not None else Tlp.AMBER
    if tlp is Tlp.AMBER_STRICT:
        return Arrival(producer, NEVER_STRICT)
    if not any(name_key(by) == name_key(writer.org_name) for by, _to in handling.forwarding):
        return Arrival(producer, _no_grant(names[producer], writer.org_name, "anyone"))
    reached = channel_audience(conn, channel_id) - {writer.org_id, producer}
    for org_id in sorted(reached):
        if not granted(handling.forwarding, writer.org_name, names[org_id]):
            return Arrival(producer, _no_grant(names[producer], writer.org_name, names[org_id]))
    if tlp is Tlp.RED:
        return Arrival(producer, _red_refusal(conn, handling, writer.org_name, names))
    return Arrival(producer)


def _declared_authors(conn: Connection, org_id: int) -> set[str]:
    """Return the identities declared to stand for an organisation in what its peers send
    (``peer add --author``)."""
    rows = conn.execute(select(peers.c.authors).where(peers.c.org_id == org_id)).scalars()
    return {a for text in rows for a in text.split(",") if a}


def _has_people_here(conn: Connection, org_id: int) -> bool:
    """Tell whether an organisation has users here other than node accounts."""
    found = conn.execute(
        select(users.c.id).where(users.c.org_id == org_id, users.c.role != Role.NODE.value)
    ).first()
    return found is not None


def placed_by_others(conn: Connection, writer: Viewer, stix_id: str) -> bool:
    """Tell whether anyone but this node account placed a version of the object here (it
    then reached this node otherwise than through this forwarder)."""
    found = conn.execute(
        select(channel_objects.c.stix_id).where(
            channel_objects.c.stix_id == stix_id, channel_objects.c.added_by != writer.user_id
        )
    ).first()
    return found is not None


def _no_grant(producer: str, by: str, to: str) -> str:
    return (
        f"forwarded by {by!r} without its producer's grant: {producer!r} has not let "
        f"{by!r} forward it to {to!r} ({FORWARDING} in its handling extension)"
    )


def _red_refusal(conn: Connection, handling: Handling, by: str, names: dict[int, str]) -> str:
    """TLP:RED forwarded: every named recipient a user here of an organisation granted."""
    allowed = {i for i, n in names.items() if granted(handling.forwarding, by, n)}
    rows = conn.execute(
        select(users.c.username, users.c.org_id).where(
            users.c.username.in_(sorted(handling.recipients))
        )
    ).all()
    found = {r.username: r.org_id for r in rows}
    for name in handling.recipients:
        if found.get(name) not in allowed:
            return (
                f"TLP:RED forwarded to {name!r}, who is not a user here of an organisation "
                "its producer granted it to"
            )
    return ""
