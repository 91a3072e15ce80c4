"""The STIX identity a node publishes for each organisation: what ``created_by_ref`` of
the objects it produced points to when they carry none of their own.

The id derives from the organisation's name alone, so every node names one organisation
with one identity, and a consumer (MISP, OpenCTI) attributes its objects alike wherever
it reads them.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

_NAMESPACE: Final = uuid.UUID("8c6f6d1e-3b0a-5d1c-9a7e-70617373726f")
_STAMP: Final = "2026-01-01T00:00:00.000Z"


def organisation_identity_id(name: str) -> str:
    """Return the id of the identity that stands for an organisation."""
    return f"identity--{uuid.uuid5(_NAMESPACE, 'organisation:' + name)}"


def organisation_identity(name: str) -> dict[str, Any]:
    """Return the identity object that stands for an organisation."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": organisation_identity_id(name),
        "created": _STAMP,
        "modified": _STAMP,
        "name": name,
        "identity_class": "organization",
    }
