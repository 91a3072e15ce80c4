"""What an object says about the thing it names: its kind, names and facts.

Which objects name an entity, and of which kind:

- ``identity``: ``identity_class`` ``individual`` is a person; ``organization`` and
  ``group`` an organization; other classes (``class``, ``system``, ``unknown``) name no
  entity and are skipped;
- ``intrusion-set``: an organization;
- ``threat-actor``: a person when its ``resource_level`` is ``individual`` (STIX's way to
  say one person acts), else an organization;
- ``location``: a location, when it has a name.

Their names are ``name`` plus ``aliases`` (and ``x_aliases``); facts that raise or lower a
score come from custom properties: birth date (``x_birth_date``, ``x_date_of_birth``,
``birth_date``), nationality (``x_nationality``, ``x_nationalities``, ``nationality``,
ISO 3166 alpha-2) and identifiers (``x_passport_number``, ``x_passport``,
``x_identifiers``, ``x_national_id``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from passerelle.resolution.names import Facts, Kind, name_keys

RESOLVED_TYPES: Final = frozenset(("identity", "intrusion-set", "threat-actor", "location"))
# Bounds on hostile or huge input: names per object, characters per name.
MAX_NAMES: Final = 20
MAX_NAME: Final = 300

_BIRTH_PROPS: Final = ("x_birth_date", "x_date_of_birth", "birth_date", "date_of_birth")
_NATIONALITY_PROPS: Final = ("x_nationality", "x_nationalities", "nationality", "nationalities")
_IDENTIFIER_PROPS: Final = ("x_passport_number", "x_passport", "x_identifiers", "x_national_id")
_DATE: Final = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")
_COUNTRY: Final = re.compile(r"^[A-Za-z]{2}$")


@dataclass(frozen=True)
class Subject:
    """What one object says about the thing it names."""

    stix_id: str
    kind: Kind
    name: str
    aliases: tuple[str, ...]
    facts: Facts

    @property
    def names(self) -> tuple[str, ...]:
        """Return its name and aliases."""
        return (self.name, *self.aliases)

    def keys(self) -> set[str]:
        """Return the blocking keys of all its names."""
        return {key for name in self.names for key in name_keys(name, self.kind)}


def kind_of(obj: Mapping[str, Any]) -> Kind | None:
    """Return the kind of entity an object names, or None if it names none."""
    kind = obj.get("type")
    if kind == "identity":
        klass = obj.get("identity_class")
        if klass == "individual":
            return "person"
        return "organization" if klass in ("organization", "group") else None
    if kind == "intrusion-set":
        return "organization"
    if kind == "threat-actor":
        return "person" if obj.get("resource_level") == "individual" else "organization"
    if kind == "location":
        return "location"
    return None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value[:MAX_NAMES] if isinstance(v, str)]
    return []


def facts_of(obj: Mapping[str, Any]) -> Facts:
    """Return the facts an object states about the thing it names."""
    births = {
        match.group(0)
        for prop in _BIRTH_PROPS
        for text in _strings(obj.get(prop))
        if (match := _DATE.match(text.strip()))
    }
    countries = {
        text.strip().upper()
        for prop in _NATIONALITY_PROPS
        for text in _strings(obj.get(prop))
        if _COUNTRY.match(text.strip())
    }
    identifiers = {
        "".join(c for c in text.upper() if c.isalnum())
        for prop in _IDENTIFIER_PROPS
        for text in _strings(obj.get(prop))
    }
    return Facts(frozenset(births), frozenset(countries), frozenset(i for i in identifiers if i))


def subject_of(obj: Mapping[str, Any]) -> Subject | None:
    """Return what an object says about the entity it names, or None."""
    kind = kind_of(obj)
    name = obj.get("name")
    if kind is None or not isinstance(name, str) or not name.strip() or obj.get("revoked"):
        return None
    first = name.strip()[:MAX_NAME]
    aliases: list[str] = []
    for prop in ("aliases", "x_aliases"):
        aliases += [a.strip()[:MAX_NAME] for a in _strings(obj.get(prop)) if a.strip()]
    unique = [a for a in dict.fromkeys(aliases) if a != first][: MAX_NAMES - 1]
    return Subject(str(obj["id"]), kind, first, tuple(unique), facts_of(obj))
