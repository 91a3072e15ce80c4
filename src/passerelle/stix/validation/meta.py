"""Meta objects (section 7): marking-definition, language-content, extension-definition."""

from __future__ import annotations

from typing import Final

from passerelle.stix.markings import TLP1_IDS
from passerelle.stix.validation.common import _NO_EXTENSIONS, _SDO_COMMON, _sdo
from passerelle.stix.validation.definitions import (
    SPEC,
    _Definition,
    _extension_type,
    _extensions,
    _object_problem,
)
from passerelle.stix.validation.references import _reference
from passerelle.stix.validation.rules import _granular_selectors
from passerelle.stix.validation.values import (
    Problem,
    _already_checked,
    _dictionary,
    _enum,
    _instant,
    _json_object,
    _list_of,
    _string,
    _strings,
    _timestamp,
)

# Section 7.2.1.4: the four TLP 1.0 marking definitions (TLP1_IDS) are fixed objects.
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
        {"tlp": _enum(*TLP1_IDS)},
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
        if obj.get("id") != TLP1_IDS[color] or (
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
