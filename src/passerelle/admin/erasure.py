"""Erasure for data-protection reasons: the organisation that produced an object takes
every version it owns out of every channel of the node, so no read path serves them any
more, and every peer that received any of them is owed an erasure (the retraction
machinery of :mod:`passerelle.federation.retraction`, through the removal listeners).

Who may is decided by :mod:`passerelle.policy.erasure`: an admin or auditor of the
producer's organisation. The erasure is audited with who asked, the object, the versions
and the reason; a refusal is audited by :func:`passerelle.core.operations.perform`.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from passerelle.audit import log as audit
from passerelle.core.context import Context
from passerelle.core.operations import Operation, register
from passerelle.errors import Forbidden
from passerelle.objects.queries import Entry
from passerelle.objects.removal import erase_everywhere, placed_versions
from passerelle.policy.erasure import erasable_versions, erasure_refusal

ERASE_ACTION = "erase"
DATA_PROTECTION = "data-protection"


class ErasureRequest(BaseModel):
    """An object to erase, and why."""

    object_id: str = Field(min_length=1, max_length=200, description="The STIX id")
    reason: str = Field(
        min_length=1, max_length=1000, description="Why it is erased (kept in the audit log)"
    )


class Erasure(BaseModel):
    """What an erasure took out of the node."""

    object_id: str
    versions: list[str] = Field(description="The version keys erased")
    channels: int = Field(description="How many channels held some of them")


def erase(ctx: Context, request: ErasureRequest) -> Erasure:
    """Erase an object your organisation produced, for data-protection reasons: every
    version it owns leaves every channel of this node, and every peer that received one is
    owed an erasure (``passerelle peer pending``)."""
    viewer, stix_id = ctx.viewer, request.object_id
    with ctx.database.write() as conn:
        owned = erasable_versions(conn, viewer, stix_id, placed_versions(conn, stix_id))
        refusal = erasure_refusal(viewer, stix_id, owned)
        if refusal:
            raise Forbidden(refusal)
        entries = [Entry(stix_id, version, 0) for version in owned]
        held = erase_everywhere(conn, ctx.hooks, viewer, entries, ctx.now())
        detail = {
            "for": DATA_PROTECTION,
            "reason": audit.printable(request.reason, 1000),
            "versions": owned,
            "channels": len(held),
        }
        audit.record(ctx.database, conn, viewer, ERASE_ACTION, [stix_id], detail)
    return Erasure(object_id=stix_id, versions=owned, channels=len(held))


ERASE = register(Operation("objects.erase", "POST", "/api/objects/{object_id}/erase",
                           ErasureRequest, erase))  # fmt: skip
