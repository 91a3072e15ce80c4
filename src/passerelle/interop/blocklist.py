"""Indicators and observables as CSV rows for blocking tools (firewalls, proxies, DNS, EDR).

Pushing a value to a blocking device is an active action, which PAP governs (FIRST's PAP
definitions): PAP:CLEAR and PAP:GREEN allow it; PAP:AMBER allows only passive
cross-checks and PAP:RED only non-detectable actions on isolated systems, so neither
reaches the CSV. The decision is the policy's (``policy.actions.pap_permits`` for
``Action.BLOCKING``); what it left out is counted, never silently dropped. Revoked
objects and indicators past their ``valid_until`` are left out (and counted) too: a
blocking list is what to block now.

A row is ``type,value,object_id,tlp,pap,valid_until``: ``type`` is the observable's
STIX type (``ipv4-addr``, ``domain-name``, ``url``...), or the pattern path where that is
all a pattern says (``file:hashes.SHA-256``).

A value that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is left out
(and counted): a spreadsheet opening the CSV would run it as a formula (OWASP's "CSV
injection"), and quoting it with a leading apostrophe would change the value a blocking
tool receives. No address, domain, URL or hash begins that way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from passerelle.policy.actions import Action, pap_permits
from passerelle.stix.markings import read_handling

COLUMNS: Final = ("type", "value", "object_id", "tlp", "pap", "valid_until")
# The observables whose value a blocking tool takes as it is.
VALUE_TYPES: Final = (
    "ipv4-addr",
    "ipv6-addr",
    "domain-name",
    "url",
    "email-addr",
    "mac-addr",
)
TYPES: Final = ("indicator", "observed-data", "file", *VALUE_TYPES)
# What a spreadsheet takes as the start of a formula.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")

_STRING = r"'((?:[^'\\]|\\.)*)'"
_COMPARISON: Final = re.compile(
    rf"([a-z0-9-]+:[A-Za-z0-9_.'\[\]*-]+)\s*(?:=\s*{_STRING}|\s+IN\s*\(((?:\s*{_STRING}\s*,?)*)\))"
)
_IN_VALUE: Final = re.compile(_STRING)


@dataclass
class Blocklist:
    """The rows for blocking tools, and what was left out and why."""

    rows: list[tuple[str, ...]] = field(default_factory=list)
    objects: int = 0
    left_out: Counter[str] = field(default_factory=Counter)
    formula_values: int = 0


def add_object(blocklist: Blocklist, body: dict[str, Any], now: str) -> None:
    """Add the rows of one exported object, or count why it is left out."""
    handling = read_handling(body)
    if not pap_permits(Action.BLOCKING, handling.pap):
        assert handling.pap is not None
        blocklist.left_out[f"PAP:{handling.pap.name} forbids blocking"] += 1
        return
    if body.get("revoked") is True:
        blocklist.left_out["revoked"] += 1
        return
    valid_until = str(body.get("valid_until", ""))
    if valid_until and valid_until <= now:
        blocklist.left_out["past valid_until"] += 1
        return
    pairs = list(_values(body))
    if not pairs:
        if body.get("type") == "indicator":
            blocklist.left_out["no value a blocking tool takes"] += 1
        return
    tlp = handling.tlp.label if handling.tlp is not None else ""
    pap = f"PAP:{handling.pap.name}" if handling.pap is not None else ""
    blocklist.objects += 1
    for kind, value in dict.fromkeys(pairs):
        if value.startswith(FORMULA_STARTS):
            blocklist.formula_values += 1
            continue
        blocklist.rows.append((kind, value, str(body["id"]), tlp, pap, valid_until))


def _values(body: dict[str, Any]) -> Iterator[tuple[str, str]]:
    kind = body.get("type")
    if kind == "indicator":
        if body.get("pattern_type") == "stix" and isinstance(body.get("pattern"), str):
            yield from pattern_values(body["pattern"])
    elif kind == "observed-data":
        embedded = body.get("objects")
        for observable in embedded.values() if isinstance(embedded, dict) else ():
            if isinstance(observable, dict):
                yield from _observable_values(observable)
    else:
        yield from _observable_values(body)


def _observable_values(observable: dict[str, Any]) -> Iterator[tuple[str, str]]:
    kind = observable.get("type")
    if kind in VALUE_TYPES and isinstance(observable.get("value"), str):
        yield str(kind), observable["value"]
    elif kind == "file" and isinstance(observable.get("hashes"), dict):
        for algorithm, digest in observable["hashes"].items():
            if isinstance(digest, str):
                yield f"file:hashes.{algorithm}", digest


def pattern_values(pattern: str) -> Iterator[tuple[str, str]]:
    """Return (type, value) of each equality (``=``, ``IN``) a STIX pattern states.

    A ``..._ref.type = 'ipv4-addr'`` beside ``..._ref.value = '...'`` (how MISP writes an
    address) names the value's type; the ``.type`` comparison itself is no value.
    """
    found: list[tuple[str, str]] = []
    for match in _COMPARISON.finditer(pattern):
        path = match.group(1).replace("'", "")
        values = (
            [match.group(2)]
            if match.group(2) is not None
            else _IN_VALUE.findall(match.group(3) or "")
        )
        found += [(path, v.replace("\\'", "'").replace("\\\\", "\\")) for v in values]
    ref_types = {p.removesuffix(".type"): v for p, v in found if p.endswith("_ref.type")}
    for path, value in found:
        if path.endswith(".type"):
            continue
        if path.endswith(":value"):
            yield path.removesuffix(":value"), value
        elif path.endswith("_ref.value") and path.removesuffix(".value") in ref_types:
            yield ref_types[path.removesuffix(".value")], value
        else:
            yield path, value
