"""Who owns an object, and the copies organisations keep of objects they do not own.

The organisation that stores the first version of an object owns it (``object_owners``):
only it adds versions, and every right that depends on the producer (taking it out of a
channel, granting onward sharing or court use, deciding its review items) is decided
from that record, never from whichever version a query happens to meet first.

An organisation that writes an object it does not own gets its own copy instead, kept
apart under a version key of its own (``<version>#<organisation id>``), in two cases:

- a cyber-observable (SCO): its id derives from its value, so two organisations that
  observed the same address each hold their own copy, under their own handling rules;
- an object it cannot see: answering "taken" would tell it that someone holds an object
  with that id. Its copy is stored and served to whoever its own rules allow; the
  owner's object is untouched.

An organisation that can see the owner's object may share that very version onward
(within its handling rules) but may not add versions of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from sqlalchemy import Connection, select

from passerelle.store.chunks import one_of
from passerelle.store.schema import object_owners

COPY_MARK: Final = "#"


def copy_version(version: str, org_id: int) -> str:
    """Return the version key of an organisation's own copy of an object version."""
    return f"{version}{COPY_MARK}{org_id}"


def copy_holder(version: str) -> int | None:
    """Return the organisation whose own copy this version key names (None: the owner's)."""
    _key, mark, holder = version.partition(COPY_MARK)
    return int(holder) if mark and holder.isdigit() else None


def owners_of(conn: Connection, stix_ids: Iterable[str]) -> dict[str, int]:
    """Return the owner organisation of each of these objects that has one."""
    ids = sorted(set(stix_ids))
    if not ids:
        return {}
    return {row.stix_id: row.org_id for row in conn.execute(_OWNERS, {"ids": ids})}


# Built once, the ids bound as one parameter: compiled once whatever their number.
_OWNERS: Final = select(object_owners.c.stix_id, object_owners.c.org_id).where(
    one_of(object_owners.c.stix_id, "ids")
)
