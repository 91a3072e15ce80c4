"""Who sees and reviews intake drafts.

A draft is not intelligence yet: it belongs to the organisation that made it, whose users
see, review and publish it; every other organisation answers exactly as for a draft that
does not exist. Auditors read the audit log and take no part.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.store.schema import intake_drafts


def drafts_kept_by(viewer: Viewer) -> ColumnElement[bool]:
    """Filter ``intake_drafts`` to those of the viewer's organisation."""
    if viewer.role is Role.AUDITOR:
        return false()
    return intake_drafts.c.org_id == viewer.org_id
