"""The elements of a draft bundle: what kind each is, its one-line summary, the entity
intake proposed for it; and the checks a draft bundle must pass."""

from __future__ import annotations

import uuid
from typing import Any, Final

from passerelle.errors import BadInput
from passerelle.intake.review.models import Kind
from passerelle.stix.validation import InvalidObject, validate_object

#: The most objects a draft may hold.
MAX_OBJECTS: Final = 2000
#: The longest summary of an element, in characters.
MAX_SUMMARY: Final = 160
#: The STIX types of an entity element.
ENTITY_TYPES: Final = frozenset(
    ("identity", "intrusion-set", "threat-actor", "location", "infrastructure")
)


#: The type of a date element: no STIX object, a date intake read in the text, which is
#: published (once accepted or corrected) in the report's ``x_passerelle_dates``.
DATE_TYPE: Final = "x-passerelle-date"
#: The properties of a date as the report holds it.
DATE_PROPERTIES: Final = ("start", "end", "text", "value", "granularity")
_DATE_IDS: Final = uuid.UUID("5d1f3a8e-6a0b-4c57-9a64-0e6f2b1c7d42")


def date_elements(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the dates a draft report holds as elements to review, each with an id made
    from the report's and its place (the same every time it is read)."""
    return _entries(report, "x_passerelle_dates", DATE_TYPE, DATE_PROPERTIES, _DATE_IDS)


def _entries(
    report: dict[str, Any],
    field: str,
    kind: str,
    properties: tuple[str, ...],
    namespace: uuid.UUID,
) -> list[dict[str, Any]]:
    """Return the entries of a report's list ``field`` as elements of type ``kind``, each
    with an id made from the report's and its place (the same every time it is read)."""
    found = []
    for place, entry in enumerate(report.get(field) or []):
        if not isinstance(entry, dict):
            continue
        key = uuid.uuid5(namespace, f"{report.get('id')}/{place}")
        element = {k: entry[k] for k in properties if k in entry}
        found.append({"type": kind, "id": f"{kind}--{key}", **element})
    return found


#: The type of a fact element that is no relationship (one side is no entity of the draft,
#: or the fact is negated): an entry of the report's ``x_passerelle_facts``, published
#: there (once accepted or corrected) like a date.
FACT_TYPE: Final = "x-passerelle-fact"
#: The properties of a fact entry as the report holds it (``actor_ref`` and ``target_ref``
#: name an entity element of the draft when that side is one).
FACT_PROPERTIES: Final = (
    "code",
    "label",
    "verb",
    "actor_text",
    "target_text",
    "object_text",
    "actor_ref",
    "target_ref",
    "sentence",
    "start",
    "end",
    "sentence_start",
    "sentence_end",
    "negated",
    "passive",
    "actor_inferred",
    "planned",
)
_FACT_IDS: Final = uuid.UUID("8b0f6c2e-3d4a-4e71-b1a9-5c2d7e9f0a13")


def fact_elements(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the facts a draft report holds in ``x_passerelle_facts`` as elements to
    review, each with an id made from the report's and its place (as a date's)."""
    return _entries(report, "x_passerelle_facts", FACT_TYPE, FACT_PROPERTIES, _FACT_IDS)


def entry_of(element: dict[str, Any]) -> dict[str, Any]:
    """Return a fact element as the published report holds it."""
    return {k: element[k] for k in FACT_PROPERTIES if k in element}


def report_elements(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the elements a draft report holds in its own properties: dates, then facts."""
    return [*date_elements(report), *fact_elements(report)]


def date_of(element: dict[str, Any]) -> dict[str, Any]:
    """Return a date element as the published report holds it."""
    return {k: element[k] for k in DATE_PROPERTIES if k in element}


def kind_of(obj: dict[str, Any]) -> Kind:
    """Return the kind of element an object of a draft is."""
    kind = obj.get("type")
    if kind == "report":
        return "report"
    if kind == DATE_TYPE:
        return "date"
    if kind in ENTITY_TYPES:
        return "entity"
    if kind == "note":
        return "quotation"
    return "fact"


def _short(text: str, limit: int = MAX_SUMMARY) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def summary_of(obj: dict[str, Any], names: dict[str, str]) -> str:
    """Return an element's summary in one line (``names``: the name of each object id)."""
    kind = kind_of(obj)
    if kind == "report":
        return _short(str(obj.get("name", "")))
    if kind == "entity":
        label = obj.get("x_passerelle_label") or obj.get("type")
        return _short(f"{label} {obj.get('name', '')}")
    if kind == "date":
        return _short(f"{obj.get('text', '')} = {obj.get('value', '')}")
    if obj.get("type") == FACT_TYPE:
        actor = obj.get("actor_text") or "(someone)"
        target = obj.get("target_text") or obj.get("object_text") or ""
        negated = "not " if obj.get("negated") else ""
        return _short(f"{actor} {negated}{obj.get('verb') or obj.get('label', '')} {target}")
    if kind == "quotation":
        speaker = obj.get("x_passerelle_speaker") or "(speaker unknown)"
        return _short(f"{speaker}: {obj.get('content', '')}")
    if obj.get("type") == "relationship":
        source = names.get(str(obj.get("source_ref")), str(obj.get("source_ref")))
        target = names.get(str(obj.get("target_ref")), str(obj.get("target_ref")))
        return _short(f"{source} {obj.get('relationship_type', '')} {target}")
    text = obj.get("name") or obj.get("description") or obj.get("content") or obj.get("id")
    return _short(f"{obj.get('type')} {text}")


def draft_objects(bundle: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return (the report, the other objects) of a draft bundle, checked."""
    if bundle.get("type") != "bundle" or not isinstance(bundle.get("objects"), list):
        raise BadInput("the draft must be a STIX bundle, as `passerelle intake` prints it")
    found = bundle["objects"]
    if len(found) > MAX_OBJECTS:
        raise BadInput(f"the draft holds {len(found)} objects; at most {MAX_OBJECTS}")
    reports = [o for o in found if isinstance(o, dict) and o.get("type") == "report"]
    if len(reports) != 1 or not reports[0].get("x_passerelle_draft"):
        raise BadInput("the bundle is not an intake draft: it needs one draft report")
    seen: set[str] = set()
    for obj in found:
        try:
            validate_object(obj)
        except InvalidObject as exc:
            raise BadInput(f"the draft holds an invalid object: {exc.reason}") from exc
        if obj["id"] in seen:
            raise BadInput(f"the draft holds {obj['id']} twice")
        seen.add(obj["id"])
    report = reports[0]
    return report, [o for o in found if o is not report]


def proposed_entity(obj: dict[str, Any]) -> str | None:
    """Return the entity intake linked an entity element to, if any."""
    value = obj.get("x_passerelle_entity_id")
    if kind_of(obj) == "entity" and isinstance(value, str) and value.startswith("entity--"):
        return value[:64]
    return None
