"""The one place that decides what a viewer may see.

Every read of channels or objects, whatever the path (TAXII, CLI export, and later
search, correlation, federation), builds its SQL filter here, so the rule lives in the
database query and never in a load-then-filter loop.

A placement (one version of one object in one channel) is visible to a viewer when:

- the viewer's organisation produced it; or
- its audience admits the viewer (TLP 2.0, DESIGN.md "Handling rules"):
  CLEAR, GREEN, AMBER and AMBER+STRICT reach the reading member organisations of the
  channel; CLEAR, GREEN and AMBER also reach the clients each of them declares (what
  AMBER may reach, a less restrictive level may reach too); RED reaches only the named
  users, and only while their organisation reads the channel;
  and every stored object it refers to is visible to the viewer too (a relationship to
  a RED report never reveals that report to someone outside its audience);
- and it is not a copy that another organisation keeps of an object whose owner's own
  versions the viewer may see (:mod:`passerelle.policy.ownership`).

Auditors read the audit log, never content. Being an administrator gives no sight of
anything.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    FromClause,
    Select,
    and_,
    bindparam,
    exists,
    false,
    or_,
    select,
    true,
)

from passerelle.errors import Forbidden, NotFound
from passerelle.policy.directory import Channel, channel_row_to_channel
from passerelle.policy.ownership import COPY_MARK
from passerelle.policy.posting import posting_refusal
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.stix.markings import Tlp
from passerelle.store.schema import (
    channel_members,
    channel_objects,
    channels,
    object_recipients,
    object_refs,
    org_clients,
)

# TLP:RED is for named individuals: never exported in bulk, never federated.
BULK_MAX_TLP = Tlp.AMBER_STRICT

# The aliases the filters use, built once: building one copies every column of its table,
# which cost a quarter of a TAXII page read when it was done per query. Each appears at
# most once on any chain of nested subqueries the filters build, so sharing them never
# lets SQLAlchemy correlate an alias with itself.
_PATRON: Final = channel_members.alias("patron")
_REFERENT: Final = channel_objects.alias("referent")
_SEEN_REFERENT: Final = channel_objects.alias("seen_referent")
_OWNER_VERSION: Final = channel_objects.alias("owner_version")
_PLACEMENT: Final = channel_objects.alias("placement")


def _reads_as_member(viewer: Viewer, channel_id: Any) -> ColumnElement[bool]:
    return exists().where(
        channel_members.c.channel_id == channel_id,
        channel_members.c.org_id == viewer.org_id,
        channel_members.c.can_read.is_(True),
    )


def _reads_as_client(viewer: Viewer, channel_id: Any) -> ColumnElement[bool]:
    return _client_of_reader(viewer.org_id, channel_id)


def _client_of_reader(org_id: Any, channel_id: Any) -> ColumnElement[bool]:
    """A reading member of the channel has declared this organisation its client."""
    patron = _PATRON
    return exists().where(
        patron.c.channel_id == channel_id,
        patron.c.can_read.is_(True),
        org_clients.c.org_id == patron.c.org_id,
        org_clients.c.client_org_id == org_id,
    )


def _audience_admits(viewer: Viewer, placement: FromClause, channel_id: Any) -> ColumnElement[bool]:
    named = exists().where(
        object_recipients.c.stix_id == placement.c.stix_id,
        object_recipients.c.version == placement.c.version,
        object_recipients.c.username == viewer.username,
    )
    member = _reads_as_member(viewer, channel_id)
    return or_(
        and_(placement.c.tlp <= int(Tlp.AMBER_STRICT), member),
        and_(placement.c.tlp <= int(Tlp.AMBER), _reads_as_client(viewer, channel_id)),
        and_(placement.c.tlp == int(Tlp.RED), member, named),
    )


def _base_visibility(viewer: Viewer, placement: FromClause, channel_id: Any) -> ColumnElement[bool]:
    return or_(
        placement.c.producer_org_id == viewer.org_id,
        _audience_admits(viewer, placement, channel_id),
    )


def _referents_visible(viewer: Viewer, placement: FromClause) -> ColumnElement[bool]:
    """No stored object that this version refers to is hidden from the viewer."""
    anywhere, seen = _REFERENT, _SEEN_REFERENT
    hidden_referent = exists().where(
        object_refs.c.stix_id == placement.c.stix_id,
        object_refs.c.version == placement.c.version,
        exists().where(anywhere.c.stix_id == object_refs.c.ref_id),
        ~exists().where(
            seen.c.stix_id == object_refs.c.ref_id,
            _base_visibility(viewer, seen, seen.c.channel_id),
        ),
    )
    return ~hidden_referent


def visible_placement(viewer: Viewer, placement: FromClause) -> ColumnElement[bool]:
    """Filter rows of ``placement`` (an alias of channel_objects, any channel)."""
    if viewer.role is Role.AUDITOR:
        return false()
    return and_(_seen_plainly(viewer, placement), _not_eclipsed(viewer, placement))


# Rules kept per (viewer, alias name): a few per page a viewer reads, a few hundred viewers.
_RULES_KEPT: Final = 1024


@functools.lru_cache(maxsize=_RULES_KEPT)
def placement_rule(viewer: Viewer, name: str) -> tuple[FromClause, ColumnElement[bool]]:
    """Return an alias of channel_objects called ``name`` and :func:`visible_placement`
    on it for the viewer, built once and kept: the rule is a function of the viewer alone
    (what it tests is read when a statement runs) and building it took longer than
    running it on the pages that read it (bench/web.py). ``name`` is the call site's own,
    so that one statement never nests a rule on the same alias inside itself."""
    placement = channel_objects.alias(name)
    return placement, visible_placement(viewer, placement)


def _seen_plainly(viewer: Viewer, placement: FromClause) -> ColumnElement[bool]:
    """The audience, referents and producer rules, before the rule of copies."""
    return or_(
        placement.c.producer_org_id == viewer.org_id,
        and_(
            _audience_admits(viewer, placement, placement.c.channel_id),
            _referents_visible(viewer, placement),
        ),
    )


def _not_eclipsed(viewer: Viewer, placement: FromClause) -> ColumnElement[bool]:
    """A copy an organisation keeps of another's object (policy.ownership) is shown only
    to viewers who cannot see the owner's own object: nobody ever reads a copy as a
    version of the owner's object, and the copy's holder learns nothing from it."""
    owner = _OWNER_VERSION
    return or_(
        ~placement.c.version.contains(COPY_MARK, autoescape=True),
        ~exists().where(
            owner.c.stix_id == placement.c.stix_id,
            ~owner.c.version.contains(COPY_MARK, autoescape=True),
            _seen_plainly(viewer, owner),
        ),
    )


@dataclass(frozen=True)
class ChannelAccess:
    """How a viewer relates to one channel, worked out once per query.

    Knowing these facts up front lets :func:`visible_in_channel` emit only the clauses
    that can match, so a client who sees 1% of a channel reads an index range of the
    levels it may see instead of scanning the other 99%.
    """

    channel_id: int
    member: bool
    client: bool
    produced_here: bool


def channel_access(conn: Connection, viewer: Viewer, channel_id: int) -> ChannelAccess:
    """Work out whether the viewer reads a channel as member or client, and produced in it."""
    produced = exists().where(
        channel_objects.c.channel_id == channel_id,
        channel_objects.c.producer_org_id == viewer.org_id,
    )
    row = conn.execute(
        select(
            _reads_as_member(viewer, channel_id).label("member"),
            _reads_as_client(viewer, channel_id).label("client"),
            produced.label("produced"),
        )
    ).one()
    return ChannelAccess(channel_id, bool(row.member), bool(row.client), bool(row.produced))


def visible_in_channel(
    viewer: Viewer, placement: FromClause, access: ChannelAccess, lookup: bool = False
) -> ColumnElement[bool]:
    """Filter rows of ``placement`` in one channel that the viewer may see.

    ``lookup`` marks a correlated look-up by id (another version of the same object):
    there the TLP test is written so that it cannot pick the TLP index, which a planner
    without statistics would otherwise scan once per row.
    """
    if viewer.role is Role.AUDITOR:
        return false()
    tlp: ColumnElement[int] = placement.c.tlp + 0 if lookup else placement.c.tlp
    audience: list[ColumnElement[bool]] = []
    if access.member:
        named = exists().where(
            object_recipients.c.stix_id == placement.c.stix_id,
            object_recipients.c.version == placement.c.version,
            object_recipients.c.username == viewer.username,
        )
        audience += [tlp <= int(Tlp.AMBER_STRICT), and_(tlp == int(Tlp.RED), named)]
    elif access.client:
        # clients_see is tlp <= AMBER, stored so that a client's page reads one index range
        # in page order; a correlated look-up tests tlp itself.
        # "= true", not "IS TRUE": PostgreSQL's btree indexes serve only the former.
        audience.append(tlp <= int(Tlp.AMBER) if lookup else placement.c.clients_see == true())
    shown = and_(or_(*audience), _referents_visible(viewer, placement)) if audience else false()
    if access.produced_here:
        shown = or_(placement.c.producer_org_id == viewer.org_id, shown)
    return and_(
        placement.c.channel_id == access.channel_id, shown, _not_eclipsed(viewer, placement)
    )


def accessible_channels(viewer: Viewer) -> Select[Any]:
    """Select the channels the viewer may know of: member organisations and their clients."""
    if viewer.role is Role.AUDITOR:
        return select(channels).where(false())
    return select(channels).where(_knows_channel(viewer.org_id)).order_by(channels.c.title)


def _knows_channel(org_id: Any) -> ColumnElement[bool]:
    """The organisation is a member of the channel, or a client of a reading member."""
    return or_(
        exists().where(
            channel_members.c.channel_id == channels.c.id,
            channel_members.c.org_id == org_id,
        ),
        _client_of_reader(org_id, channels.c.id),
    )


@functools.cache
def _known_channel_by_reference() -> Select[Any]:
    """A channel known to ``:org_id`` whose collection id, alias or title is ``:reference``.

    Built once: every TAXII request looks its channel up, and building the statement
    cost more than running it.
    """
    reference: BindParameter[str] = bindparam("reference")
    return (
        select(channels)
        .where(
            _knows_channel(bindparam("org_id")),
            or_(
                channels.c.collection_id == reference,
                channels.c.alias == reference,
                channels.c.title == reference,
            ),
        )
        .order_by(channels.c.title)
    )


def member_channels(conn: Connection, viewer: Viewer) -> list[Channel]:
    """Return every channel the viewer may know of."""
    return [channel_row_to_channel(row) for row in conn.execute(accessible_channels(viewer))]


def may_read(conn: Connection, viewer: Viewer, channel_id: int) -> bool:
    """Tell whether the viewer reads a channel: as a reading member, else as a client."""
    if viewer.role is Role.AUDITOR:
        return False
    can_read = conn.execute(
        select(channel_members.c.can_read).where(
            channel_members.c.channel_id == channel_id,
            channel_members.c.org_id == viewer.org_id,
        )
    ).scalar()
    if can_read is not None:
        return bool(can_read)
    return bool(conn.execute(select(_reads_as_client(viewer, channel_id))).scalar())


def rights_in(conn: Connection, viewer: Viewer, channel_id: int) -> tuple[bool, bool]:
    """Return (can_read, can_write) of the viewer in a channel; clients only read."""
    return (
        may_read(conn, viewer, channel_id),
        not posting_refusal(conn, viewer, channel_id, ""),
    )


def channel_for(conn: Connection, viewer: Viewer, reference: str) -> Channel:
    """Return a channel the viewer may know of, by collection id, alias or title.

    A channel the viewer may not know of answers exactly like one that does not exist.
    """
    if viewer.role is Role.AUDITOR:
        raise NotFound(f"no channel {reference!r}")
    row = conn.execute(
        _known_channel_by_reference(), {"org_id": viewer.org_id, "reference": reference}
    ).first()
    if row is None:
        raise NotFound(f"no channel {reference!r}")
    return channel_row_to_channel(row)


def require_read(conn: Connection, viewer: Viewer, channel: Channel) -> None:
    """Refuse unless the viewer may read the channel."""
    if not may_read(conn, viewer, channel.id):
        raise Forbidden(f"your organisation may not read channel {channel.title!r}")


def object_visible_anywhere(conn: Connection, viewer: Viewer, stix_id: str) -> bool:
    """Tell whether the viewer may see some version of an object in some channel."""
    placement = _PLACEMENT
    query = select(
        exists().where(placement.c.stix_id == stix_id, visible_placement(viewer, placement))
    )
    return bool(conn.execute(query).scalar())


def version_visible_anywhere(conn: Connection, viewer: Viewer, stix_id: str, version: str) -> bool:
    """Tell whether the viewer may see this very version of an object in some channel."""
    placement = _PLACEMENT
    query = select(
        exists().where(
            placement.c.stix_id == stix_id,
            placement.c.version == version,
            visible_placement(viewer, placement),
        )
    )
    return bool(conn.execute(query).scalar())
