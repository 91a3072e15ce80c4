"""Identifier references: which object types a ``*_ref(s)`` property may name."""

from __future__ import annotations

import re
from typing import Final

from passerelle.stix.validation.values import (
    _IDENTIFIER_RE,
    _UUID,
    Check,
    Problem,
    _is_type_name,
    _list_of,
    _show,
)

# Type categories, used by reference checks (section 2.9 identifier).
_SDO_TYPES: Final = frozenset(
    (
        "attack-pattern",
        "campaign",
        "course-of-action",
        "grouping",
        "identity",
        "incident",
        "indicator",
        "infrastructure",
        "intrusion-set",
        "location",
        "malware",
        "malware-analysis",
        "note",
        "observed-data",
        "opinion",
        "report",
        "threat-actor",
        "tool",
        "vulnerability",
    )
)
_SRO_TYPES: Final = frozenset(("relationship", "sighting"))
_SCO_TYPES: Final = frozenset(
    (
        "artifact",
        "autonomous-system",
        "directory",
        "domain-name",
        "email-addr",
        "email-message",
        "file",
        "ipv4-addr",
        "ipv6-addr",
        "mac-addr",
        "mutex",
        "network-traffic",
        "process",
        "software",
        "url",
        "user-account",
        "windows-registry-key",
        "x509-certificate",
    )
)
_META_TYPES: Final = frozenset(("marking-definition", "language-content", "extension-definition"))
_KNOWN_TYPES: Final = _SDO_TYPES | _SRO_TYPES | _SCO_TYPES | _META_TYPES | {"bundle"}
_CATEGORIES: Final = {"SDO": _SDO_TYPES, "SRO": _SRO_TYPES, "SCO": _SCO_TYPES}


def _reference_checks(targets: tuple[str, ...]) -> tuple[re.Pattern[str], Check]:
    """For identifiers of one of `targets` (type names, or SDO / SCO / SRO): a
    regex matching the usual case (a known allowed type), and the full check."""
    allowed: set[str] = set()
    for target in targets:
        allowed |= _CATEGORIES.get(target, {target})
    accepts_custom = any(target in _CATEGORIES for target in targets)
    frozen = frozenset(allowed)
    described = " or ".join(targets)

    def full_check(value: object) -> Problem | None:
        match = _IDENTIFIER_RE.fullmatch(value) if type(value) is str else None
        if match is None:
            return ("", f"is not a STIX identifier ({_show(value)})")
        kind = match.group(1)
        if kind in frozen or (accepts_custom and kind not in _KNOWN_TYPES and _is_type_name(kind)):
            return None
        return ("", f"must refer to {described}, not to {_show(kind)}")

    return re.compile(f"(?:{'|'.join(sorted(frozen))})--{_UUID}"), full_check


def _reference(*targets: str) -> Check:
    """An identifier of an object of one of `targets`."""
    known, full_check = _reference_checks(targets)

    def check(value: object) -> Problem | None:
        if type(value) is str and known.fullmatch(value) is not None:
            return None
        return full_check(value)

    return check


def _references(*targets: str) -> Check:
    """A non-empty list of identifiers of objects of `targets` (hot, so inlined)."""
    known, full_check = _reference_checks(targets)
    fallback = _list_of(full_check)

    def check(value: object) -> Problem | None:
        if type(value) is list and value:
            for element in value:
                if type(element) is not str or known.fullmatch(element) is None:
                    return fallback(value)
            return None
        return fallback(value)

    return check


def _any_reference(value: object) -> Problem | None:
    match = _IDENTIFIER_RE.fullmatch(value) if type(value) is str else None
    return None if match is not None else ("", f"is not a STIX identifier ({_show(value)})")
