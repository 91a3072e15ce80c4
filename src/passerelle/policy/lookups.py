"""Who may ask this node a federated look-up (hit or no-hit across nodes), and as whom
the answer is decided.

A federated look-up is asked by a peer node's account: an ordinary user of its
organisation here with the role ``node``. That account speaks for its own organisation
only, so it may ask only on that organisation's behalf. The answer is decided for the
organisation as a whole, as a viewer that is no named person
(:func:`organisation_viewer`): what every person of it may know exists, by the one rule
of :mod:`passerelle.policy.visibility` (never TLP:RED, which names individuals, not even
when it names the node account). A node may refuse look-ups from an organisation
(:func:`lookups_refused`); the administrator decides it with ``passerelle peer
refuse-lookups``.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from passerelle.errors import Forbidden
from passerelle.policy.naming import name_key
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.store.federation_tables import federation_lookup_refusals


def organisation_viewer(viewer: Viewer) -> Viewer:
    """Return the viewer's organisation as a viewer that is no named person, with the
    viewer's purpose."""
    return Viewer(-1, "", viewer.org_id, viewer.org_name, Role.NODE, viewer.purpose)


def asking_organisation(viewer: Viewer, asking_org: str) -> Viewer:
    """Return the organisation a federated look-up is decided for, or refuse: only a node
    account asks, and only for its own organisation."""
    if viewer.role is not Role.NODE:
        raise Forbidden("a federated look-up is asked by a peer node's account (role node)")
    if name_key(asking_org) != name_key(viewer.org_name):
        raise Forbidden(
            f"{viewer.username} speaks for {viewer.org_name} only; it may not ask on "
            f"behalf of {asking_org.strip()[:80]!r}"
        )
    return organisation_viewer(viewer)


def lookups_refused(conn: Connection, org_id: int) -> bool:
    """Tell whether this node refuses federated look-ups from an organisation."""
    found = conn.execute(
        select(federation_lookup_refusals.c.org_id).where(
            federation_lookup_refusals.c.org_id == org_id
        )
    ).first()
    return found is not None
