"""The extension-definition object of Passerelle's handling extension, as the node serves it."""

from __future__ import annotations

from typing import Any

from passerelle.stix.markings import HANDLING_EXTENSION_ID

PROJECT_IDENTITY_ID = "identity--0b5b6a41-cd4f-4a3a-9c3e-6b8f1c9e2d17"
_STAMP = "2026-11-29T00:00:00.000Z"

SCHEMA_TEXT = (
    "A property-extension carried in an object's extensions under "
    f"{HANDLING_EXTENSION_ID}. Properties, all optional: "
    "handling_codes (list of 'H0' purpose-limited use, 'H1' no use in court without the "
    "producer's permission, 'H2' no onward sharing without the producer's permission, "
    "'H3' free-text restriction that a reader must acknowledge); "
    "h3_text (string, required with H3: the restriction a reader acknowledges); "
    "source_grading (object: scheme 'admiralty' with reliability A-F and credibility 1-6, "
    "scheme '4x4' with reliability A, B, C or X and credibility 1-4, or scheme "
    "'open-source'; kept in its native scheme, never converted); "
    "recipients (list of usernames: the named individuals a TLP:RED object is for, "
    "required with TLP:RED); "
    "forwarding_grants (list of objects {by, to}, organisation names: the producer lets "
    "the node of organisation 'by', having received the object, forward it to the node "
    "of organisation 'to'; without one, no node but the producer's sends it on)."
)


def project_identity() -> dict[str, Any]:
    """Return the identity that authors Passerelle's own STIX definitions."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": PROJECT_IDENTITY_ID,
        "created": _STAMP,
        "modified": _STAMP,
        "name": "Passerelle project",
        "identity_class": "organization",
    }


def handling_extension_definition() -> dict[str, Any]:
    """Return the extension-definition of the handling extension (STIX 2.1 section 7.3)."""
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": HANDLING_EXTENSION_ID,
        "created_by_ref": PROJECT_IDENTITY_ID,
        "created": _STAMP,
        "modified": _STAMP,
        "name": "Passerelle handling",
        "description": "Handling codes, source grading and TLP:RED recipients",
        "schema": SCHEMA_TEXT,
        "version": "1.0.0",
        "extension_types": ["property-extension"],
    }
