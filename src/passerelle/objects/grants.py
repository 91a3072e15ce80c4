"""A producer's grants (onward sharing, use in court, federation) and acknowledgements of
H3 restrictions, audited, for the command line (locally) and the REST API alike.

A refused grant is audited too (``grant-refused``, with what was asked and why), in a
transaction of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from passerelle.audit.log import record, record_alone
from passerelle.errors import BadInput, Forbidden, NotFound
from passerelle.objects.forwarding import grant_forwarding
from passerelle.objects.hooks import Hooks
from passerelle.policy import actions
from passerelle.policy.departure import FEDERATE
from passerelle.policy.directory import Channel, channel_by_collection_id, find_organisation
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import channel_for
from passerelle.store.database import Database


@dataclass(frozen=True)
class Grant:
    """What a producer allows: exactly one of onward sharing into ``channel``, use in
    court (by ``court_to``, or anyone), pushing to the peer of ``federate_to``, or
    forwarding to ``forward_to`` by the node of ``forward_by`` (a new version carrying
    the grant, :mod:`passerelle.objects.forwarding`)."""

    object_id: str
    channel: str | None = None
    court: bool = False
    court_to: str | None = None
    federate_to: str | None = None
    forward_to: str | None = None
    forward_by: str | None = None


def grant_target(conn: Connection, viewer: Viewer, reference: str) -> Channel:
    """Find the channel an onward-sharing grant is for.

    A producer usually grants sharing into a partner's channel it is not part of; it names
    that channel by the exact collection id the partner gave it (titles and aliases stay
    private to members).
    """
    try:
        return channel_for(conn, viewer, reference)
    except NotFound:
        return channel_by_collection_id(conn, reference)


def _apply(conn: Connection, viewer: Viewer, asked: Grant) -> dict[str, str]:
    if asked.federate_to:
        peer_org = find_organisation(conn, asked.federate_to).id
        actions.grant(conn, viewer, asked.object_id, FEDERATE, org_id=peer_org)
        return {"kind": "federate", "to": asked.federate_to}
    if asked.court:
        org_id = find_organisation(conn, asked.court_to).id if asked.court_to else None
        actions.grant(conn, viewer, asked.object_id, actions.COURT, org_id=org_id)
        return {"kind": "court", "to": asked.court_to or "any"}
    assert asked.channel is not None
    channel = grant_target(conn, viewer, asked.channel)
    actions.grant(conn, viewer, asked.object_id, actions.ONWARD, channel=channel)
    return {"kind": "onward", "channel": channel.title}


def grant(
    database: Database, viewer: Viewer, asked: Grant, hooks: Hooks | None = None
) -> dict[str, str]:
    """Record a producer's grant and its audit entry; return what was granted (a
    forwarding grant is a new version, whose write announces itself to ``hooks``)."""
    chosen = [bool(asked.channel), asked.court, bool(asked.federate_to), bool(asked.forward_to)]
    if chosen.count(True) != 1:
        raise BadInput(
            "say what you grant: --channel C (onward sharing), --court, --federate ORG or "
            "--forward ORG --by ORG"
        )
    if bool(asked.forward_to) != bool(asked.forward_by):
        raise BadInput("--forward ORG goes with --by ORG (whose node may forward it)")
    try:
        if asked.forward_to and asked.forward_by:
            assert hooks is not None, "a forwarding grant writes a version: give the hooks"
            return grant_forwarding(
                database, hooks, viewer, asked.object_id, asked.forward_to, asked.forward_by
            )
        with database.write() as conn:
            detail = _apply(conn, viewer, asked)
            record(database, conn, viewer, "grant", [asked.object_id], detail)
    except (Forbidden, NotFound) as exc:
        record_alone(database, viewer, "grant-refused", [asked.object_id], {"reason": exc.message})
        raise
    return detail


def acknowledge(database: Database, viewer: Viewer, object_id: str) -> str:
    """Acknowledge an object's H3 restriction (audited); return its text."""
    with database.write() as conn:
        text = actions.acknowledge(conn, viewer, object_id)
        record(database, conn, viewer, "acknowledge", [object_id])
    return text
