"""What leaves the node carries its handling: an object as served to a reader (TAXII,
exports) holds the TLP it is handled under and names the organisation that produced it.

An object posted without a TLP marking is handled under its channel's default; it is
served with that TLP marking among its ``object_marking_refs``. An object (not an SCO,
which STIX gives no author) without ``created_by_ref`` is served with one pointing to the
identity the node publishes for its producing organisation
(:mod:`passerelle.stix.organisations`; ``GET /api/identities``). Everything else is served
exactly as stored, and a body that needs nothing is not parsed.
"""

from __future__ import annotations

from typing import Any

import orjson

from passerelle.stix.markings import TLP2_IDS, TLP_MARKINGS, Tlp

_AUTHOR = '"created_by_ref":'
_MARKINGS = '"object_marking_refs":'


def served_body(body: str, tlp: int, tlp_defaulted: bool, producer_identity: str) -> str:
    """Return a stored body as a reader is served it (see the module's docstring)."""
    may_want_author = '"created":' in body and _AUTHOR not in body
    if not tlp_defaulted and not may_want_author:
        return body
    if may_want_author or _MARKINGS in body:
        return _reparsed(body, tlp, tlp_defaulted, producer_identity)
    marking = orjson.dumps([TLP2_IDS[Tlp(tlp)]]).decode()
    return "{" + _MARKINGS + marking + ("," + body[1:] if body != "{}" else "}")


def _reparsed(body: str, tlp: int, tlp_defaulted: bool, producer_identity: str) -> str:
    """Parse and render: a property joins a list, or the object's kind must be read."""
    obj: dict[str, Any] = orjson.loads(body)
    if tlp_defaulted:
        refs = obj.setdefault("object_marking_refs", [])
        if not any(ref in TLP_MARKINGS for ref in refs):
            refs.append(TLP2_IDS[Tlp(tlp)])
    # Objects with a 'created' timestamp have an author; cyber-observables have none.
    if "created" in obj and "created_by_ref" not in obj:
        obj["created_by_ref"] = producer_identity
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode()


def same_as_stored(candidate: str, stored: str, producer_identity: str) -> bool:
    """Tell whether a posted body is the stored one, as stored or as the node serves it
    (a reader sharing onward what they were served posts the served form back)."""
    if candidate == stored:
        return True
    if _AUTHOR not in candidate and _MARKINGS not in candidate:
        return False
    obj: dict[str, Any] = orjson.loads(candidate)
    kept: dict[str, Any] = orjson.loads(stored)
    if "created_by_ref" not in kept and obj.get("created_by_ref") == producer_identity:
        del obj["created_by_ref"]
    if not any(ref in TLP_MARKINGS for ref in kept.get("object_marking_refs", ())):
        refs = [r for r in obj.get("object_marking_refs", ()) if r not in TLP_MARKINGS]
        if refs or "object_marking_refs" in kept:
            obj["object_marking_refs"] = refs
        else:
            obj.pop("object_marking_refs", None)
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode() == stored
