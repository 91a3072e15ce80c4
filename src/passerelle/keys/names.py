"""Names of persons and groups as watch keys, behind one interface that entity resolution
will implement.

Today a name matches only the same name after normalisation: Unicode NFKC, case folded,
diacritics removed from Latin letters (``Tsarnaïev`` reads ``tsarnaiev``), every run of
punctuation and white space made one space. Scripts are not crossed (``Царнаев`` stays
Cyrillic) and spellings are not compared: that is the job of the entity-resolution
matcher (:class:`passerelle.resolution.ResolvingNames`), which a node wires into
its :class:`passerelle.keys.rules.KeyRules` and which changes nothing else.

Every key a matcher returns starts with ``name:``, so that ingest can tell with one index
look-up whether any watch on a name exists at all.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Final, Protocol

from passerelle.keys.observables import make_key

NAME_PREFIX: Final = "name:"
# Objects whose name and aliases name a person or a group (or a campaign of theirs).
NAMED_TYPES: Final = frozenset(("identity", "threat-actor", "intrusion-set", "campaign"))
# Aliases per object looked at, and characters per name: a bound on hostile input.
MAX_ALIASES: Final = 100
MAX_NAME: Final = 300


class NameMatcher(Protocol):
    """Turns a name into the keys under which watches and objects meet."""

    def keys(self, name: str, kind: str) -> set[str]:
        """Return the keys of a name (each starting with ``name:``); ``kind`` is the STIX
        type of the object that carries it (``identity``, ``threat-actor``...) or ``""``
        when a user typed it."""
        ...


def normalise_name(name: str) -> str:
    """Return a name in NFKC, case-folded, without Latin diacritics, spaces collapsed."""
    text = unicodedata.normalize("NFKC", name[:MAX_NAME]).casefold()
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            # A mark on a Latin letter is a diacritic (é, ï, ç); elsewhere it may be part
            # of the letter (Cyrillic й), so it stays.
            if kept and _is_latin(kept[-1]):
                continue
            kept.append(char)
        elif unicodedata.category(char)[0] in "PZSC":
            if kept and kept[-1] != " ":
                kept.append(" ")
        else:
            kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)).strip()


def _is_latin(char: str) -> bool:
    return "LATIN" in unicodedata.name(char, "")


class ExactNames:
    """The matcher of today: the same name after :func:`normalise_name`, nothing more."""

    def keys(self, name: str, kind: str) -> set[str]:
        """Return the one key of a normalised name (none for a name of only punctuation)."""
        normalised = normalise_name(name)
        if not normalised:
            return set()
        # A long name's key is a digest, as any key, so that it fits in the key index.
        return {make_key(NAME_PREFIX.removesuffix(":"), normalised)}


def names_of(obj: Mapping[str, Any]) -> list[str]:
    """Return the name and aliases of a person or group object (none for other types)."""
    if obj.get("type") not in NAMED_TYPES:
        return []
    found = [obj.get("name")]
    for prop in ("aliases", "x_aliases"):
        values = obj.get(prop)
        if isinstance(values, list):
            found += values[:MAX_ALIASES]
    return [name for name in dict.fromkeys(found) if isinstance(name, str) and name.strip()]


def name_keys(obj: Mapping[str, Any], matcher: NameMatcher) -> set[str]:
    """Return the name keys of an object: those of its name and aliases."""
    kind = str(obj.get("type", ""))
    return {key for name in names_of(obj) for key in matcher.keys(name, kind)}


def typed_name_keys(names: Iterable[str], matcher: NameMatcher) -> set[str]:
    """Return the keys of names a user typed."""
    return {key for name in names for key in matcher.keys(name, "")}


__all__ = [
    "MAX_ALIASES",
    "MAX_NAME",
    "NAMED_TYPES",
    "NAME_PREFIX",
    "ExactNames",
    "NameMatcher",
    "name_keys",
    "names_of",
    "normalise_name",
    "typed_name_keys",
]
