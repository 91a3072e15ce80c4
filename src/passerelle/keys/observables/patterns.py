"""Keys of the values a STIX pattern compares for equality (``=``, ``IN``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Final

from passerelle.keys.observables.kinds import KINDS, MAX_VALUES, first_key, is_wide, kept
from passerelle.keys.observables.networks import address_keys
from passerelle.keys.observables.values import (
    domain_key,
    email_key,
    handle_key,
    hash_key,
    phone_key,
    url_found,
)

# A STIX comparison `type:path = 'value'` or `type:path IN ('a', 'b')`; NOT and other
# operators are left out: they do not say the object holds the value.
_STRING = r"'(?:[^'\\]|\\.)*'"
_PATH = r"[A-Za-z0-9_-]+:(?:[A-Za-z0-9_.\[\]*-]|'[A-Za-z0-9_-]{1,40}')+"
_COMPARISON = re.compile(
    rf"(?P<path>{_PATH})\s*(?:==?\s*(?P<one>{_STRING})"
    rf"|\s+IN\s*\(\s*(?P<set>{_STRING}(?:\s*,\s*{_STRING})*)\s*\))"
)
_QUOTED = re.compile(_STRING)
_HASH_PATH = re.compile(r"(?:^|\.)hashes\.'?([A-Za-z0-9-]{2,10})'?$")
_REF_VALUE = re.compile(r"_refs?(?:\[[^\]]*\])?\.value$")
_EMAIL_PATHS = re.compile(r"email-addr:value|email-message:\w+_refs?(?:\[[^\]]*\])?\.value")

# Simple patterns: comparisons `type:path = 'value'` and `type:path IN ('a', 'b')` (paths
# and strings that _COMPARISON takes, no escape in the strings), joined by AND and OR,
# within brackets joined by AND and OR. In such a pattern, _COMPARISON finds exactly these
# comparisons, with the same groups: a match starts with a path (letters, digits, `_`, `-`
# up to a colon), which neither the brackets, AND, OR nor spaces between comparisons can
# begin, and only one end of a path is followed by a space or `=`. (The possessive `++`
# and `*+` only spare backtracking: what follows them is never a character they take.)
_TIGHT_PATH = r"[A-Za-z0-9_-]++:[A-Za-z0-9_.\[\]*-]++(?:'[A-Za-z0-9_-]{1,40}')?"
_TIGHT_STRING = r"'[^'\\]*+'"
_TIGHT_SET = rf"{_TIGHT_STRING}(?:, ?{_TIGHT_STRING})*"
_TIGHT_COMPARISON = re.compile(
    rf"({_TIGHT_PATH})(?: ?==? ?({_TIGHT_STRING})| IN \(({_TIGHT_SET})\))"
)
_ANY_TIGHT = rf"{_TIGHT_PATH}(?: ?==? ?{_TIGHT_STRING}| IN \({_TIGHT_SET}\))"
_TIGHT_OBSERVATION = rf"\[{_ANY_TIGHT}(?: (?:AND|OR) {_ANY_TIGHT})*\]"
_SIMPLE_PATTERN = re.compile(rf"{_TIGHT_OBSERVATION}(?: (?:AND|OR) {_TIGHT_OBSERVATION})*")
# The most common of them, one comparison for equality: `[type:path = 'value']`.
_ONE_COMPARISON = re.compile(rf"\[({_TIGHT_PATH}) ?==? ?'([^'\\]*+)'\]")
# The values of the strings of a simple IN set, without their quotes.
_TIGHT_VALUE = re.compile(r"'([^'\\]*+)'")

# How the value compared at one pattern path gives keys (None: not a key), for the watch
# kinds from (value, region), for the correlation-only kinds from the value.
_NarrowRule = Callable[[str, str], Sequence[str | None]]
_WideRule = Callable[[str], Sequence[str | None]]
# The rules of the paths seen, a bounded cache.
_RULES: dict[str, tuple[_NarrowRule | None, _WideRule | None]] = {}
_MAX_RULES: Final = 1024
_MAX_RULE_PATH: Final = 100


def pattern_keys(pattern: str, region: str, kinds: frozenset[str] = KINDS) -> set[str]:
    """Return the keys of the values a STIX pattern compares for equality (``=``, ``IN``)."""
    return kept(pattern_found(pattern, region, is_wide(kinds)), kinds)


def pattern_found(pattern: str, region: str, wide: bool) -> list[str | None]:
    """Return the keys of a pattern: of the watch kinds, and of all kinds when ``wide``."""
    # Strings of simple patterns have no escape: their values are between the quotes.
    one = _ONE_COMPARISON.fullmatch(pattern)
    if one is not None:
        path, value = one.groups()
        return _comparison_keys(path, value, region, wide)
    found: list[str | None] = []
    if _SIMPLE_PATTERN.fullmatch(pattern):
        for path, literal, members in _TIGHT_COMPARISON.findall(pattern):
            for value in (
                _TIGHT_VALUE.findall(members)[:MAX_VALUES] if members else (literal[1:-1],)
            ):
                found += _comparison_keys(path, value, region, wide)
        return found
    for match in _COMPARISON.finditer(pattern):
        path, literal, members = match.group("path", "one", "set")
        literals = [literal] if literal else []
        if members:
            literals = _QUOTED.findall(members)[:MAX_VALUES]
        for each in literals:
            found += _comparison_keys(path, _unquote(each), region, wide)
    return found


def _comparison_keys(path: str, value: str, region: str, wide: bool) -> list[str | None]:
    """Keys of one comparison: of the watch kinds, and of all kinds when ``wide``."""
    if path == "url:value":  # url_keys, and url_host_keys when wide: the URL split once
        return url_found(value, True, wide)
    narrow, broad = _RULES.get(path) or _path_rules(path)
    found: list[str | None] = [] if narrow is None else [*narrow(value, region)]
    if wide and broad is not None:
        found += broad(value)
    return found


def _path_rules(path: str) -> tuple[_NarrowRule | None, _WideRule | None]:
    """Return the rules of a pattern path (not ``url:value``), cached: the path decides."""
    rules = (_narrow_rule(path), _wide_rule(path))
    if len(_RULES) < _MAX_RULES and len(path) <= _MAX_RULE_PATH:
        _RULES[path] = rules
    return rules


def _narrow_rule(path: str) -> _NarrowRule | None:
    """The rule giving the watch kinds' keys of the values compared at a path."""
    if _EMAIL_PATHS.fullmatch(path):
        return _email_rule
    if path == "user-account:account_login":
        return _handle_rule
    if "phone" in path:
        return _phone_rule
    return None


def _wide_rule(path: str) -> _WideRule | None:
    """The rule giving the correlation-only kinds' keys of the values compared at a path."""
    object_type, _, prop = path.partition(":")
    if prop == "value" and object_type == "domain-name":
        return _domain_rule
    if prop == "value" and object_type in ("ipv4-addr", "ipv6-addr"):
        return address_keys
    algorithm = _HASH_PATH.search(prop)
    if algorithm is not None:
        return _hash_rule(algorithm.group(1))
    if _REF_VALUE.search(prop) and not _EMAIL_PATHS.fullmatch(path):
        # network-traffic:dst_ref.value and the like: an address or a domain
        return _host_rule
    return None


def _email_rule(value: str, region: str) -> Sequence[str | None]:
    return [email_key(value)]


def _handle_rule(value: str, region: str) -> Sequence[str | None]:
    return [handle_key(value)]


def _phone_rule(value: str, region: str) -> Sequence[str | None]:
    return [phone_key(value, region)]


def _domain_rule(value: str) -> Sequence[str | None]:
    return [domain_key(value)]


def _host_rule(value: str) -> Sequence[str | None]:
    return [first_key(address_keys(value)) or domain_key(value)]


def _hash_rule(algorithm: str) -> _WideRule:
    def rule(value: str) -> Sequence[str | None]:
        return [hash_key(algorithm, value)]

    return rule


def _unquote(literal: str) -> str:
    if "\\" not in literal:
        return literal[1:-1]
    return literal[1:-1].replace("\\'", "'").replace("\\\\", "\\")
