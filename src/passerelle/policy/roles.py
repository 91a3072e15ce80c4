"""The roles a user can hold on a node."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user does: see DESIGN.md, "Who uses it"."""

    ADMIN = "admin"
    ANALYST = "analyst"
    LIAISON = "liaison"
    AUDITOR = "auditor"
    # Another node, writing and reading for its organisation: every rule of a person
    # applies; it shares into channels as the far side's liaison officer decided.
    NODE = "node"
