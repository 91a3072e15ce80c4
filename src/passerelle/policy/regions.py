"""The phone region of each organisation: where the numbers of the objects it produces are
read when written without an international prefix ("8 912 345-67-89" from a Russian
service is +7 912 345 67 89, not a French number). An organisation without one follows the
node's ``PASSERELLE_PHONE_REGION``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from sqlalchemy import Connection, bindparam, select

from passerelle.errors import BadInput
from passerelle.policy.directory import find_organisation
from passerelle.store.chunks import chunked
from passerelle.store.schema import channel_objects, organisations


def set_phone_region(conn: Connection, org_name: str, region: str | None) -> str | None:
    """Set (or, with None or "", clear) an organisation's phone region; return it."""
    import phonenumbers  # on first use: its metadata is heavy and only this admin step needs it

    org = find_organisation(conn, org_name)
    code = (region or "").strip().upper() or None
    if code is not None and code not in phonenumbers.SUPPORTED_REGIONS:
        raise BadInput(f"--phone-region {region!r}: not a region code (FR, RU, DE, ...)")
    conn.execute(
        organisations.update().where(organisations.c.id == org.id).values(phone_region=code)
    )
    return code


def phone_regions(conn: Connection) -> dict[str, str]:
    """Return the phone region of every organisation that has one, by name."""
    rows = conn.execute(
        select(organisations.c.name, organisations.c.phone_region).where(
            organisations.c.phone_region.is_not(None)
        )
    )
    return {row.name: row.phone_region for row in rows}


def region_of(conn: Connection, org_id: int, default: str) -> str:
    """Return the phone region of an organisation: its own, else the node's (``default``)."""
    own = conn.execute(_REGION, {"org_id": org_id}).scalar()
    return str(own or default)


# Built once: every write asks it (the writer's organisation's region).
_REGION: Final = select(organisations.c.phone_region).where(
    organisations.c.id == bindparam("org_id")
)


def producer_regions(
    conn: Connection, versions: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """Return, for the versions whose producer organisation has a phone region of its own,
    that region (the others are read in the node's)."""
    wanted = set(versions)
    found: dict[tuple[str, str], str] = {}
    query = (
        select(channel_objects.c.stix_id, channel_objects.c.version, organisations.c.phone_region)
        .join(organisations, organisations.c.id == channel_objects.c.producer_org_id)
        .where(organisations.c.phone_region.is_not(None))
    )
    for chunk in chunked(sorted({stix_id for stix_id, _version in wanted})):
        for row in conn.execute(query.where(channel_objects.c.stix_id.in_(chunk))):
            if (row.stix_id, row.version) in wanted:
                found[(row.stix_id, row.version)] = row.phone_region
    return found
