"""What a notice may say to its recipient: the rule for every kind of notification.

A notice leaves the node (an e-mail, a webhook), so it says less than the pages do, and
never more than its recipient may see here. Who gets a notice at all is decided by the
workflow's own filters (:mod:`passerelle.policy.workflow`): a tip's notices go to those
who may know of the tip (its producer organisation; the receiving organisation's users
who may see its object, so a TLP:RED tip's only to its named recipients), an RFI's to the
asking and the asked organisation, a watch hit's to the organisation keeping the watch and
only when the recipient may see the version that hit. Auditors get none.

What a notice carries, by kind:

- tip received: the tip's id, the sending organisation, its deadlines, and the title of
  its object when :func:`tip_may_be_named` allows it; else only "a tip awaits you" and
  the link (a TLP:RED or H3 tip, or an object the recipient may not see);
- deadline near, overdue: the tip's (or RFI's) id, the partner, which deadline and when;
  for a tip that may not be named, only the kind and the link;
- outcome received: the tip's id, the partner and the outcome's category, never its note,
  what was checked or seized; for a tip that may not be named, only the kind and the link;
- watch hit: the watch's id and when; never its label (it can name a person), nor the
  object that hit or what matched;
- RFI received: the RFI's id, the asking organisation, its urgency and deadline; never the
  question (it can name a person);
- RFI answered: the RFI's id, the organisation that answered, answered or refused; never
  the reason nor the objects.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from passerelle.policy.actions import effective_tlp
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import version_visible_anywhere
from passerelle.stix.markings import HandlingCode, Tlp
from passerelle.store.schema import objects


def tip_may_be_named(conn: Connection, viewer: Viewer, stix_id: str, version: str) -> bool:
    """Tell whether a notice to the viewer may name a tip's object (its title and the
    tip's particulars): the viewer may see that version, it is not TLP:RED (named people
    only, and a mailbox is not a person) and carries no H3 restriction (read only after
    acknowledging it, which a notice cannot ask)."""
    tlp = effective_tlp(conn, stix_id, version)
    if tlp is None or tlp >= Tlp.RED:
        return False
    codes = conn.execute(
        select(objects.c.handling_codes).where(
            objects.c.stix_id == stix_id, objects.c.version == version
        )
    ).scalar()
    if codes is None or HandlingCode(codes) & HandlingCode.H3:
        return False
    return version_visible_anywhere(conn, viewer, stix_id, version)


def hit_may_be_told(conn: Connection, viewer: Viewer, stix_id: str, version: str) -> bool:
    """Tell whether the viewer may be told of a watch hit on this version: they may see it."""
    return version_visible_anywhere(conn, viewer, stix_id, version)
