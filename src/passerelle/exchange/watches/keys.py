"""The keys a watch matches on (``ref:<id>``, ``name:...``, ``phone:+33...``, ``email:...``,
``url:...``, ``handle:...``), those a stored object carries, and what may be watched.

See :mod:`passerelle.keys.observables` and :mod:`passerelle.keys.names` for the keys
themselves; this module adds the ``ref:`` keys and which objects are about what.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from passerelle.keys import observables
from passerelle.keys.names import MAX_NAME, NAME_PREFIX, name_keys, names_of
from passerelle.keys.observables import make_key, object_observable_keys
from passerelle.keys.rules import KeyRules

REF: Final = "ref"
NAME: Final = NAME_PREFIX.rstrip(":")
KEY_KINDS: Final = frozenset({REF, NAME} | observables.KINDS)
# Persons and groups; observables are SCOs and indicators whose pattern holds one.
PERSON_AND_GROUP_TYPES: Final = frozenset(("identity", "threat-actor", "intrusion-set"))
# References that do not make an object about its target: its author and its markings.
_NOT_ABOUT: Final = frozenset(("created_by_ref", "object_marking_refs"))
MAX_REFS: Final = 1000


def ref_keys(obj: Mapping[str, Any]) -> set[str]:
    """Return ``ref:`` keys: the object's own id and the objects it is about."""
    found: list[Any] = [obj.get("id")]
    for prop, value in obj.items():
        if prop in _NOT_ABOUT:
            continue
        if prop.endswith("_ref"):
            found.append(value)
        elif prop.endswith("_refs") and isinstance(value, list):
            found += value[:MAX_REFS]
    return {make_key(REF, ref) for ref in found[:MAX_REFS] if isinstance(ref, str) and ref}


def object_keys(
    obj: Mapping[str, Any], rules: KeyRules, kinds: frozenset[str] = KEY_KINDS
) -> set[str]:
    """Return every key of a stored object, of the kinds asked for only."""
    keys = ref_keys(obj) if REF in kinds else set()
    if NAME in kinds:
        keys |= name_keys(obj, rules.names)
    return keys | object_observable_keys(obj, rules.phone_region, kinds & observables.KINDS)


def subject_keys(obj: Mapping[str, Any], rules: KeyRules) -> set[str]:
    """Return the keys of a watched object: its id, its names and its observables."""
    return (
        {make_key(REF, str(obj["id"]))}
        | name_keys(obj, rules.names)
        | object_observable_keys(obj, rules.phone_region)
    )


def watchable(obj: Mapping[str, Any], region: str) -> bool:
    """Tell whether an object is a person, a group or an observable."""
    kind = obj.get("type")
    if kind in PERSON_AND_GROUP_TYPES:
        return True
    if kind == "indicator":
        pattern = obj.get("pattern")
        return (
            obj.get("pattern_type") == "stix"
            and isinstance(pattern, str)
            and bool(observables.pattern_keys(pattern[: observables.MAX_TEXT], region))
        )
    # Cyber-observables are the objects without a 'created' timestamp.
    return isinstance(kind, str) and "created" not in obj and kind != "bundle"


def label_of(obj: Mapping[str, Any]) -> str:
    """Return what a watch of the object is called: its type and its name or value."""
    names = names_of(obj)
    kind = str(obj.get("type", ""))
    if names:
        return f"{kind} {names[0]}"[:MAX_NAME]
    for prop in ("value", "account_login", "name", "pattern"):
        value = obj.get(prop)
        if isinstance(value, str) and value.strip():
            return f"{kind} {value.strip()}"[:MAX_NAME]
    return str(obj.get("id", kind))
