"""The node's register as its operator sees it: every organisation, every channel with its
members, for the web interface's operator page (the command line's ``org list``,
``user list`` and ``channel list`` read the same).

Only the node's operator (an enabled admin of an operator organisation) reads it; anyone
else is refused, and the refusal audited as the administration's refusals are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from passerelle.admin.actions import REFUSED
from passerelle.audit.log import record_alone
from passerelle.errors import Forbidden
from passerelle.policy import directory
from passerelle.policy import register as rules
from passerelle.policy.regions import phone_regions
from passerelle.policy.viewer import Viewer
from passerelle.stix.markings import Tlp
from passerelle.store.database import Database
from passerelle.store.schema import channels, organisations


@dataclass(frozen=True)
class OrganisationRow:
    """An organisation of the node, with how many users it has."""

    name: str
    operator: bool
    phone_region: str
    users: int
    clients: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ChannelRow:
    """A channel of the node with every member's rights (r, w or rw)."""

    title: str
    alias: str
    collection_id: str
    default_tlp: str
    members: dict[str, str]


@dataclass(frozen=True)
class NodeRegister:
    """What the operator's page shows."""

    organisations: list[OrganisationRow]
    channels: list[ChannelRow]


def require_operator(database: Database, actor: Viewer, what: str) -> None:
    """Refuse (and audit the refusal) unless the actor is the node's operator."""
    with database.read() as conn:
        allowed = rules.may_operate(conn, actor)
    if not allowed:
        reason = "only the node's operator (an admin of an operator organisation) may do this"
        record_alone(database, actor, REFUSED, detail={"action": what, "reason": reason})
        raise Forbidden(reason)


def is_operator(database: Database, actor: Viewer) -> bool:
    """Tell whether the actor runs the node (for showing the way to its page)."""
    with database.read() as conn:
        return rules.may_operate(conn, actor)


def node_register(database: Database, actor: Viewer) -> NodeRegister:
    """Return every organisation and channel of the node (the operator's)."""
    require_operator(database, actor, "admin.node")
    with database.read() as conn:
        regions = phone_regions(conn)
        users = directory.list_users(conn)
        operators = set(
            conn.execute(
                select(organisations.c.name).where(organisations.c.operator.is_(True))
            ).scalars()
        )
        orgs = [
            OrganisationRow(
                name=org.name,
                operator=org.name in operators,
                phone_region=regions.get(org.name, ""),
                users=sum(1 for u in users if u["organisation"] == org.name),
                clients=directory.clients_of(conn, org.name),
            )
            for org in directory.list_organisations(conn)
        ]
        found = [
            ChannelRow(
                title=row.title,
                alias=row.alias or "",
                collection_id=row.collection_id,
                default_tlp=Tlp(row.default_tlp).label,
                members={
                    m.org_name: rules.rights_text(m)
                    for m in directory.channel_members_of(conn, row.id)
                },
            )
            for row in conn.execute(channels.select().order_by(channels.c.title))
        ]
    return NodeRegister(orgs, found)
