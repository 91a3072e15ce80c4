"""Who sees and acts on the records of the exchange workflow: tips, receipts, RFIs, watches.

The same rules as for objects apply, and these are the only places that decide:

- a tip's producer organisation sees the tip and every receiving organisation's receipt;
- a receiving organisation sees the tip, and only its own receipt, while its user may see
  the tip's object (a TLP:RED tip reaches only its named users);
- an RFI is seen by the asking and the asked organisation, nobody else;
- a watch, and its hits, belong to the organisation that keeps it;
- auditors read the audit log, not the workflow; nobody else sees any of it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_

from passerelle.errors import Forbidden
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import placement_rule
from passerelle.store.schema import rfis, tip_receipts, tips, watches


def require_worker(viewer: Viewer) -> None:
    """Refuse auditors, who read the audit log and take no part in the workflow."""
    if viewer.role is Role.AUDITOR:
        raise Forbidden("auditors read the audit log; they take no part in the exchange workflow")


def tip_object_visible(viewer: Viewer) -> ColumnElement[bool]:
    """The viewer may see the tip's object in the tip's channel (correlated on ``tips``)."""
    placement, visible = placement_rule(viewer, "tip_placement")
    return exists().where(
        placement.c.stix_id == tips.c.stix_id,
        placement.c.channel_id == tips.c.channel_id,
        visible,
    )


def tips_sent_by(viewer: Viewer) -> ColumnElement[bool]:
    """Filter ``tips`` to those the viewer's organisation shared."""
    if viewer.role is Role.AUDITOR:
        return false()
    return tips.c.producer_org_id == viewer.org_id


def tips_received_by(viewer: Viewer) -> ColumnElement[bool]:
    """Filter ``tips`` joined with ``tip_receipts`` to the viewer's own receipts."""
    if viewer.role is Role.AUDITOR:
        return false()
    return and_(tip_receipts.c.org_id == viewer.org_id, tip_object_visible(viewer))


def tips_known_to(viewer: Viewer) -> ColumnElement[bool]:
    """Filter ``tips`` to those the viewer may know of, as producer or as receiver."""
    if viewer.role is Role.AUDITOR:
        return false()
    received = exists().where(
        tip_receipts.c.tip_id == tips.c.id, tip_receipts.c.org_id == viewer.org_id
    )
    return or_(tips_sent_by(viewer), and_(received, tip_object_visible(viewer)))


def receipts_shown_to(viewer: Viewer) -> ColumnElement[bool]:
    """Filter ``tip_receipts`` (joined with ``tips``): the producer sees all, others their own."""
    if viewer.role is Role.AUDITOR:
        return false()
    return or_(tips.c.producer_org_id == viewer.org_id, tip_receipts.c.org_id == viewer.org_id)


def rfis_known_to(viewer: Viewer) -> ColumnElement[bool]:
    """Filter ``rfis`` to those the viewer's organisation asked or was asked."""
    if viewer.role is Role.AUDITOR:
        return false()
    return or_(rfis.c.from_org_id == viewer.org_id, rfis.c.to_org_id == viewer.org_id)


def watches_kept_by(viewer: Viewer) -> ColumnElement[bool]:
    """Filter ``watches`` to those the viewer's organisation keeps."""
    if viewer.role is Role.AUDITOR:
        return false()
    return watches.c.org_id == viewer.org_id
