"""Fast structural validation of incoming STIX 2.1 objects.

Reference: STIX 2.1 (OASIS Standard), https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html
and, for what is valid in practice, the OASIS ``stix2`` library
(``stix2.parse(obj, allow_custom=False)``) and ``stix2-patterns``.  Each object
type is one `_Definition` in `_DEFINITIONS` (properties -> value check,
required properties, cross-property rules), with the spec section linked.

Decisions (see tests/stix/test_validation.py for the divergences from stix2):

* Only STIX 2.1: ``spec_version`` must be ``"2.1"``; it is required except on
  SCOs.  ``id`` is always required and must be ``<type>--<UUID>`` in canonical
  RFC 4122 text form (any version digit, RFC 4122 variant), as stix2 requires
  for 2.1 objects.  SDO/SRO ``created``/``modified`` and indicator
  ``valid_from`` are required, as in the spec (stix2 fills them in).
* Values are JSON values: strings must be ``str``, integers ``int`` (not
  bool), booleans ``bool``; ``null`` and empty lists/dictionaries are
  rejected.  (stix2 coerces, e.g. ``"50"`` to 50, and drops ``null``/``[]``.)
* Timestamps: ``YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z``, a real calendar date, seconds
  00-59.  That is what stix2 accepts (``strptime`` + ``datetime``), minus the
  lenient forms it also lets through (one-digit fields, lower-case ``t``/``z``).
* Custom properties: accepted when named ``x_`` + ``[a-z0-9_]`` (3-250 chars
  in all) on any top-level object; any property named ``[a-z0-9_]{3,250}`` is
  accepted when the object carries a ``toplevel-property-extension``.  A
  custom property whose name ends in ``_ref``/``_refs`` must hold an
  identifier / a list of identifiers.  Embedded types (external references,
  kill chain phases, predefined SCO extensions...) accept no custom property.
  stix2 with ``allow_custom=False`` refuses all of these.
* Unknown object types: accepted only when the type name is valid and the
  object has an ``extension-definition--<uuid>`` extension whose
  ``extension_type`` is ``new-sdo``, ``new-sro`` or ``new-sco`` (the STIX 2.1
  extension mechanism, section 7.3).  Such objects get the common-property
  checks of their kind and may carry any property named ``[a-z0-9_]{3,250}``.
  Legacy custom objects (an ``x-`` type without such an extension) are
  rejected, as stix2 does with ``allow_custom=False``.
* ``extensions`` keys: ``extension-definition--<uuid>`` (content opaque apart
  from ``extension_type``), the predefined extensions of the object's own SCO
  type (validated), or deprecated custom ``x-...`` extensions (opaque).
* References: each ``*_ref(s)`` property names the types it may point to.
  Where the spec allows a whole category (any SDO, SCO or SRO), identifiers of
  types unknown to this module (custom objects) are accepted too;
  extension-definition counts as a meta object, not an SDO (stix2 differs).
* Cross-property rules of the spec that stix2 enforces are enforced (location
  anchors, malware family name, opinion values, artifact payload/url,
  network-traffic ``end`` needing ``is_active: false`` as stix2 reads the
  spec, ...), plus ``modified >= created`` and ``confidence`` in 0..100, which
  stix2 does not check.  Granular-marking selectors must select something
  present in the object (lists via ``name.[n]``, into nested objects too).
* A ``bundle`` is refused: it is a container, its objects are validated.
* ``indicator.pattern`` is checked with `passerelle.stix.pattern.check_pattern`
  when ``pattern_type`` is ``"stix"``; other pattern languages are opaque.
* Hash dictionaries: any dictionary key is accepted as algorithm name
  (``hash-algorithm-ov`` is open); values for algorithms stix2 knows (name
  compared case-insensitively without hyphens, as stix2 does) must look like a
  digest of that algorithm.
* Reasons are one line, name the property at fault and show at most ~60
  characters of any user-supplied value.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from passerelle.stix.pattern import InvalidPattern, check_pattern

__all__ = ["InvalidObject", "validate_object"]

SPEC: Final = "https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html"

# (path inside the value, what is wrong); path "" means the value itself.
Problem = tuple[str, str]
Check = Callable[[object], Problem | None]
Rule = Callable[[dict[str, object]], Problem | None]
Kind = Literal["sdo", "sro", "sco", "meta", "embedded"]

_SHOWN: Final = 60
_ABSENT: Final = object()


class InvalidObject(ValueError):
    """An object that breaks STIX 2.1; `reason` is one line naming the property at fault."""

    reason: str

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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


def _strings(value: object) -> Problem | None:
    """A non-empty list of strings."""
    if type(value) is list and value:
        for element in value:
            if type(element) is not str:
                return _list_of(_string)(value)
        return None
    return _list_of(_string)(value)


def _any_reference(value: object) -> Problem | None:
    match = _IDENTIFIER_RE.fullmatch(value) if type(value) is str else None
    return None if match is not None else ("", f"is not a STIX identifier ({_show(value)})")


# --------------------------------------------------------------------------
# Object definitions


@dataclass(frozen=True, slots=True)
class _Definition:
    """One STIX type: its properties, the required ones, and cross-property rules."""

    name: str
    kind: Kind
    section: str
    properties: Mapping[str, Check]
    required: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    # Objects of extension-defined types may carry any well-named property.
    open_properties: bool = False
    required_keys: frozenset[str] = frozenset()
    # The identifiers of objects of this type, when it is one type.
    id_re: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "required_keys", frozenset(self.required))
        if self.kind != "embedded" and _is_type_name(self.name):
            object.__setattr__(self, "id_re", re.compile(f"{re.escape(self.name)}--{_UUID}"))


def _object_problem(definition: _Definition, obj: dict[str, object]) -> Problem | None:
    """First problem of `obj` against `definition`, path relative to `obj`."""
    properties = definition.properties
    for name, value in obj.items():
        check = properties.get(name)
        if check is None:
            problem = _undefined_property(definition, obj, name, value)
            if problem is not None:
                return problem
            continue
        problem = check(value)
        if problem is not None:
            return (name + problem[0], problem[1])
    if not definition.required_keys <= obj.keys():
        for name in definition.required:
            if name not in obj:
                return (name, "is missing")
    for rule in definition.rules:
        problem = rule(obj)
        if problem is not None:
            return problem
    return None


def _undefined_property(
    definition: _Definition, obj: dict[str, object], name: object, value: object
) -> Problem | None:
    """A property the definition does not list: custom content, or an error."""
    if type(name) is not str:
        return ("", f"has a non-string property name ({_show(name)})")
    shown = _clip(name)
    if definition.kind == "embedded":
        return (shown, f"is not a property of {definition.name}")
    if _PROPERTY_NAME_RE.fullmatch(name) is None:
        return (shown, "is not a valid property name (a-z, 0-9, _; 3 to 250 characters)")
    if name.startswith("x_"):
        return _custom_value_problem(name, value)
    if definition.open_properties or _has_toplevel_extension(obj):
        return _custom_value_problem(name, value)
    return (
        shown,
        f"is not a STIX 2.1 property of {definition.name} (custom properties must start with 'x_')",
    )


def _custom_value_problem(name: str, value: object) -> Problem | None:
    """Custom properties are free-form, except that *_ref(s) must hold identifiers."""
    if name.endswith("_ref"):
        problem = _any_reference(value)
    elif name.endswith("_refs"):
        problem = _list_of(_any_reference)(value)
    else:
        return None
    return None if problem is None else (_clip(name) + problem[0], problem[1])


def _has_toplevel_extension(obj: dict[str, object]) -> bool:
    extensions = obj.get("extensions")
    if type(extensions) is not dict:
        return False
    return any(
        type(content) is dict and content.get("extension_type") == "toplevel-property-extension"
        for content in extensions.values()
    )


def _embedded(definition: _Definition) -> Check:
    def check(value: object) -> Problem | None:
        if type(value) is not dict:
            return ("", f"is not a JSON object ({_show(value)})")
        problem = _object_problem(definition, value)
        if problem is None:
            return None
        return (f".{problem[0]}" if problem[0] else "", problem[1])

    return check


_EXTENSION_TYPES: Final = (
    "new-sdo",
    "new-sco",
    "new-sro",
    "property-extension",
    "toplevel-property-extension",
)
_extension_type = _enum(*_EXTENSION_TYPES)


def _extensions(predefined: Mapping[str, _Definition]) -> Check:
    """The ``extensions`` property (section 7.3 and the SCO extensions of 6.x)."""

    def check(value: object) -> Problem | None:
        problem = _dictionary(value)
        if problem is not None:
            return problem
        assert type(value) is dict
        for key, content in value.items():
            problem = _extension_problem(key, content, predefined)
            if problem is not None:
                return (f".{_clip(key)}{problem[0]}", problem[1])
        return None

    return check


def _extension_problem(
    key: str, content: object, predefined: Mapping[str, _Definition]
) -> Problem | None:
    if type(content) is not dict:
        return ("", f"is not a JSON object ({_show(content)})")
    if key.startswith("extension-definition--"):
        if _EXTENSION_DEFINITION_ID_RE.fullmatch(key) is None:
            return ("", "is not a valid extension-definition identifier")
        if "extension_type" in content:
            problem = _extension_type(content["extension_type"])
            if problem is not None:
                return (".extension_type", problem[1])
        return None
    definition = predefined.get(key)
    if definition is not None:
        problem = _object_problem(definition, content)
        if problem is not None:
            return (f".{problem[0]}" if problem[0] else "", problem[1])
        return None
    if key.startswith("x-") and _is_type_name(key):
        return None  # deprecated custom extension (section 11.3), opaque
    return ("", "is not an extension this object type can carry")


# Rules -------------------------------------------------------------------


def _not_before(earlier: str, later: str, *, strictly: bool = False) -> Rule:
    """`later` (a timestamp) must not precede `earlier` (or must follow it)."""
    relation = "later than" if strictly else "later than or equal to"

    def rule(obj: dict[str, object]) -> Problem | None:
        start = obj.get(earlier)
        end = obj.get(later)
        if type(start) is str and type(end) is str:
            # Valid timestamps of equal length have the same layout.
            first, last = (
                (start, end) if len(start) == len(end) else (_instant(start), _instant(end))
            )
            if last < first or (strictly and last == first):
                return (later, f"must be {relation} '{earlier}'")
        return None

    return rule


def _at_least_one(*names: str) -> Rule:
    listed = ", ".join(f"'{name}'" for name in names)

    def rule(obj: dict[str, object]) -> Problem | None:
        for name in names:
            if name in obj:
                return None
        return ("", f"needs at least one of {listed}")

    return rule


def _exactly_one(first: str, second: str) -> Rule:
    def rule(obj: dict[str, object]) -> Problem | None:
        if (first in obj) == (second in obj):
            return ("", f"needs exactly one of '{first}' and '{second}'")
        return None

    return rule


def _requires(present: str, needed: str) -> Rule:
    def rule(obj: dict[str, object]) -> Problem | None:
        if present in obj and needed not in obj:
            return (needed, f"is required when '{present}' is present")
        return None

    return rule


def _selects(obj: dict[str, object], selector: str) -> bool:
    """Whether a granular-marking selector names something present in `obj`."""
    node: object = obj
    for step in selector.split("."):
        index = _SELECTOR_INDEX_RE.fullmatch(step)
        if index is not None:
            position = int(index.group(1))
            if type(node) is not list or position >= len(node):
                return False
            node = node[position]
        elif type(node) is dict and step in node:
            node = node[step]
        else:
            return False
    return True


def _granular_selectors(obj: dict[str, object]) -> Problem | None:
    """Section 7.2.3.1: every selector must select something in the object."""
    markings = obj.get("granular_markings")
    if type(markings) is not list:
        return None
    for index, marking in enumerate(markings):
        assert type(marking) is dict
        selectors = marking["selectors"]
        assert type(selectors) is list
        for position, selector in enumerate(selectors):
            assert type(selector) is str
            if not _selects(obj, selector):
                path = f"granular_markings[{index}].selectors[{position}]"
                return (path, f"selects nothing in this object ({_show(selector)})")
    return None


# Embedded types and common property sets --------------------------------

_KILL_CHAIN_PHASE: Final = _Definition(
    "kill-chain-phase",
    "embedded",
    f"{SPEC}#_i4tjv75ce50h",
    {"kill_chain_name": _string, "phase_name": _string},
    required=("kill_chain_name", "phase_name"),
)
_EXTERNAL_REFERENCE: Final = _Definition(
    "external-reference",
    "embedded",
    f"{SPEC}#_72bcfr3t79jx",
    {
        "source_name": _string,
        "description": _string,
        "url": _string,
        "hashes": _hashes,
        "external_id": _string,
    },
    required=("source_name",),
    rules=(_at_least_one("description", "url", "external_id"),),
)


def _one_marking_target(obj: dict[str, object]) -> Problem | None:
    if ("lang" in obj) == ("marking_ref" in obj):
        return ("", "needs exactly one of 'lang' and 'marking_ref'")
    return None


_GRANULAR_MARKING: Final = _Definition(
    "granular-marking",
    "embedded",
    f"{SPEC}#_robezi5egfdr",
    {
        "lang": _language,
        "marking_ref": _reference("marking-definition"),
        "selectors": _list_of(_string),
    },
    required=("selectors",),
    rules=(_one_marking_target,),
)

_kill_chain_phases = _list_of(_embedded(_KILL_CHAIN_PHASE))
_NO_EXTENSIONS: Final[Mapping[str, _Definition]] = {}

# Section 3.2, common properties of SDOs and SROs.
_SDO_COMMON: Final[Mapping[str, Check]] = {
    "type": _already_checked,
    "spec_version": _already_checked,
    "id": _already_checked,
    "created_by_ref": _reference("identity"),
    "created": _timestamp,
    "modified": _timestamp,
    "revoked": _boolean,
    "labels": _strings,
    "confidence": _integer(0, 100),
    "lang": _language,
    "external_references": _list_of(_embedded(_EXTERNAL_REFERENCE)),
    "object_marking_refs": _references("marking-definition"),
    "granular_markings": _list_of(_embedded(_GRANULAR_MARKING)),
    "extensions": _extensions(_NO_EXTENSIONS),
}
_SDO_REQUIRED: Final = ("spec_version", "created", "modified")
_SDO_RULES: Final = (_not_before("created", "modified"), _granular_selectors)

# Section 6.1, common properties of SCOs.
_SCO_COMMON: Final[Mapping[str, Check]] = {
    "type": _already_checked,
    "spec_version": _already_checked,
    "id": _already_checked,
    "object_marking_refs": _references("marking-definition"),
    "granular_markings": _list_of(_embedded(_GRANULAR_MARKING)),
    "defanged": _boolean,
    "extensions": _extensions(_NO_EXTENSIONS),
}


def _sdo(
    name: str,
    anchor: str,
    properties: Mapping[str, Check],
    required: tuple[str, ...] = (),
    rules: tuple[Rule, ...] = (),
    kind: Kind = "sdo",
    excluded: tuple[str, ...] = (),
) -> _Definition:
    common = {name: check for name, check in _SDO_COMMON.items() if name not in excluded}
    return _Definition(
        name,
        kind,
        f"{SPEC}#{anchor}",
        {**common, **properties},
        required=_SDO_REQUIRED + required,
        rules=_SDO_RULES + rules,
    )


def _sco(
    name: str,
    anchor: str,
    properties: Mapping[str, Check],
    required: tuple[str, ...] = (),
    rules: tuple[Rule, ...] = (),
    extensions: Mapping[str, _Definition] = _NO_EXTENSIONS,
) -> _Definition:
    return _Definition(
        name,
        "sco",
        f"{SPEC}#{anchor}",
        {**_SCO_COMMON, **properties, "extensions": _extensions(extensions)},
        required=required,
        rules=(_granular_selectors, *rules),
    )


def _extension(
    name: str,
    anchor: str,
    properties: Mapping[str, Check],
    required: tuple[str, ...] = (),
    rules: tuple[Rule, ...] = (),
) -> _Definition:
    """A predefined SCO extension; like stix2, it must set at least one property."""
    return _Definition(
        name,
        "embedded",
        f"{SPEC}#{anchor}",
        properties,
        required=required,
        rules=(_at_least_one(*properties), *rules),
    )


# SDO-specific rules ------------------------------------------------------

_seen_window = _not_before("first_seen", "last_seen")


def _stix_pattern(obj: dict[str, object]) -> Problem | None:
    """Section 9: a pattern whose pattern_type is "stix" must parse."""
    if obj.get("pattern_type") != "stix":
        return None
    pattern = obj.get("pattern")
    assert type(pattern) is str
    try:
        check_pattern(pattern)
    except InvalidPattern as invalid:
        return ("pattern", f"is not a valid STIX pattern: {invalid}")
    return None


def _location_anchor(obj: dict[str, object]) -> Problem | None:
    """Section 4.11: region, country, or latitude + longitude; precision needs both."""
    has_latitude = "latitude" in obj
    if has_latitude != ("longitude" in obj):
        missing, present = ("longitude", "latitude") if has_latitude else ("latitude", "longitude")
        return (missing, f"is required when '{present}' is present")
    if "precision" in obj and not has_latitude:
        return ("precision", "requires 'latitude' and 'longitude'")
    if not (has_latitude or "region" in obj or "country" in obj):
        return ("", "needs 'region', 'country' or 'latitude' and 'longitude'")
    return None


def _malware_family_name(obj: dict[str, object]) -> Problem | None:
    if obj.get("is_family") is True and "name" not in obj:
        return ("name", "is required when 'is_family' is true")
    return None


def _observed_objects(value: object) -> Problem | None:
    """observed-data ``objects`` (deprecated in 2.1): only its shape is checked."""
    problem = _dictionary(value)
    if problem is not None:
        return problem
    assert type(value) is dict
    for key, observable in value.items():
        if type(observable) is not dict or type(observable.get("type")) is not str:
            return (f".{_clip(key)}", "is not a cyber observable (a JSON object with a 'type')")
    return None


_object_refs = _references("SDO", "SCO", "SRO")

# The STIX 2.1 object types --------------------------------------------------

_STIX_DOMAIN_OBJECTS: Final = (
    _sdo(
        "attack-pattern",
        "_axjijf603msy",
        {
            "name": _string,
            "description": _string,
            "aliases": _strings,
            "kill_chain_phases": _kill_chain_phases,
        },
        required=("name",),
    ),
    _sdo(
        "campaign",
        "_pcpvfz4ik6d6",
        {
            "name": _string,
            "description": _string,
            "aliases": _strings,
            "first_seen": _timestamp,
            "last_seen": _timestamp,
            "objective": _string,
        },
        required=("name",),
        rules=(_seen_window,),
    ),
    _sdo(
        "course-of-action",
        "_a925mpw39txn",
        {"name": _string, "description": _string},
        required=("name",),
    ),
    _sdo(
        "grouping",
        "_t56pn7elv6u7",
        {
            "name": _string,
            "description": _string,
            "context": _string,
            "object_refs": _object_refs,
        },
        required=("context", "object_refs"),
    ),
    _sdo(
        "identity",
        "_wh296fiwpklp",
        {
            "name": _string,
            "description": _string,
            "roles": _strings,
            "identity_class": _string,
            "sectors": _strings,
            "contact_information": _string,
        },
        required=("name",),
    ),
    _sdo(
        "incident",
        "_sczfhw64pjxt",
        {"name": _string, "description": _string, "kill_chain_phases": _kill_chain_phases},
        required=("name",),
    ),
    _sdo(
        "indicator",
        "_muftrcpnf89v",
        {
            "name": _string,
            "description": _string,
            "indicator_types": _strings,
            "pattern": _string,
            "pattern_type": _string,
            "pattern_version": _string,
            "valid_from": _timestamp,
            "valid_until": _timestamp,
            "kill_chain_phases": _kill_chain_phases,
        },
        required=("pattern", "pattern_type", "valid_from"),
        rules=(_not_before("valid_from", "valid_until", strictly=True), _stix_pattern),
    ),
    _sdo(
        "infrastructure",
        "_jo3k1o6lr9",
        {
            "name": _string,
            "description": _string,
            "infrastructure_types": _strings,
            "aliases": _strings,
            "kill_chain_phases": _kill_chain_phases,
            "first_seen": _timestamp,
            "last_seen": _timestamp,
        },
        required=("name",),
        rules=(_seen_window,),
    ),
    _sdo(
        "intrusion-set",
        "_5ol9xlbbnrdn",
        {
            "name": _string,
            "description": _string,
            "aliases": _strings,
            "first_seen": _timestamp,
            "last_seen": _timestamp,
            "goals": _strings,
            "resource_level": _string,
            "primary_motivation": _string,
            "secondary_motivations": _strings,
        },
        required=("name",),
        rules=(_seen_window,),
    ),
    _sdo(
        "location",
        "_th8nitr8jb4k",
        {
            "name": _string,
            "description": _string,
            "latitude": _number(-90.0, 90.0),
            "longitude": _number(-180.0, 180.0),
            "precision": _number(0.0),
            "region": _string,
            "country": _string,
            "administrative_area": _string,
            "city": _string,
            "street_address": _string,
            "postal_code": _string,
        },
        rules=(_location_anchor,),
    ),
    _sdo(
        "malware",
        "_s5l7katgbp09",
        {
            "name": _string,
            "description": _string,
            "malware_types": _strings,
            "is_family": _boolean,
            "aliases": _strings,
            "kill_chain_phases": _kill_chain_phases,
            "first_seen": _timestamp,
            "last_seen": _timestamp,
            "operating_system_refs": _references("software"),
            "architecture_execution_envs": _strings,
            "implementation_languages": _strings,
            "capabilities": _strings,
            "sample_refs": _references("artifact", "file"),
        },
        required=("is_family",),
        rules=(_seen_window, _malware_family_name),
    ),
    _sdo(
        "malware-analysis",
        "_6hdrixb3ua4j",
        {
            "product": _string,
            "version": _string,
            "host_vm_ref": _reference("software"),
            "operating_system_ref": _reference("software"),
            "installed_software_refs": _references("software"),
            "configuration_version": _string,
            "modules": _strings,
            "analysis_engine_version": _string,
            "analysis_definition_version": _string,
            "submitted": _timestamp,
            "analysis_started": _timestamp,
            "analysis_ended": _timestamp,
            "result_name": _string,
            "result": _string,
            "analysis_sco_refs": _references("SCO"),
            "sample_ref": _reference("SCO"),
        },
        required=("product",),
        rules=(_at_least_one("result", "analysis_sco_refs"),),
    ),
    _sdo(
        "note",
        "_gudodcg1sbb9",
        {
            "abstract": _string,
            "content": _string,
            "authors": _strings,
            "object_refs": _object_refs,
        },
        required=("content", "object_refs"),
    ),
    _sdo(
        "observed-data",
        "_p49j1fwoxldc",
        {
            "first_observed": _timestamp,
            "last_observed": _timestamp,
            "number_observed": _integer(1, 999_999_999),
            "objects": _observed_objects,
            "object_refs": _references("SCO", "SRO"),
        },
        required=("first_observed", "last_observed", "number_observed"),
        rules=(
            _not_before("first_observed", "last_observed"),
            _exactly_one("objects", "object_refs"),
        ),
    ),
    _sdo(
        "opinion",
        "_ht1vtzfbtzda",
        {
            "explanation": _string,
            "authors": _strings,
            "opinion": _enum("strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"),
            "object_refs": _object_refs,
        },
        required=("opinion", "object_refs"),
    ),
    _sdo(
        "report",
        "_n8bjzg1ysgdq",
        {
            "name": _string,
            "description": _string,
            "report_types": _strings,
            "published": _timestamp,
            "object_refs": _object_refs,
        },
        required=("name", "published", "object_refs"),
    ),
    _sdo(
        "threat-actor",
        "_k017w16zutw",
        {
            "name": _string,
            "description": _string,
            "threat_actor_types": _strings,
            "aliases": _strings,
            "first_seen": _timestamp,
            "last_seen": _timestamp,
            "roles": _strings,
            "goals": _strings,
            "sophistication": _string,
            "resource_level": _string,
            "primary_motivation": _string,
            "secondary_motivations": _strings,
            "personal_motivations": _strings,
        },
        required=("name",),
        rules=(_seen_window,),
    ),
    _sdo(
        "tool",
        "_z4voa9ndw8v",
        {
            "name": _string,
            "description": _string,
            "tool_types": _strings,
            "aliases": _strings,
            "kill_chain_phases": _kill_chain_phases,
            "tool_version": _string,
        },
        required=("name",),
    ),
    _sdo(
        "vulnerability",
        "_q5ytzmajn6re",
        {"name": _string, "description": _string},
        required=("name",),
    ),
)

_STIX_RELATIONSHIP_OBJECTS: Final = (
    _sdo(
        "relationship",
        "_e2e1szrqfoan",
        {
            "relationship_type": _string,
            "description": _string,
            "source_ref": _reference("SDO", "SCO"),
            "target_ref": _reference("SDO", "SCO"),
            "start_time": _timestamp,
            "stop_time": _timestamp,
        },
        required=("relationship_type", "source_ref", "target_ref"),
        rules=(_not_before("start_time", "stop_time", strictly=True),),
        kind="sro",
    ),
    _sdo(
        "sighting",
        "_a795guqsap3r",
        {
            "description": _string,
            "first_seen": _timestamp,
            "last_seen": _timestamp,
            "count": _integer(0, 999_999_999),
            "sighting_of_ref": _reference("SDO"),
            "observed_data_refs": _references("observed-data"),
            "where_sighted_refs": _references("identity", "location"),
            "summary": _boolean,
        },
        required=("sighting_of_ref",),
        rules=(_seen_window,),
        kind="sro",
    ),
)

# SCOs and their predefined extensions (section 6) ---------------------------

_ALTERNATE_DATA_STREAM: Final = _Definition(
    "alternate-data-stream",
    "embedded",
    f"{SPEC}#_8i2ts0xicqea",
    {"name": _string, "hashes": _hashes, "size": _integer(0)},
    required=("name",),
)
_WINDOWS_PE_OPTIONAL_HEADER: Final = _extension(
    "windows-pe-optional-header-type",
    "_29l09w731pzc",
    {
        "magic_hex": _hex,
        "major_linker_version": _integer(),
        "minor_linker_version": _integer(),
        "size_of_code": _integer(0),
        "size_of_initialized_data": _integer(0),
        "size_of_uninitialized_data": _integer(0),
        "address_of_entry_point": _integer(),
        "base_of_code": _integer(),
        "base_of_data": _integer(),
        "image_base": _integer(),
        "section_alignment": _integer(),
        "file_alignment": _integer(),
        "major_os_version": _integer(),
        "minor_os_version": _integer(),
        "major_image_version": _integer(),
        "minor_image_version": _integer(),
        "major_subsystem_version": _integer(),
        "minor_subsystem_version": _integer(),
        "win32_version_value_hex": _hex,
        "size_of_image": _integer(0),
        "size_of_headers": _integer(0),
        "checksum_hex": _hex,
        "subsystem_hex": _hex,
        "dll_characteristics_hex": _hex,
        "size_of_stack_reserve": _integer(0),
        "size_of_stack_commit": _integer(0),
        "size_of_heap_reserve": _integer(0),
        "size_of_heap_commit": _integer(0),
        "loader_flags_hex": _hex,
        "number_of_rva_and_sizes": _integer(),
        "hashes": _hashes,
    },
)
_WINDOWS_PE_SECTION: Final = _Definition(
    "windows-pe-section-type",
    "embedded",
    f"{SPEC}#_ioapwyd8oimw",
    {"name": _string, "size": _integer(0), "entropy": _number(), "hashes": _hashes},
    required=("name",),
)
_FILE_EXTENSIONS: Final[Mapping[str, _Definition]] = {
    "archive-ext": _extension(
        "archive-ext",
        "_xi3g7dwaigs6",
        {"contains_refs": _references("file", "directory"), "comment": _string},
        required=("contains_refs",),
    ),
    "ntfs-ext": _extension(
        "ntfs-ext",
        "_o6cweepfrsci",
        {
            "sid": _string,
            "alternate_data_streams": _list_of(_embedded(_ALTERNATE_DATA_STREAM)),
        },
    ),
    "pdf-ext": _extension(
        "pdf-ext",
        "_8xmpb2ghp9km",
        {
            "version": _string,
            "is_optimized": _boolean,
            "document_info_dict": _dictionary,
            "pdfid0": _string,
            "pdfid1": _string,
        },
    ),
    "raster-image-ext": _extension(
        "raster-image-ext",
        "_u5z7i2ox8w4x",
        {
            "image_height": _integer(),
            "image_width": _integer(),
            "bits_per_pixel": _integer(),
            "exif_tags": _dictionary,
        },
    ),
    "windows-pebinary-ext": _extension(
        "windows-pebinary-ext",
        "_gg5zibddf9bs",
        {
            "pe_type": _string,
            "imphash": _string,
            "machine_hex": _hex,
            "number_of_sections": _integer(0),
            "time_date_stamp": _timestamp,
            "pointer_to_symbol_table_hex": _hex,
            "number_of_symbols": _integer(0),
            "size_of_optional_header": _integer(0),
            "characteristics_hex": _hex,
            "file_header_hashes": _hashes,
            "optional_header": _embedded(_WINDOWS_PE_OPTIONAL_HEADER),
            "sections": _list_of(_embedded(_WINDOWS_PE_SECTION)),
        },
        required=("pe_type",),
    ),
}

_SOCKET_OPTION_PREFIXES: Final = (
    "SO_",
    "ICMP_",
    "ICMP6_",
    "IP_",
    "IPV6_",
    "MCAST_",
    "TCP_",
    "IRLMP_",
)


def _socket_options(obj: dict[str, object]) -> Problem | None:
    """socket-ext ``options``: keys are SO_/IP_/... constants, values integers."""
    options = obj.get("options")
    if type(options) is not dict:
        return None
    for key, value in options.items():
        if not key.startswith(_SOCKET_OPTION_PREFIXES) or "_" in key[: key.index("_")]:
            return (f"options.{_clip(key)}", "is not a socket option name (SO_*, IP_*, ...)")
        if type(value) is not int:
            return (f"options.{_clip(key)}", f"is not an integer ({_show(value)})")
    return None


_NETWORK_TRAFFIC_EXTENSIONS: Final[Mapping[str, _Definition]] = {
    "http-request-ext": _extension(
        "http-request-ext",
        "_b0e376hgtml8",
        {
            "request_method": _string,
            "request_value": _string,
            "request_version": _string,
            "request_header": _dictionary,
            "message_body_length": _integer(),
            "message_body_data_ref": _reference("artifact"),
        },
        required=("request_method", "request_value"),
    ),
    "icmp-ext": _extension(
        "icmp-ext",
        "_ozypx0lmkebv",
        {"icmp_type_hex": _hex, "icmp_code_hex": _hex},
        required=("icmp_type_hex", "icmp_code_hex"),
    ),
    "socket-ext": _extension(
        "socket-ext",
        "_8jamupj9ubdv",
        {
            "address_family": _enum(
                "AF_UNSPEC",
                "AF_INET",
                "AF_IPX",
                "AF_APPLETALK",
                "AF_NETBIOS",
                "AF_INET6",
                "AF_IRDA",
                "AF_BTH",
            ),
            "is_blocking": _boolean,
            "is_listening": _boolean,
            "options": _dictionary,
            "socket_type": _enum(
                "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET"
            ),
            "socket_descriptor": _integer(0),
            "socket_handle": _integer(),
        },
        required=("address_family",),
        rules=(_socket_options,),
    ),
    "tcp-ext": _extension(
        "tcp-ext", "_k2njqio7f142", {"src_flags_hex": _hex, "dst_flags_hex": _hex}
    ),
}
_PROCESS_EXTENSIONS: Final[Mapping[str, _Definition]] = {
    "windows-process-ext": _extension(
        "windows-process-ext",
        "_oyegq07gjf5t",
        {
            "aslr_enabled": _boolean,
            "dep_enabled": _boolean,
            "priority": _string,
            "owner_sid": _string,
            "window_title": _string,
            "startup_info": _dictionary,
            "integrity_level": _enum("low", "medium", "high", "system"),
        },
    ),
    "windows-service-ext": _extension(
        "windows-service-ext",
        "_lbcvc2ahx1s0",
        {
            "service_name": _string,
            "descriptions": _strings,
            "display_name": _string,
            "group_name": _string,
            "start_type": _enum(
                "SERVICE_AUTO_START",
                "SERVICE_BOOT_START",
                "SERVICE_DEMAND_START",
                "SERVICE_DISABLED",
                "SERVICE_SYSTEM_ALERT",
            ),
            "service_dll_refs": _references("file"),
            "service_type": _enum(
                "SERVICE_KERNEL_DRIVER",
                "SERVICE_FILE_SYSTEM_DRIVER",
                "SERVICE_WIN32_OWN_PROCESS",
                "SERVICE_WIN32_SHARE_PROCESS",
            ),
            "service_status": _enum(
                "SERVICE_CONTINUE_PENDING",
                "SERVICE_PAUSE_PENDING",
                "SERVICE_PAUSED",
                "SERVICE_RUNNING",
                "SERVICE_START_PENDING",
                "SERVICE_STOP_PENDING",
                "SERVICE_STOPPED",
            ),
        },
    ),
}
_USER_ACCOUNT_EXTENSIONS: Final[Mapping[str, _Definition]] = {
    "unix-account-ext": _extension(
        "unix-account-ext",
        "_hodiamlggpw5",
        {"gid": _integer(), "groups": _strings, "home_dir": _string, "shell": _string},
    ),
}
_EMAIL_MIME_COMPONENT: Final = _Definition(
    "email-mime-component-type",
    "embedded",
    f"{SPEC}#_qpo5x7d8mefq",
    {
        "body": _string,
        "body_raw_ref": _reference("artifact", "file"),
        "content_type": _string,
        "content_disposition": _string,
    },
    rules=(_at_least_one("body", "body_raw_ref"),),
)
_WINDOWS_REGISTRY_VALUE: Final = _Definition(
    "windows-registry-value-type",
    "embedded",
    f"{SPEC}#_u7n4ndghs3qq",
    {
        "name": _string,
        "data": _string,
        "data_type": _enum(
            "REG_NONE",
            "REG_SZ",
            "REG_EXPAND_SZ",
            "REG_BINARY",
            "REG_DWORD",
            "REG_DWORD_BIG_ENDIAN",
            "REG_DWORD_LITTLE_ENDIAN",
            "REG_LINK",
            "REG_MULTI_SZ",
            "REG_RESOURCE_LIST",
            "REG_FULL_RESOURCE_DESCRIPTION",
            "REG_RESOURCE_REQUIREMENTS_LIST",
            "REG_QWORD",
            "REG_INVALID_TYPE",
        ),
    },
)
_X509_V3_EXTENSIONS: Final = _Definition(
    "x509-v3-extensions-type",
    "embedded",
    f"{SPEC}#_oudvonxzdlku",
    {
        **dict.fromkeys(
            (
                "basic_constraints",
                "name_constraints",
                "policy_constraints",
                "key_usage",
                "extended_key_usage",
                "subject_key_identifier",
                "authority_key_identifier",
                "subject_alternative_name",
                "issuer_alternative_name",
                "subject_directory_attributes",
                "crl_distribution_points",
                "inhibit_any_policy",
                "certificate_policies",
                "policy_mappings",
            ),
            _string,
        ),
        "private_key_usage_period_not_before": _timestamp,
        "private_key_usage_period_not_after": _timestamp,
    },
)


def _email_body(obj: dict[str, object]) -> Problem | None:
    """Section 6.6: body only for single-part, body_multipart only for multipart."""
    multipart = obj.get("is_multipart")
    if multipart is True and "body" in obj:
        return ("body", "must not be present when 'is_multipart' is true")
    if multipart is not True and "body_multipart" in obj:
        return ("body_multipart", "requires 'is_multipart' to be true")
    return None


def _traffic_activity(obj: dict[str, object]) -> Problem | None:
    """Section 6.12: an ended flow is not active (stix2: 'is_active' must be false)."""
    if "end" in obj and obj.get("is_active") is not False:
        return ("is_active", "must be false when 'end' is present")
    return None


_PROCESS_OWN_PROPERTIES: Final = (
    "is_hidden",
    "pid",
    "created_time",
    "cwd",
    "command_line",
    "environment_variables",
    "opened_connection_refs",
    "creator_user_ref",
    "image_ref",
    "parent_ref",
    "child_refs",
    "object_marking_refs",
    "granular_markings",
    "extensions",
)

_STIX_CYBER_OBSERVABLE_OBJECTS: Final = (
    _sco(
        "artifact",
        "_4jegwl6ojbes",
        {
            "mime_type": _string,
            "payload_bin": _binary,
            "url": _string,
            "hashes": _hashes,
            "encryption_algorithm": _enum(
                "AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated"
            ),
            "decryption_key": _string,
        },
        rules=(_exactly_one("payload_bin", "url"), _requires("url", "hashes")),
    ),
    _sco(
        "autonomous-system",
        "_27gux0aol9e3",
        {"number": _integer(), "name": _string, "rir": _string},
        required=("number",),
    ),
    _sco(
        "directory",
        "_lyvpga5hlw52",
        {
            "path": _string,
            "path_enc": _string,
            "ctime": _timestamp,
            "mtime": _timestamp,
            "atime": _timestamp,
            "contains_refs": _references("file", "directory"),
        },
        required=("path",),
    ),
    _sco(
        "domain-name",
        "_prhhksbxbg87",
        {
            "value": _string,
            "resolves_to_refs": _references("ipv4-addr", "ipv6-addr", "domain-name"),
        },
        required=("value",),
    ),
    _sco(
        "email-addr",
        "_wmenahkvqmgj",
        {"value": _string, "display_name": _string, "belongs_to_ref": _reference("user-account")},
        required=("value",),
    ),
    _sco(
        "email-message",
        "_grboc7sq5514",
        {
            "is_multipart": _boolean,
            "date": _timestamp,
            "content_type": _string,
            "from_ref": _reference("email-addr"),
            "sender_ref": _reference("email-addr"),
            "to_refs": _references("email-addr"),
            "cc_refs": _references("email-addr"),
            "bcc_refs": _references("email-addr"),
            "message_id": _string,
            "subject": _string,
            "received_lines": _strings,
            "additional_header_fields": _dictionary,
            "body": _string,
            "body_multipart": _list_of(_embedded(_EMAIL_MIME_COMPONENT)),
            "raw_email_ref": _reference("artifact"),
        },
        required=("is_multipart",),
        rules=(_email_body,),
    ),
    _sco(
        "file",
        "_99bl2dibcztv",
        {
            "hashes": _hashes,
            "size": _integer(0),
            "name": _string,
            "name_enc": _string,
            "magic_number_hex": _hex,
            "mime_type": _string,
            "ctime": _timestamp,
            "mtime": _timestamp,
            "atime": _timestamp,
            "parent_directory_ref": _reference("directory"),
            "contains_refs": _references("SCO"),
            "content_ref": _reference("artifact"),
        },
        rules=(_at_least_one("hashes", "name"),),
        extensions=_FILE_EXTENSIONS,
    ),
    _sco(
        "ipv4-addr",
        "_ki1ufj1ku8s0",
        {
            "value": _string,
            "resolves_to_refs": _references("mac-addr"),
            "belongs_to_refs": _references("autonomous-system"),
        },
        required=("value",),
    ),
    _sco(
        "ipv6-addr",
        "_oeggeryskriq",
        {
            "value": _string,
            "resolves_to_refs": _references("mac-addr"),
            "belongs_to_refs": _references("autonomous-system"),
        },
        required=("value",),
    ),
    _sco("mac-addr", "_f92nr9plf58y", {"value": _string}, required=("value",)),
    _sco("mutex", "_84hwlkdmev1w", {"name": _string}, required=("name",)),
    _sco(
        "network-traffic",
        "_rgnc3w40xy",
        {
            "start": _timestamp,
            "end": _timestamp,
            "is_active": _boolean,
            "src_ref": _reference("ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"),
            "dst_ref": _reference("ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"),
            "src_port": _integer(0, 65535),
            "dst_port": _integer(0, 65535),
            "protocols": _strings,
            "src_byte_count": _integer(0),
            "dst_byte_count": _integer(0),
            "src_packets": _integer(0),
            "dst_packets": _integer(0),
            "ipfix": _dictionary,
            "src_payload_ref": _reference("artifact"),
            "dst_payload_ref": _reference("artifact"),
            "encapsulates_refs": _references("network-traffic"),
            "encapsulated_by_ref": _reference("network-traffic"),
        },
        required=("protocols",),
        rules=(
            _at_least_one("src_ref", "dst_ref"),
            _traffic_activity,
            _not_before("start", "end"),
        ),
        extensions=_NETWORK_TRAFFIC_EXTENSIONS,
    ),
    _sco(
        "process",
        "_hpppnm86a1jm",
        {
            "is_hidden": _boolean,
            "pid": _integer(),
            "created_time": _timestamp,
            "cwd": _string,
            "command_line": _string,
            "environment_variables": _dictionary,
            "opened_connection_refs": _references("network-traffic"),
            "creator_user_ref": _reference("user-account"),
            "image_ref": _reference("file"),
            "parent_ref": _reference("process"),
            "child_refs": _references("process"),
        },
        rules=(_at_least_one(*_PROCESS_OWN_PROPERTIES),),
        extensions=_PROCESS_EXTENSIONS,
    ),
    _sco(
        "software",
        "_7rkyhtkdthok",
        {
            "name": _string,
            "cpe": _string,
            "swid": _string,
            "languages": _strings,
            "vendor": _string,
            "version": _string,
        },
        required=("name",),
    ),
    _sco("url", "_ah3hict2dez0", {"value": _string}, required=("value",)),
    _sco(
        "user-account",
        "_azo70vgj1vm2",
        {
            "user_id": _string,
            "credential": _string,
            "account_login": _string,
            "account_type": _string,
            "display_name": _string,
            "is_service_account": _boolean,
            "is_privileged": _boolean,
            "can_escalate_privs": _boolean,
            "is_disabled": _boolean,
            "account_created": _timestamp,
            "account_expires": _timestamp,
            "credential_last_changed": _timestamp,
            "account_first_login": _timestamp,
            "account_last_login": _timestamp,
        },
        extensions=_USER_ACCOUNT_EXTENSIONS,
    ),
    _sco(
        "windows-registry-key",
        "_luvw8wjlfo3y",
        {
            "key": _string,
            "values": _list_of(_embedded(_WINDOWS_REGISTRY_VALUE)),
            "modified_time": _timestamp,
            "creator_user_ref": _reference("user-account"),
            "number_of_subkeys": _integer(),
        },
    ),
    _sco(
        "x509-certificate",
        "_8abcy1o5x9w1",
        {
            "is_self_signed": _boolean,
            "hashes": _hashes,
            "version": _string,
            "serial_number": _string,
            "signature_algorithm": _string,
            "issuer": _string,
            "validity_not_before": _timestamp,
            "validity_not_after": _timestamp,
            "subject": _string,
            "subject_public_key_algorithm": _string,
            "subject_public_key_modulus": _string,
            "subject_public_key_exponent": _integer(),
            "x509_v3_extensions": _embedded(_X509_V3_EXTENSIONS),
        },
        rules=(
            _at_least_one(
                "is_self_signed",
                "hashes",
                "version",
                "serial_number",
                "signature_algorithm",
                "issuer",
                "validity_not_before",
                "validity_not_after",
                "subject",
                "subject_public_key_algorithm",
                "subject_public_key_modulus",
                "subject_public_key_exponent",
                "x509_v3_extensions",
            ),
        ),
    ),
)

# Meta objects (section 7) ----------------------------------------------------

# Section 7.2.1.4: the four TLP 1.0 marking definitions are fixed objects.
_TLP_IDS: Final = {
    "white": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "red": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}
_TLP_CREATED: Final = _instant("2017-01-20T00:00:00.000Z")


# Section 7.2.1.3/7.2.1.4: the two predefined kinds of marking definition.
_MARKING_KINDS: Final = {
    "statement": _Definition(
        "statement marking",
        "embedded",
        f"{SPEC}#_3ru8r05saera",
        {"statement": _string},
        required=("statement",),
    ),
    "tlp": _Definition(
        "TLP marking",
        "embedded",
        f"{SPEC}#_yd3ar14ekwrs",
        {"tlp": _enum(*_TLP_IDS)},
        required=("tlp",),
    ),
}


def _marking_content(obj: dict[str, object]) -> Problem | None:
    """definition_type + definition (tlp or statement), unless extensions carry it."""
    definition = obj.get("definition")
    if definition is None:
        if "extensions" in obj:
            return None
        return ("", "needs 'definition_type' and 'definition', or 'extensions'")
    assert type(definition) is dict  # checked by the 'definition' property check
    definition_type = obj.get("definition_type")
    if type(definition_type) is not str or definition_type not in _MARKING_KINDS:
        return ("definition_type", "must be 'tlp' or 'statement' when 'definition' is present")
    problem = _object_problem(_MARKING_KINDS[definition_type], definition)
    if problem is not None:
        return (f"definition.{problem[0]}" if problem[0] else "definition", problem[1])
    if definition_type == "tlp":
        color = definition["tlp"]
        assert type(color) is str
        created = obj.get("created")
        if obj.get("id") != _TLP_IDS[color] or (
            type(created) is str and _instant(created) != _TLP_CREATED
        ):
            return ("id", f"must be the predefined TLP:{color.upper()} marking definition")
    return None


_MARKING_DEFINITION: Final = _Definition(
    "marking-definition",
    "meta",
    f"{SPEC}#_k5fndj2c7c1k",
    {
        "type": _already_checked,
        "spec_version": _already_checked,
        "id": _already_checked,
        "created_by_ref": _reference("identity"),
        "created": _timestamp,
        "external_references": _SDO_COMMON["external_references"],
        "object_marking_refs": _SDO_COMMON["object_marking_refs"],
        "granular_markings": _SDO_COMMON["granular_markings"],
        "extensions": _extensions(_NO_EXTENSIONS),
        "name": _string,
        "definition_type": _string,
        "definition": _json_object,
    },
    required=("spec_version", "created"),
    rules=(_marking_content, _granular_selectors),
)
_LANGUAGE_CONTENT: Final = _sdo(
    "language-content",
    "_z9r1cwtu8jja",
    {
        "object_ref": _reference("SDO", "SCO", "SRO"),
        "object_modified": _timestamp,
        "contents": _dictionary,
    },
    required=("object_ref", "contents"),
    kind="meta",
    excluded=("lang",),
)
_EXTENSION_DEFINITION: Final = _sdo(
    "extension-definition",
    "_32j232tfvtly",
    {
        "name": _string,
        "description": _string,
        "schema": _string,
        "version": _string,
        "extension_types": _list_of(_extension_type),
        "extension_properties": _strings,
    },
    required=("created_by_ref", "name", "schema", "version", "extension_types"),
    kind="meta",
    excluded=("confidence", "lang", "extensions"),
)

_DEFINITIONS: Final[Mapping[str, _Definition]] = {
    definition.name: definition
    for definition in (
        *_STIX_DOMAIN_OBJECTS,
        *_STIX_RELATIONSHIP_OBJECTS,
        *_STIX_CYBER_OBSERVABLE_OBJECTS,
        _MARKING_DEFINITION,
        _LANGUAGE_CONTENT,
        _EXTENSION_DEFINITION,
    )
}

# Objects of a type defined by an extension-definition (section 7.3): the
# common properties of their kind, plus any property their schema defines.
_CUSTOM_DEFINITIONS: Final[Mapping[str, _Definition]] = {
    extension_type: dataclasses.replace(definition, open_properties=True)
    for extension_type, definition in (
        ("new-sdo", _sdo("custom SDO", "_32j232tfvtly", {})),
        ("new-sro", _sdo("custom SRO", "_32j232tfvtly", {}, kind="sro")),
        ("new-sco", _sco("custom SCO", "_32j232tfvtly", {})),
    )
}


def _custom_definition(obj: dict[str, object]) -> _Definition | None:
    """The definition for an object whose type an extension-definition introduces."""
    extensions = obj.get("extensions")
    if type(extensions) is not dict:
        return None
    for key, content in extensions.items():
        if type(key) is str and key.startswith("extension-definition--") and type(content) is dict:
            extension_type = content.get("extension_type")
            if type(extension_type) is str and extension_type in _CUSTOM_DEFINITIONS:
                return _CUSTOM_DEFINITIONS[extension_type]
    return None


# --------------------------------------------------------------------------
# Entry point


def _header_problem(definition: _Definition, obj: dict[str, object], kind: str) -> str | None:
    """Checks of type/id/spec_version, which the per-property loop skips."""
    identifier = obj.get("id", _ABSENT)
    prefix = kind + "--"
    if type(identifier) is not str or (
        definition.id_re.fullmatch(identifier) is None
        if definition.id_re is not None
        else not identifier.startswith(prefix)
        or _UUID_RE.fullmatch(identifier, len(prefix)) is None
    ):
        if identifier is _ABSENT:
            return "property 'id' is missing"
        return f"property 'id' is not '{_clip(prefix)}' followed by a UUID ({_show(identifier)})"
    version = obj.get("spec_version", _ABSENT)
    if version == "2.1" or (version is _ABSENT and definition.kind == "sco"):
        return None
    if version is _ABSENT:
        return "property 'spec_version' is missing (only STIX 2.1 is accepted)"
    return f"property 'spec_version' must be '2.1' ({_show(version)})"


def validate_object(obj: object) -> None:
    """Raise InvalidObject unless `obj` (parsed JSON) is a valid STIX 2.1 object."""
    if type(obj) is not dict:
        raise InvalidObject(f"a STIX object must be a JSON object, not {_show(obj)}")
    kind = obj.get("type")
    if type(kind) is not str:
        what = "is missing" if kind is None else f"is not a string ({_show(kind)})"
        raise InvalidObject(f"object: property 'type' {what}")
    definition = _DEFINITIONS.get(kind)
    if definition is None:
        if kind == "bundle":
            raise InvalidObject("bundle: a bundle is not a STIX object, its objects are")
        if not _is_type_name(kind):
            raise InvalidObject(f"object: property 'type' is not a valid type name ({_show(kind)})")
        definition = _custom_definition(obj)
        if definition is None:
            raise InvalidObject(
                f"object: type {_show(kind)} is not a STIX 2.1 type and no extension-definition "
                "with extension_type new-sdo, new-sco or new-sro defines it"
            )
    error = _header_problem(definition, obj, kind)
    if error is not None:
        raise InvalidObject(f"{_clip(kind)}: {error}")
    problem = _object_problem(definition, obj)
    if problem is not None:
        path, text = problem
        where = f"property '{path}'" if path else "object"
        raise InvalidObject(f"{_clip(obj['id'])}: {where} {text}")
