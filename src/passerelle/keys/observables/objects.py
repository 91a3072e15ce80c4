"""Keys of a whole STIX object: its cyber-observable values, the values its STIX pattern
compares, and what its free text mentions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from passerelle.keys.observables.kinds import (
    EMAIL,
    HANDLE,
    KINDS,
    MAX_TEXT,
    MAX_VALUES,
    PHONE,
    URL,
    is_wide,
    kept,
)
from passerelle.keys.observables.networks import address_keys
from passerelle.keys.observables.patterns import pattern_found
from passerelle.keys.observables.text import text_found
from passerelle.keys.observables.values import (
    domain_key,
    email_key,
    handle_key,
    hash_key,
    phone_key,
    url_found,
)

# Free-text properties that may mention a number, an address, a link or a handle.
TEXT_PROPERTIES: Final = (
    "description",
    "content",
    "contact_information",
    "abstract",
    "explanation",
)
# Custom properties that hold phone numbers (a string or a list of them).
PHONE_PROPERTIES: Final = ("x_phone", "x_phone_number", "x_phone_numbers", "phone_number")

# What _sco_keys reads besides the type; what _free_text reads (and an identity's name).
_SCO_PROPERTIES: Final = frozenset(("value", "account_login", "hashes", *PHONE_PROPERTIES))
_TEXT_PROPERTY_SET: Final = frozenset(TEXT_PROPERTIES)
_PHONE_PROPERTY_SET: Final = frozenset(PHONE_PROPERTIES)
_READ_PROPERTIES: Final = _SCO_PROPERTIES | _TEXT_PROPERTY_SET


def object_observable_keys(
    obj: Mapping[str, Any], region: str, kinds: frozenset[str] = KINDS
) -> set[str]:
    """Return the observable keys of a STIX object, of the kinds asked for only."""
    if not kinds:
        return set()
    # What each part finds, unsorted by kind (a part skips the kinds it can tell are not
    # asked for), then the keys of the kinds asked for, at once.
    found: list[str | None] = []
    kind = obj.get("type")
    reads = not _READ_PROPERTIES.isdisjoint(obj)  # most SDOs, indicators too: nothing
    if reads and not _SCO_PROPERTIES.isdisjoint(obj):
        found += _sco_keys(obj, region, kinds)
    if kind == "indicator" and obj.get("pattern_type") == "stix":
        pattern = obj.get("pattern")
        if isinstance(pattern, str):
            found += pattern_found(pattern[:MAX_TEXT], region, is_wide(kinds))
    if kind == "identity" or (reads and not _TEXT_PROPERTY_SET.isdisjoint(obj)):
        found += text_found(_free_text(obj), region, kinds)
    return kept(found, kinds)


def _sco_keys(obj: Mapping[str, Any], region: str, kinds: frozenset[str]) -> list[str | None]:
    kind = obj.get("type")
    found: list[str | None] = []
    value = obj.get("value")
    if kind == "email-addr" and EMAIL in kinds and isinstance(value, str):
        found.append(email_key(value))
    elif kind == "url" and isinstance(value, str):  # and its host, of the wide kinds
        found += url_found(value, URL in kinds or HANDLE in kinds, is_wide(kinds))
    elif kind == "user-account" and HANDLE in kinds:
        login = obj.get("account_login")
        found.append(handle_key(login) if isinstance(login, str) else None)
    if PHONE in kinds:
        if isinstance(kind, str) and "phone" in kind and isinstance(value, str):
            found.append(phone_key(value, region))
        if not _PHONE_PROPERTY_SET.isdisjoint(obj):
            for prop in PHONE_PROPERTIES:
                found += [phone_key(v, region) for v in _strings(obj.get(prop))]
    if is_wide(kinds):
        found += _wide_sco_keys(obj, kind, value)
    return found


def _wide_sco_keys(obj: Mapping[str, Any], kind: Any, value: Any) -> list[str | None]:
    """Keys of the correlation-only kinds of an SCO: domains, addresses, hashes."""
    found: list[str | None] = []
    if isinstance(value, str):
        if kind == "domain-name":
            found.append(domain_key(value))
        elif kind in ("ipv4-addr", "ipv6-addr"):
            found += address_keys(value)
    hashes = obj.get("hashes")
    if isinstance(hashes, dict):
        for algorithm, digest in list(hashes.items())[:MAX_VALUES]:
            if isinstance(algorithm, str) and isinstance(digest, str):
                found.append(hash_key(algorithm, digest))
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value[:MAX_VALUES] if isinstance(v, str)]
    return []


def _free_text(obj: Mapping[str, Any]) -> str:
    parts: list[str] = []
    budget = MAX_TEXT
    props = TEXT_PROPERTIES + (("name",) if obj.get("type") == "identity" else ())
    for prop in props:
        value = obj.get(prop)
        if isinstance(value, str) and budget > 0:
            parts.append(value[:budget])
            budget -= len(parts[-1])
    return "\n".join(parts)
