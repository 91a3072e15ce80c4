"""Names as watch keys through entity resolution: the name matcher a node wires into its
key rules (:class:`passerelle.keys.rules.KeyRules`), so that a watch on one spelling or
script hits on another."""

from __future__ import annotations

import hashlib
from typing import Final

from passerelle.keys.names import NAME_PREFIX, ExactNames
from passerelle.resolution.aliases import AliasData, alias_key_of
from passerelle.resolution.names import normalise

# Characters of a name looked at: a bound on hostile input.
MAX_NAME: Final = 300
_MAX_KEY: Final = 256


class ResolvingNames:
    """Watch keys through resolution: the romanised form of a name (``Царнаев`` and
    ``Tsarnaev`` meet), the exact form (as :class:`ExactNames`), and the alias-file entity
    it names (``Daesh`` and ``ИГИЛ`` meet as ``name:entity:islamic-state``)."""

    _exact = ExactNames()

    def __init__(self, aliases: AliasData) -> None:
        self._aliases = aliases

    def keys(self, name: str, kind: str) -> set[str]:
        """Return the keys of a name, each starting with ``name:``."""
        del kind
        keys = self._exact.keys(name, "")
        form = normalise(name[:MAX_NAME], "person")
        if form:
            keys.add(_bounded(NAME_PREFIX + form))
        entity_key = alias_key_of(name[:MAX_NAME], self._aliases)
        if entity_key:
            keys.add(NAME_PREFIX + "entity:" + entity_key)
        return keys


def _bounded(key: str) -> str:
    if len(key) <= _MAX_KEY:
        return key
    return NAME_PREFIX + "sha256:" + hashlib.sha256(key.encode()).hexdigest()
