"""The person (or machine) on whose behalf a request reads or writes."""

from __future__ import annotations

from dataclasses import dataclass

from passerelle.policy.roles import Role


@dataclass(frozen=True)
class Viewer:
    """An authenticated user, their organisation and the purpose they declared."""

    user_id: int
    username: str
    org_id: int
    org_name: str
    role: Role
    purpose: str = ""
