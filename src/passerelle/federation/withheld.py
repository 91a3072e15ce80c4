"""What a producer's people see of their own versions withheld from peers: the version,
the peer's organisation, the reason the rules gave and what to do about it
(docs/federation.md, "A TLP defaulted here").

Only the viewer's organisation's own versions, withheld from a peer whose account speaks
for it, in a channel it is a member of (:func:`passerelle.policy.departure.withheld_shown_to`);
never a peer's address. Anything else answers as if nothing were withheld.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import select

from passerelle.core.context import Context
from passerelle.core.operations import Operation, register
from passerelle.errors import BadInput
from passerelle.federation import outbox
from passerelle.policy.departure import withheld_hint, withheld_shown_to
from passerelle.store.federation_tables import federation_outbox, peer_links, peers
from passerelle.store.schema import channel_members, channels, objects, organisations


class WithheldRequest(BaseModel):
    """Which withheld versions to list."""

    object_id: str | None = Field(default=None, max_length=300, description="Only this object.")
    limit: int = Field(default=50, ge=1, le=500, description="At most this many.")
    cursor: str | None = Field(
        default=None, max_length=20, description="The next page: the 'next' of the previous answer."
    )


class WithheldVersion(BaseModel):
    """One version of the viewer's organisation that a peer was not sent."""

    stix_id: str
    version: str
    channel: str
    peer_org: str = Field(description="The organisation of the peer it was not sent to.")
    reason: str
    hint: str = Field(description="What the producer does about it.")


class WithheldPage(BaseModel):
    """One page, newest first, and the cursor of the next (None: the last)."""

    withheld: list[WithheldVersion]
    next: str | None = None


def list_withheld(ctx: Context, request: WithheldRequest) -> WithheldPage:
    """List your organisation's versions withheld from peers, with the reason and the fix."""
    out = federation_outbox.c
    member = channel_members.alias("member")
    query = (
        select(out.id, out.stix_id, out.version, out.reason, channels.c.title, organisations.c.name)
        .join(peer_links, peer_links.c.id == out.link_id)
        .join(peers, peers.c.id == peer_links.c.peer_id)
        .join(organisations, organisations.c.id == peers.c.org_id)
        .join(channels, channels.c.id == peer_links.c.channel_id)
        .join(objects, (objects.c.stix_id == out.stix_id) & (objects.c.version == out.version))
        .outerjoin(
            member,
            (member.c.channel_id == peer_links.c.channel_id)
            & (member.c.org_id == ctx.viewer.org_id),
        )
        .where(
            out.state == outbox.WITHHELD,
            withheld_shown_to(
                ctx.viewer, objects.c.producer_org_id, peers.c.speaks_for_org_id, member.c.org_id
            ),
        )
        .order_by(out.id.desc())
        .limit(request.limit + 1)
    )
    if request.object_id is not None:
        query = query.where(out.stix_id == request.object_id)
    if request.cursor is not None:
        query = query.where(out.id < _cursor(request.cursor))
    with ctx.database.read() as conn:
        rows = conn.execute(query).all()
    found = [
        WithheldVersion(stix_id=r.stix_id, version=r.version, channel=r.title, peer_org=r.name,
                        reason=r.reason, hint=withheld_hint(r.reason))
        for r in rows[: request.limit]
    ]  # fmt: skip
    more = len(rows) > request.limit
    return WithheldPage(withheld=found, next=str(rows[request.limit - 1].id) if more else None)


def _cursor(text: str) -> int:
    """Read a cursor this node gave: an outbox row id (anything else is one line of error,
    never a database error: an id past a BIGINT's range would be one)."""
    if not (text.isascii() and text.isdigit()) or len(text) > _CURSOR_DIGITS:
        raise BadInput("cursor: not one this node gave")
    return int(text)


_CURSOR_DIGITS = 18


WITHHELD = register(
    Operation("federation.withheld", "GET", "/api/federation/withheld", WithheldRequest,
              list_withheld)
)  # fmt: skip
