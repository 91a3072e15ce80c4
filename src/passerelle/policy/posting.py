"""Who may post into a channel: the one rule that both TAXII's ``can_write`` and every
write path apply."""

from __future__ import annotations

import functools

from sqlalchemy import BindParameter, Connection, Select, bindparam, exists, or_, select

from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.store.schema import channel_members, org_clients


def posting_refusal(conn: Connection, viewer: Viewer, channel_id: int, title: str) -> str:
    """Say why the viewer may not post into a channel ('' when they may).

    Writing needs a writing membership; a channel that reaches other organisations (other
    members, or the declared clients of a reading member, who read its TLP:AMBER and
    below) also needs a liaison officer, who decides what goes to which partner, or a
    partner's node, which carries what a liaison officer there decided. Auditors never
    write.
    """
    if viewer.role is Role.AUDITOR:
        return "auditors read the audit log; they do not write content"
    row = conn.execute(
        _writes_and_shared(), {"channel_id": channel_id, "org_id": viewer.org_id}
    ).one()
    if not row.writes:
        return f"your organisation may not write into channel {title!r}"
    if row.shared and viewer.role not in (Role.LIAISON, Role.NODE):
        return (
            f"channel {title!r} reaches other organisations (members or their clients): "
            "only a liaison officer may share into it"
        )
    return ""


@functools.cache
def _writes_and_shared() -> Select[bool, bool]:
    """Whether ``:org_id`` writes into ``:channel_id``, and whether the channel reaches
    anyone else: another member, or a client of a reading member.

    Built once: every write asks, and building the statement cost more than running it.
    """
    channel_id: BindParameter[int] = bindparam("channel_id")
    org_id: BindParameter[int] = bindparam("org_id")
    reader = channel_members.alias("reader")
    return select(
        exists()
        .where(
            channel_members.c.channel_id == channel_id,
            channel_members.c.org_id == org_id,
            channel_members.c.can_write.is_(True),
        )
        .label("writes"),
        or_(
            exists().where(
                channel_members.c.channel_id == channel_id, channel_members.c.org_id != org_id
            ),
            exists().where(
                reader.c.channel_id == channel_id,
                reader.c.can_read.is_(True),
                org_clients.c.org_id == reader.c.org_id,
                org_clients.c.client_org_id != org_id,
            ),
        ).label("shared"),
    )
