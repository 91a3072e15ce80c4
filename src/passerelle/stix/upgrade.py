"""STIX 2.0 objects made STIX 2.1, property by property, saying what changed.

The ``stix2`` library reads both versions but converts neither into the other, and the
OASIS elevator starts from STIX 1.x; the differences between 2.0 and 2.1 that matter to a
store are few (STIX 2.1 section 1.6, "Changes from STIX 2.0"), so they are made here:

- ``spec_version: "2.1"`` on every object (2.0 put it on the bundle only);
- the required ``labels`` of 2.0 indicators, malware, reports, threat actors and tools
  become their 2.1 ``*_types`` (``labels`` is kept: it is still a 2.1 property);
- an indicator gets ``pattern_type: "stix"`` and ``pattern_version: "2.0"``;
- a malware gets ``is_family: true`` (2.0 had no way to tell; a family is what 2.0
  malware objects described in practice);
- ids, timestamps, ``created_by_ref``, markings (the four TLP 1.0 definitions keep their
  ids, which the node maps to TLP 2.0), ``identity_class`` and observed-data's embedded
  ``objects`` (deprecated in 2.1, still valid) are the same in both versions and stay.

Nothing is dropped: an object that is still not valid STIX 2.1 after this is refused by
validation with its reason, like any other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

# 2.0's required labels and the 2.1 property that took their role.
_TYPES_PROPERTY: Final = {
    "indicator": "indicator_types",
    "malware": "malware_types",
    "report": "report_types",
    "threat-actor": "threat_actor_types",
    "tool": "tool_types",
}


@dataclass
class Upgrade:
    """The objects of a STIX 2.0 document as STIX 2.1, and a count of each change made."""

    objects: list[Any]
    changes: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """Say in one line what the upgrade changed."""
        done = ", ".join(f"{what} on {count}" for what, count in sorted(self.changes.items()))
        return f"upgraded {len(self.objects)} STIX 2.0 objects to 2.1" + (
            f" ({done})" if done else ""
        )


def is_stix20(document: object) -> bool:
    """Tell whether a parsed JSON document is a STIX 2.0 bundle (``spec_version: "2.0"``)."""
    return isinstance(document, dict) and document.get("spec_version") == "2.0"


def upgrade_objects(objects: Iterable[Any]) -> Upgrade:
    """Return STIX 2.1 versions of STIX 2.0 objects (non-objects are passed on as they are)."""
    upgrade = Upgrade([])
    for obj in objects:
        upgrade.objects.append(_upgrade(obj, upgrade.changes) if isinstance(obj, dict) else obj)
    return upgrade


def _upgrade(obj: dict[str, Any], changes: Counter[str]) -> dict[str, Any]:
    upgraded = dict(obj)
    kind = upgraded.get("type")
    if upgraded.get("spec_version") in (None, "2.0"):
        upgraded["spec_version"] = "2.1"
    types_property = _TYPES_PROPERTY.get(kind) if isinstance(kind, str) else None
    labels = upgraded.get("labels")
    if types_property and types_property not in upgraded and isinstance(labels, list) and labels:
        upgraded[types_property] = list(labels)
        changes[f"labels copied to {types_property}"] += 1
    if kind == "indicator" and "pattern_type" not in upgraded:
        upgraded["pattern_type"] = "stix"
        upgraded.setdefault("pattern_version", "2.0")
        changes["pattern_type stix set"] += 1
    if kind == "malware" and "is_family" not in upgraded:
        upgraded["is_family"] = True
        changes["is_family set"] += 1
    return upgraded


def upgrade_document(document: object, objects: list[Any]) -> Upgrade | None:
    """Upgrade the objects of a STIX 2.0 bundle, or those that say ``spec_version: "2.0"``.

    Return None when nothing was STIX 2.0: objects without ``spec_version`` in a bundle
    that does not say 2.0 are left to validation (an SCO may omit it, an SDO may not).
    """
    if is_stix20(document):
        return upgrade_objects(objects)
    if not any(isinstance(o, dict) and o.get("spec_version") == "2.0" for o in objects):
        return None
    upgrade = Upgrade([])
    for obj in objects:
        is_20 = isinstance(obj, dict) and obj.get("spec_version") == "2.0"
        upgrade.objects.append(_upgrade(obj, upgrade.changes) if is_20 else obj)
    return upgrade
