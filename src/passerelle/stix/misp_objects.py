"""MISP's own custom objects (``x-misp-attribute``, ``x-misp-object``...) made acceptable.

MISP's STIX export (the ``misp-stix`` converter) writes what STIX has no type for (a
free-text attribute, a MISP object without a STIX mapping, a galaxy cluster, an event
note) as legacy custom objects: an ``x-misp-`` type and ``x_misp_`` properties, without
the extension-definition STIX 2.1 asks of a new type (section 7.3), so validation refuses
them. Each is kept whole, declared as the custom SDO it is under Passerelle's extension
for MISP objects (:data:`MISP_OBJECTS_EXTENSION_ID`, ``extension_type: "new-sdo"``): its
handling, references and every property are then checked and stored like any object's,
and it goes back to MISP as it came (misp-stix reads it by its type and properties).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

MISP_OBJECTS_EXTENSION_ID: Final = "extension-definition--a88632b0-4add-4166-9727-a4151157f9d7"
MISP_PREFIX: Final = "x-misp-"


def is_misp_object(obj: object) -> bool:
    """Tell whether a parsed object is one of MISP's legacy custom objects."""
    return isinstance(obj, dict) and str(obj.get("type", "")).startswith(MISP_PREFIX)


def declare_misp_objects(objects: Iterable[Any]) -> tuple[list[Any], int]:
    """Return the objects with each ``x-misp-*`` one declared a custom SDO; and how many."""
    declared: list[Any] = []
    count = 0
    for obj in objects:
        if is_misp_object(obj) and not _declared(obj):
            extensions = obj.get("extensions")
            extensions = dict(extensions) if isinstance(extensions, dict) else {}
            extensions[MISP_OBJECTS_EXTENSION_ID] = {"extension_type": "new-sdo"}
            obj = {**obj, "extensions": extensions}
            obj.setdefault("spec_version", "2.1")
            count += 1
        declared.append(obj)
    return declared, count


def _declared(obj: dict[str, Any]) -> bool:
    extensions = obj.get("extensions")
    return isinstance(extensions, dict) and MISP_OBJECTS_EXTENSION_ID in extensions
