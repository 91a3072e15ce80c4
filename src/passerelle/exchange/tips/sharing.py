"""Sharing an object as a tip: the object and everything it refers to go into a channel,
all or nothing, and each receiving organisation gets a receipt.

The tip is refused, and nothing is shared, if the sharer may not post in the channel, if
nobody else reads it, or if a receiving organisation could not read the tip there (it
refers to objects they may not see, or its TLP:RED recipients are not theirs).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from passerelle.audit import log as audit
from passerelle.core.context import Context, new_id
from passerelle.core.operations import Operation, register
from passerelle.durations import parse_duration
from passerelle.errors import BadInput, Forbidden, NotFound
from passerelle.exchange.feedback import TipRecord
from passerelle.exchange.tips.contents import closure
from passerelle.exchange.tips.lifecycle import receive
from passerelle.exchange.tips.models import ShareRequest, Tip
from passerelle.exchange.tips.reading import tip_view
from passerelle.objects.ingest import store_all_or_nothing
from passerelle.objects.latest import bodies_of, latest_visible_versions
from passerelle.objects.writing import Write
from passerelle.policy.directory import Channel
from passerelle.policy.posting import posting_refusal
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import channel_for, visible_placement
from passerelle.stix.markings import Tlp
from passerelle.store.schema import (
    channel_members,
    channel_objects,
    object_recipients,
    objects,
    organisations,
    tips,
    users,
)


def _reading_members(conn: Connection, channel: Channel) -> dict[int, str]:
    rows = conn.execute(
        select(organisations.c.id, organisations.c.name)
        .join(channel_members, channel_members.c.org_id == organisations.c.id)
        .where(channel_members.c.channel_id == channel.id, channel_members.c.can_read.is_(True))
    )
    return {row.id: row.name for row in rows}


def _named_users(conn: Connection, usernames: Sequence[str]) -> dict[str, tuple[int, str]]:
    rows = conn.execute(
        select(users.c.username, users.c.org_id, users.c.role).where(
            users.c.username.in_(usernames)
        )
    )
    return {row.username: (row.org_id, row.role) for row in rows}


def _receivers(
    conn: Connection,
    viewer: Viewer,
    channel: Channel,
    tip_id_version: tuple[str, str],
    recipients: Sequence[str],
) -> dict[int, str]:
    members = _reading_members(conn, channel)
    members.pop(viewer.org_id, None)
    stix_id, version = tip_id_version
    tlp = conn.execute(
        select(channel_objects.c.tlp).where(
            channel_objects.c.stix_id == stix_id,
            channel_objects.c.version == version,
            channel_objects.c.channel_id == channel.id,
        )
    ).scalar_one()
    named = list(recipients)
    if tlp == int(Tlp.RED):
        named = list(
            conn.execute(
                select(object_recipients.c.username).where(
                    object_recipients.c.stix_id == stix_id,
                    object_recipients.c.version == version,
                )
            ).scalars()
        )
    if not named:
        return members
    found = _named_users(conn, named)
    for username in recipients:
        # One answer for a user who does not exist and one who does not read the channel:
        # naming recipients must not tell the sharer who has an account on the node.
        org = found.get(username)
        if org is None or (org[0] not in members and org[0] != viewer.org_id):
            raise BadInput(f"no user {username!r} reads channel {channel.title!r}")
    return {org_id: members[org_id] for org_id, _role in found.values() if org_id in members}


def _probe(org_id: int, org_name: str, username: str) -> Viewer:
    """A stand-in reader of an organisation, to check what its people will see."""
    return Viewer(-1, username, org_id, org_name, Role.ANALYST)


def _check_receivable(
    conn: Connection, tip: TipRecord, receivers: dict[int, str], recipients: Sequence[str]
) -> None:
    named = list(
        conn.execute(
            select(object_recipients.c.username).where(
                object_recipients.c.stix_id == tip.stix_id,
                object_recipients.c.version == tip.version,
            )
        ).scalars()
    )
    by_org: dict[int, str] = {}
    candidates = list(dict.fromkeys([*recipients, *named]))
    if candidates:
        for username, (org_id, _role) in _named_users(conn, candidates).items():
            by_org.setdefault(org_id, username)
    placement = channel_objects.alias("placement")
    blind = []
    for org_id, name in receivers.items():
        probe = _probe(org_id, name, by_org.get(org_id, ""))
        seen = conn.execute(
            select(placement.c.stix_id).where(
                placement.c.stix_id == tip.stix_id,
                placement.c.channel_id == tip.channel_id,
                visible_placement(probe, placement),
            )
        ).first()
        if seen is None:
            blind.append(name)
    if blind:
        raise Forbidden(
            f"{', '.join(blind)} could not read this tip in the channel (it refers to objects "
            "they may not see, or its TLP:RED recipients are not theirs); nothing was shared"
        )


def _add_red_recipients(
    conn: Connection, viewer: Viewer, versions: dict[str, str], recipients: Sequence[str]
) -> None:
    """Name further recipients of the shared TLP:RED versions the viewer's organisation made."""
    if not recipients:
        return
    for stix_id, version in versions.items():
        row = conn.execute(
            select(objects.c.tlp, objects.c.producer_org_id).where(
                objects.c.stix_id == stix_id, objects.c.version == version
            )
        ).one()
        if row.tlp != int(Tlp.RED):
            continue
        if row.producer_org_id != viewer.org_id:
            raise Forbidden(
                f"{stix_id}: only its producer may name further recipients of a TLP:RED object"
            )
        known = set(
            conn.execute(
                select(object_recipients.c.username).where(
                    object_recipients.c.stix_id == stix_id, object_recipients.c.version == version
                )
            ).scalars()
        )
        for username in recipients:
            if username not in known:
                conn.execute(
                    object_recipients.insert().values(
                        stix_id=stix_id, version=version, username=username
                    )
                )


def _deadlines(ctx: Context, request: ShareRequest) -> tuple[int, int]:
    """Return the acknowledgement and outcome deadlines, from now, that the request asks."""
    ack_within = parse_duration(request.ack_within) if request.ack_within else None
    outcome_within = parse_duration(request.outcome_within) if request.outcome_within else None
    ack_within = ack_within or ctx.settings.ack_within
    outcome_within = outcome_within or ctx.settings.outcome_within
    if ack_within > outcome_within:
        raise BadInput("the acknowledgement deadline must not come after the outcome deadline")
    return ack_within, outcome_within


def _place(
    write: Write, viewer: Viewer, channel: Channel, object_id: str, recipients: Sequence[str]
) -> tuple[dict[str, str], list[str]]:
    """Store the object and what it refers to in the channel, all or nothing; return the
    versions shared and the ids of those the viewer may not see (not shared)."""
    conn = write.conn
    refused = posting_refusal(conn, viewer, channel.id, channel.title)
    if refused:
        raise Forbidden(refused)
    start = latest_visible_versions(conn, viewer, [object_id])
    if not start:
        raise NotFound(f"no object {object_id!r}")
    ids = closure(conn, viewer, list(start.items()))
    versions = latest_visible_versions(conn, viewer, ids)
    not_shared = [i for i in ids if i not in versions]
    _add_red_recipients(conn, viewer, versions, recipients)
    bodies = bodies_of(conn, versions)
    store_all_or_nothing(write, viewer, channel, [bodies[i] for i in versions], recipients)
    return versions, not_shared


def _insert_tip(conn: Connection, record: TipRecord) -> None:
    conn.execute(
        tips.insert().values(
            id=record.id,
            stix_id=record.stix_id,
            version=record.version,
            channel_id=record.channel_id,
            producer_org_id=record.producer_org_id,
            shared_by=record.shared_by,
            shared_at=record.shared_at,
            ack_deadline=record.ack_deadline,
            outcome_deadline=record.outcome_deadline,
            action_requested=record.action_requested,
        )
    )


def share(ctx: Context, request: ShareRequest) -> Tip:
    """Share an object and everything it refers to into a channel as a tip, or nothing."""
    viewer, now = ctx.viewer, ctx.now()
    ack_within, outcome_within = _deadlines(ctx, request)
    recipients = list(dict.fromkeys(r.strip() for r in request.recipients if r.strip()))
    with ctx.database.read() as conn:
        channel = channel_for(conn, viewer, request.channel)
    with ctx.writing([channel.id]) as write:
        conn = write.conn
        versions, not_shared = _place(write, viewer, channel, request.object_id, recipients)
        record = TipRecord(
            new_id("tip"),
            request.object_id,
            versions[request.object_id],
            channel.id,
            viewer.org_id,
            viewer.user_id,
            viewer.username,
            now,
            now + ack_within,
            now + outcome_within,
            request.action_requested.strip(),
        )
        receivers = _receivers(conn, viewer, channel, (record.stix_id, record.version), recipients)
        if not receivers:
            raise BadInput(
                f"no other organisation reads channel {channel.title!r}: "
                "nobody would receive this tip"
            )
        _check_receivable(conn, record, receivers, recipients)
        _insert_tip(conn, record)
        for org_id, org_name in sorted(receivers.items(), key=lambda item: item[1]):
            receive(write, viewer, record, org_id, org_name, now)
        audit.record(
            ctx.database,
            conn,
            viewer,
            "share",
            list(versions),
            {"channel": channel.title, "tip": record.id, "to": sorted(receivers.values())},
        )
        view = tip_view(conn, viewer, record.id, now)
    view.objects = list(versions)
    view.not_shared = not_shared
    return view


SHARE = register(Operation("tips.share", "POST", "/api/tips", ShareRequest, share))
