"""The `_Definition` of a STIX type, checking an object against it, and ``extensions``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from passerelle.stix.validation.references import _any_reference
from passerelle.stix.validation.values import (
    _EXTENSION_DEFINITION_ID_RE,
    _PROPERTY_NAME_RE,
    _UUID,
    Check,
    Problem,
    Rule,
    _clip,
    _dictionary,
    _enum,
    _is_type_name,
    _list_of,
    _show,
)

SPEC: Final = "https://docs.oasis-open.org/cti/stix/v2.1/os/stix-v2.1-os.html"

Kind = Literal["sdo", "sro", "sco", "meta", "embedded"]


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
