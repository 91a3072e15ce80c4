"""What leaves the node for a peer: each queued version either rendered as a reader is
served it (its TLP explicit, its producer named) or withheld with the reason the policy
gives (:mod:`passerelle.policy.departure`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Connection, bindparam, select

from passerelle.objects.rendering import served_body
from passerelle.policy.departure import PeerAudience, departure_refusals
from passerelle.policy.roles import Role
from passerelle.stix.organisations import organisation_identity_id
from passerelle.store.chunks import chunked, one_of
from passerelle.store.schema import channel_objects, objects, organisations, users


@dataclass(frozen=True)
class Departure:
    """One version for a peer: its body as sent, or the reason it stays."""

    stix_id: str
    version: str
    body: str | None
    reason: str = ""


def departure(
    conn: Connection, peer: PeerAudience, channel_id: int, stix_id: str, version: str
) -> Departure:
    """Return a placed version as it leaves for the peer, or why it may not."""
    return departures(conn, peer, channel_id, [(stix_id, version)])[0]


def departures(
    conn: Connection, peer: PeerAudience, channel_id: int, keys: Sequence[tuple[str, str]]
) -> list[Departure]:
    """Return placed versions (id, version) as they leave for the peer, or why each may
    not, in the order given: a few queries for the lot."""
    refusals = departure_refusals(conn, peer, channel_id, keys)
    bodies = _served(conn, channel_id, [key for key in keys if not refusals[key]])
    return [
        Departure(key[0], key[1], None, refusals[key])
        if refusals[key]
        else Departure(key[0], key[1], bodies[key])
        for key in keys
    ]


def _served(
    conn: Connection, channel_id: int, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """Return the bodies of placed versions as a reader is served them."""
    if not keys:
        return {}
    rows = conn.execute(
        _PLACED_BODIES, {"channel_id": channel_id, "ids": sorted({k[0] for k in keys})}
    )
    wanted = set(keys)
    return {
        (r.stix_id, r.version): served_body(
            r.body, r.tlp, bool(r.tlp_defaulted), organisation_identity_id(r.name)
        )
        for r in rows
        if (r.stix_id, r.version) in wanted
    }


_PLACED_BODIES: Final = (
    select(
        channel_objects.c.stix_id,
        channel_objects.c.version,
        objects.c.body,
        channel_objects.c.tlp,
        channel_objects.c.tlp_defaulted,
        organisations.c.name,
    )
    .join(
        objects,
        (objects.c.stix_id == channel_objects.c.stix_id)
        & (objects.c.version == channel_objects.c.version),
    )
    .join(organisations, organisations.c.id == channel_objects.c.producer_org_id)
    .where(
        channel_objects.c.channel_id == bindparam("channel_id"),
        one_of(channel_objects.c.stix_id, "ids"),
    )
)


def versions_that_may_be_offered(
    conn: Connection, channel_id: int, peer_org_id: int
) -> list[tuple[str, str]]:
    """Return the versions placed in a channel that a link to a peer of ``peer_org_id``
    offers it, oldest placement first: all but those its node account placed here (what a
    peer sent is never pushed back to its organisation: no ping-pong between nodes). The
    rules of departure decide each one when it is pushed."""
    rows = conn.execute(
        select(channel_objects.c.stix_id, channel_objects.c.version)
        .join(users, users.c.id == channel_objects.c.added_by)
        .where(
            channel_objects.c.channel_id == channel_id,
            (users.c.role != Role.NODE.value) | (users.c.org_id != peer_org_id),
        )
        .order_by(channel_objects.c.seq)
    )
    return list(dict.fromkeys((r.stix_id, r.version) for r in rows))


def held_versions(conn: Connection, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Return which of these (id, version key) the node already stores."""
    found: set[tuple[str, str]] = set()
    for chunk in chunked(sorted({k[0] for k in keys})):
        rows = conn.execute(
            select(objects.c.stix_id, objects.c.version).where(objects.c.stix_id.in_(chunk))
        )
        found |= {(r.stix_id, r.version) for r in rows}
    return found & set(keys)
