"""Value checks: showing user data in reasons, lexical rules, property values.

Each check takes a JSON value and returns None when it is fine, else a
`Problem`: (path inside the value, what is wrong); path "" means the value
itself.  Section 2 of the spec (common data types).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Final

# (path inside the value, what is wrong); path "" means the value itself.
Problem = tuple[str, str]
Check = Callable[[object], Problem | None]
Rule = Callable[[dict[str, object]], Problem | None]

_SHOWN: Final = 60


# --------------------------------------------------------------------------
# Showing user data in reasons


def _clip(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


def _show(value: object) -> str:
    """A short, one-line rendering of a JSON value for a reason."""
    if isinstance(value, str):
        return repr(_clip(value))
    if value is None or isinstance(value, bool | float):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if -(10**18) < value < 10**18 else "a large integer"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return "a JSON object"
    return type(value).__name__


# --------------------------------------------------------------------------
# Lexical rules (section 2: common data types)

_TYPE_NAME: Final = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*-?"
_UUID: Final = (
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
)
_TYPE_NAME_RE: Final = re.compile(_TYPE_NAME)
_UUID_RE: Final = re.compile(_UUID)
_IDENTIFIER_RE: Final = re.compile(rf"({_TYPE_NAME})--{_UUID}")
_EXTENSION_DEFINITION_ID_RE: Final = re.compile(rf"extension-definition--{_UUID}")
_PROPERTY_NAME_RE: Final = re.compile(r"[a-z0-9_]{3,250}")
_DICTIONARY_KEY_RE: Final = re.compile(r"[a-zA-Z0-9_-]{1,250}")
# A real calendar date (Gregorian leap years), seconds 00-59, at most 6
# fractional digits, year 0001-9999: what Python's datetime (so stix2) accepts.
_TIMESTAMP_RE: Final = re.compile(
    r"(?!0000)(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    r"|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)"
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?Z"
)
_HEX_RE: Final = re.compile(r"(?:[0-9a-fA-F]{2})+")
_BASE64_RE: Final = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
# RFC 5646 language tag, shape only.
_LANGUAGE_RE: Final = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_SELECTOR_INDEX_RE: Final = re.compile(r"\[([0-9]+)\]")

_HASH_DIGEST_RE: Final = {
    algorithm: re.compile(regex)
    for algorithm, regex in {
        "MD5": "[0-9a-fA-F]{32}",
        "MD6": "[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{56}|[0-9a-fA-F]{64}"
        "|[0-9a-fA-F]{96}|[0-9a-fA-F]{128}",
        "RIPEMD160": "[0-9a-fA-F]{40}",
        "SHA1": "[0-9a-fA-F]{40}",
        "SHA224": "[0-9a-fA-F]{56}",
        "SHA256": "[0-9a-fA-F]{64}",
        "SHA384": "[0-9a-fA-F]{96}",
        "SHA512": "[0-9a-fA-F]{128}",
        "SHA3224": "[0-9a-fA-F]{56}",
        "SHA3256": "[0-9a-fA-F]{64}",
        "SHA3384": "[0-9a-fA-F]{96}",
        "SHA3512": "[0-9a-fA-F]{128}",
        "SSDEEP": "[a-zA-Z0-9/+:.]{1,128}",
        "WHIRLPOOL": "[0-9a-fA-F]{128}",
        "TLSH": "[0-9a-fA-F]{70}",
    }.items()
}


def _is_type_name(name: str) -> bool:
    return 3 <= len(name) <= 250 and _TYPE_NAME_RE.fullmatch(name) is not None


def _is_timestamp(value: object) -> bool:
    return type(value) is str and _TIMESTAMP_RE.fullmatch(value) is not None


def _instant(timestamp: str) -> str:
    """A key that orders valid timestamps chronologically."""
    return timestamp[:19] + timestamp[20:-1].ljust(6, "0")


# --------------------------------------------------------------------------
# Value checks: each returns None when the value is fine, else a Problem.


def _already_checked(value: object) -> Problem | None:
    return None


def _string(value: object) -> Problem | None:
    return None if type(value) is str else ("", f"is not a string ({_show(value)})")


def _boolean(value: object) -> Problem | None:
    if value is True or value is False:
        return None
    return ("", f"is not a boolean ({_show(value)})")


def _timestamp(value: object) -> Problem | None:
    if _is_timestamp(value):
        return None
    return ("", f"is not a STIX timestamp ({_show(value)})")


def _language(value: object) -> Problem | None:
    if type(value) is str and _LANGUAGE_RE.fullmatch(value) is not None:
        return None
    return ("", f"is not an RFC 5646 language code ({_show(value)})")


def _hex(value: object) -> Problem | None:
    if type(value) is str and _HEX_RE.fullmatch(value) is not None:
        return None
    return ("", f"is not an even number of hex digits ({_show(value)})")


def _binary(value: object) -> Problem | None:
    if type(value) is str and _BASE64_RE.fullmatch(value) is not None:
        return None
    return ("", f"is not base64 ({_show(value)})")


def _json_object(value: object) -> Problem | None:
    return None if type(value) is dict else ("", f"is not a JSON object ({_show(value)})")


def _integer(low: int | None = None, high: int | None = None) -> Check:
    def check(value: object) -> Problem | None:
        if type(value) is not int:
            return ("", f"is not an integer ({_show(value)})")
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"between {low} and {high}"
            return ("", f"must be {bounds} ({_show(value)})")
        return None

    return check


def _number(low: float | None = None, high: float | None = None) -> Check:
    def check(value: object) -> Problem | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return ("", f"is not a number ({_show(value)})")
        if isinstance(value, float) and not math.isfinite(value):
            return ("", f"is not a finite number ({_show(value)})")
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"between {low} and {high}"
            return ("", f"must be {bounds} ({_show(value)})")
        return None

    return check


def _enum(*allowed: str) -> Check:
    values = frozenset(allowed)
    listed = ", ".join(allowed[:5]) + (", ..." if len(allowed) > 5 else "")

    def check(value: object) -> Problem | None:
        if type(value) is str and value in values:
            return None
        return ("", f"is not one of {listed} ({_show(value)})")

    return check


def _list_of(item: Check) -> Check:
    def check(value: object) -> Problem | None:
        if type(value) is not list:
            return ("", f"is not a list ({_show(value)})")
        if not value:
            return ("", "is an empty list")
        for index, element in enumerate(value):
            problem = item(element)
            if problem is not None:
                return (f"[{index}]{problem[0]}", problem[1])
        return None

    return check


def _dictionary(value: object) -> Problem | None:
    if type(value) is not dict:
        return ("", f"is not a dictionary ({_show(value)})")
    if not value:
        return ("", "is an empty dictionary")
    for key in value:
        if type(key) is not str or _DICTIONARY_KEY_RE.fullmatch(key) is None:
            return ("", f"has an invalid dictionary key ({_show(key)})")
    return None


def _hashes(value: object) -> Problem | None:
    problem = _dictionary(value)
    if problem is not None:
        return problem
    assert type(value) is dict
    for algorithm, digest in value.items():
        if type(digest) is not str:
            return (f".{_clip(algorithm)}", f"is not a string ({_show(digest)})")
        regex = _HASH_DIGEST_RE.get(algorithm.upper().replace("-", ""))
        if regex is not None and regex.fullmatch(digest) is None:
            return (f".{_clip(algorithm)}", f"is not a valid digest ({_show(digest)})")
    return None


def _strings(value: object) -> Problem | None:
    """A non-empty list of strings."""
    if type(value) is list and value:
        for element in value:
            if type(element) is not str:
                return _list_of(_string)(value)
        return None
    return _list_of(_string)(value)
