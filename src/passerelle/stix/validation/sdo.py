"""STIX Domain Objects (section 4) and STIX Relationship Objects (section 5)."""

from __future__ import annotations

from typing import Final

from passerelle.stix.pattern import InvalidPattern, check_pattern
from passerelle.stix.validation.common import _kill_chain_phases, _sdo
from passerelle.stix.validation.references import _reference, _references
from passerelle.stix.validation.rules import _at_least_one, _exactly_one, _not_before
from passerelle.stix.validation.values import (
    Problem,
    _boolean,
    _clip,
    _dictionary,
    _enum,
    _integer,
    _number,
    _string,
    _strings,
    _timestamp,
)

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
