"""Who may erase an object for data-protection reasons: the organisation that owns it,
through its admin or its auditor (the data-protection officer, DESIGN.md), never a
node account, a user of another organisation, nor the node's operator for another's
object.

A refusal says the same whether or not the object exists, so nobody learns from it that
another organisation holds an object with that id.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from passerelle.policy.ownership import copy_holder, owners_of
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer

ERASERS = frozenset({Role.ADMIN, Role.AUDITOR})


def erasable_versions(
    conn: Connection, viewer: Viewer, stix_id: str, versions: Sequence[str]
) -> list[str]:
    """Return which of an object's stored version keys the viewer's organisation owns
    (its own versions, or its own copies of another's)."""
    owner = owners_of(conn, [stix_id]).get(stix_id)
    mine = []
    for version in versions:
        holder = copy_holder(version)
        if (holder if holder is not None else owner) == viewer.org_id:
            mine.append(version)
    return mine


def erasure_refusal(viewer: Viewer, stix_id: str, owned: Sequence[str]) -> str:
    """Say why the viewer may not erase the object ('' when they may): ``owned`` are the
    versions their organisation owns (see :func:`erasable_versions`)."""
    if viewer.role not in ERASERS or not owned:
        return (
            f"only an admin or auditor of the organisation that produced {stix_id[:80]!r} "
            "may erase it"
        )
    return ""
