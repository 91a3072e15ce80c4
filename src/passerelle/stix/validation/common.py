"""Embedded types, common property sets (sections 3.2, 6.1) and definition builders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from passerelle.stix.validation.definitions import SPEC, Kind, _Definition, _embedded, _extensions
from passerelle.stix.validation.references import _reference, _references
from passerelle.stix.validation.rules import _at_least_one, _granular_selectors, _not_before
from passerelle.stix.validation.values import (
    Check,
    Problem,
    Rule,
    _already_checked,
    _boolean,
    _hashes,
    _integer,
    _language,
    _list_of,
    _string,
    _strings,
    _timestamp,
)

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
