"""MISP events in and out, through misp-stix, with their handling carried both ways.

Import: each event becomes STIX 2.1 with misp-stix, then every object gets the handling
its MISP item had (:mod:`.misp_handling`): misp-stix marks only the objects it makes from a
tagged attribute, never the observables they point to, and writes TLP 1.0 markings; here
each object made from an attribute or MISP object (misp-stix keeps its UUID in the STIX
id) gets that item's TLP and PAP as TLP 2.0 and PAP markings, and the rest of the event
(its report, the producer's identity, relationships) the event's own. MISP's custom
``x-misp-*`` objects are kept, declared (:mod:`passerelle.stix.misp_objects`). What goes
in then takes the normal ingest path, every rule applied.

Export: the bundle the viewer may export, as one MISP event (misp-stix's STIX 2.1 to
MISP parsers), its distribution from the handling of the whole and each attribute tagged
with its own TLP and PAP.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

from passerelle.errors import BadInput
from passerelle.interop import converter
from passerelle.interop.misp_handling import (
    ALL_COMMUNITIES,
    INHERIT,
    ORGANISATION_ONLY,
    distribution_of,
    export_distribution,
    handling_of_tags,
    pap_tag,
    tag_names,
    tlp_tag,
    with_distribution,
)
from passerelle.stix.markings import (
    HANDLING_EXTENSION_ID,
    PAP_MARKINGS,
    TLP2_IDS,
    TLP_MARKINGS,
    Handling,
    HandlingCode,
    Pap,
    most_restrictive,
    read_handling,
)
from passerelle.stix.misp_objects import MISP_OBJECTS_EXTENSION_ID, declare_misp_objects

# One marking definition per PAP level: the first listed (PAP:CLEAR's, not PAP:WHITE's).
PAP_IDS: Final[dict[Pap, str]] = {pap: i for i, pap in reversed(PAP_MARKINGS.items())}


@dataclass
class MispImport:
    """STIX objects made from MISP events, and what the conversion said or left out."""

    objects: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    events: int = 0
    # Some event, object or attribute is for its organisation only (distribution 0).
    organisation_only: bool = False
    # The MISP attributes and objects of which no STIX object was made ("type uuid").
    unconverted: list[str] = field(default_factory=list)


def read_events(raw: bytes, name: str) -> list[dict[str, Any]]:
    """Return the MISP events of a JSON file: one event, a list, or MISP's REST answer."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadInput(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno})") from exc
    if isinstance(document, dict) and isinstance(document.get("response"), list):
        document = document["response"]
    items = document if isinstance(document, list) else [document]
    events = [
        item["Event"] if isinstance(item, dict) and "Event" in item else item for item in items
    ]
    if not events or not all(_is_event(e) for e in events):
        raise BadInput(f"{name} holds no MISP event: expected {{'Event': {{...}}}} or a list")
    return events


def _is_event(item: object) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("uuid"), str)
        and isinstance(item.get("info"), str)
    )


def events_to_stix(events: Iterable[dict[str, Any]]) -> MispImport:
    """Convert MISP events to STIX 2.1 objects carrying the events' handling."""
    result = MispImport()
    for event in events:
        result.events += 1
        handlings, event_handling, organisation_only = _item_handlings(event)
        result.organisation_only |= organisation_only
        converted = converter.misp_event_to_stix21({"Event": event}, result.notes)
        made = {str(obj.get("id", "")).partition("--")[2] for obj in converted}
        result.unconverted += [
            f"{item.get('type') or item.get('name')} {item.get('uuid')}"
            for item in [*_dicts(event.get("Attribute")), *_dicts(event.get("Object"))]
            if str(item.get("uuid", "")) not in made
        ]
        for obj in converted:
            if _is_tlp_definition(obj):
                continue  # replaced by the TLP 2.0 marking the object now carries
            uuid = str(obj.get("id", "")).partition("--")[2]
            handling = handlings.get(uuid, event_handling)
            if uuid == event.get("uuid"):  # the report: never less strict than its event
                handling = most_restrictive(event_handling, handling)
            result.objects.append(_marked(obj, handling))
    result.objects, _ = declare_misp_objects(result.objects)
    return result


def _item_handlings(event: dict[str, Any]) -> tuple[dict[str, Handling], Handling, bool]:
    """Return the handling of each attribute and MISP object of an event, by UUID."""
    distribution = distribution_of(event, ALL_COMMUNITIES)
    levels = [distribution]
    event_handling = with_distribution(handling_of_tags(tag_names(event), Handling()), distribution)
    handlings: dict[str, Handling] = {}

    def attribute(item: dict[str, Any], inherited: Handling, inherited_level: int) -> Handling:
        level = distribution_of(item, inherited_level)
        levels.append(level)
        handling = with_distribution(handling_of_tags(tag_names(item), inherited), level)
        uuid = str(item.get("uuid", ""))
        # Two items of one UUID (a mistake, or a trick) make one object: the stricter holds.
        handlings[uuid] = (
            most_restrictive(handlings[uuid], handling) if uuid in handlings else handling
        )
        return handling

    for item in _dicts(event.get("Attribute")):
        attribute(item, event_handling, distribution)
    for misp_object in _dicts(event.get("Object")):
        level = distribution_of(misp_object, distribution)
        levels.append(level)
        own = with_distribution(handling_of_tags(tag_names(misp_object), event_handling), level)
        parts = [attribute(a, own, level) for a in _dicts(misp_object.get("Attribute"))]
        # misp-stix makes one STIX object of a MISP object: the strictest part applies.
        uuid = str(misp_object.get("uuid", ""))
        handlings[uuid] = most_restrictive(
            own, *parts, *([handlings[uuid]] if uuid in handlings else [])
        )
    return handlings, event_handling, ORGANISATION_ONLY in levels


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _is_tlp_definition(obj: dict[str, Any]) -> bool:
    return obj.get("type") == "marking-definition" and (
        obj.get("id") in TLP_MARKINGS or obj.get("definition_type") == "tlp"
    )


def _marked(obj: dict[str, Any], handling: Handling) -> dict[str, Any]:
    """Return the object with exactly the TLP and PAP markings (and H2) of its handling."""
    if obj.get("type") == "marking-definition":
        return obj
    refs = [
        ref
        for ref in obj.get("object_marking_refs", [])
        if ref not in TLP_MARKINGS and ref not in PAP_MARKINGS
    ]
    if handling.tlp is not None:
        refs.append(TLP2_IDS[handling.tlp])
    if handling.pap is not None:
        refs.append(PAP_IDS[handling.pap])
    marked = {**obj, "object_marking_refs": refs} if refs else dict(obj)
    if not refs:
        marked.pop("object_marking_refs", None)
    if HandlingCode.H2 in handling.codes:
        extensions = dict(marked.get("extensions", {}))
        extension = dict(extensions.get(HANDLING_EXTENSION_ID, {}))
        codes = set(extension.get("handling_codes", [])) | {"H2"}
        extension.update(extension_type="property-extension", handling_codes=sorted(codes))
        extensions[HANDLING_EXTENSION_ID] = extension
        marked["extensions"] = extensions
    return marked


@dataclass
class MispExport:
    """One MISP event made of exported objects, and what misp-stix could not carry."""

    event: dict[str, Any]
    notes: list[str]


def stix_to_event(bodies: Iterable[str], whole: Handling, title: str) -> MispExport:
    """Convert served STIX bodies to one MISP event, distribution and tags from handling."""
    notes: list[str] = []
    parsed = [orjson.loads(body) for body in bodies]
    exported = {str(obj.get("id")) for obj in parsed}
    handlings = {str(o.get("id", "")).partition("--")[2]: read_handling(o) for o in parsed}
    objects = [_for_misp_stix(obj, exported) for obj in parsed]
    missing = sum(len(obj.get("object_refs", [])) for obj in parsed) - sum(
        len(obj.get("object_refs", [])) for obj in objects
    )
    if missing:
        notes.append(f"{missing} references to objects not exported (TLP:RED) left out")
    distribution = export_distribution(whole)
    event = converter.stix21_to_misp_event(objects, title, distribution, notes)
    event["distribution"] = str(distribution)
    _retag(event, whole, replace=True)
    for attribute in _dicts(event.get("Attribute")):
        _retag_attribute(attribute, handlings.get(str(attribute.get("uuid", ""))))
    for misp_object in _dicts(event.get("Object")):
        own = handlings.get(str(misp_object.get("uuid", "")))
        for attribute in _dicts(misp_object.get("Attribute")):
            _retag_attribute(attribute, handlings.get(str(attribute.get("uuid", ""))) or own)
    return MispExport({"Event": event}, notes)


def _retag_attribute(attribute: dict[str, Any], handling: Handling | None) -> None:
    attribute["distribution"] = str(INHERIT)
    if handling is not None:
        _retag(attribute, handling, replace=False)


def _for_misp_stix(obj: dict[str, Any], exported: set[str]) -> dict[str, Any]:
    """Return an object as misp-stix should read it.

    Without the declaration the node added to MISP's custom objects, without PAP markings
    (misp-stix knows no PAP definition: PAP becomes tags here) and without references to
    objects the export leaves out.
    """
    obj = dict(obj)
    extensions = obj.pop("extensions", None)
    if isinstance(extensions, dict):
        rest = {k: v for k, v in extensions.items() if k != MISP_OBJECTS_EXTENSION_ID}
        if rest:
            obj["extensions"] = rest
    if "object_marking_refs" in obj:
        refs = [r for r in obj["object_marking_refs"] if r not in PAP_MARKINGS]
        obj["object_marking_refs"] = refs
        if not refs:
            del obj["object_marking_refs"]
    if isinstance(obj.get("object_refs"), list):
        obj["object_refs"] = [ref for ref in obj["object_refs"] if ref in exported]
    return obj


def _retag(item: dict[str, Any], handling: Handling, replace: bool) -> None:
    """Tag a MISP item with the TLP and PAP of a handling (replacing its TLP/PAP tags)."""
    tags = _dicts(item.get("Tag"))
    names = {str(t.get("name", "")).lower() for t in tags}
    wanted = []
    if handling.tlp is not None:
        wanted.append(tlp_tag(handling.tlp))
    if handling.pap is not None:
        wanted.append(pap_tag(handling.pap))
    if replace:
        tags = [t for t in tags if not str(t.get("name", "")).lower().startswith(("tlp:", "pap:"))]
        names = {str(t.get("name", "")).lower() for t in tags}
    tags += [{"name": name} for name in wanted if name.lower() not in names]
    if tags:
        item["Tag"] = tags
