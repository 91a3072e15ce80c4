"""Valid STIX 2.1 objects made on demand for tests."""

from __future__ import annotations

import uuid
from typing import Any

from passerelle.stix.validation import InvalidObject, validate_object

T0 = "2026-01-01T00:00:00.000Z"


def stix_id(kind: str) -> str:
    """Return a fresh identifier of a type."""
    return f"{kind}--{uuid.uuid4()}"


def indicator(
    n: int = 0, modified: str = T0, ident: str | None = None, **extra: Any
) -> dict[str, Any]:
    """Return an indicator for the IPv4 address number n."""
    obj = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": ident or stix_id("indicator"),
        "created": T0,
        "modified": modified,
        "name": f"Bad address {n}",
        "pattern": f"[ipv4-addr:value = '10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}']",
        "pattern_type": "stix",
        "valid_from": T0,
    }
    obj.update(extra)
    return obj


def identity(name: str, **extra: Any) -> dict[str, Any]:
    """Return an identity of an individual."""
    obj = {
        "type": "identity",
        "spec_version": "2.1",
        "id": stix_id("identity"),
        "created": T0,
        "modified": T0,
        "name": name,
        "identity_class": "individual",
    }
    obj.update(extra)
    return obj


def bundle(*objects: dict[str, Any]) -> dict[str, Any]:
    """Wrap objects in a STIX bundle."""
    return {"type": "bundle", "id": stix_id("bundle"), "objects": list(objects)}


def refusal(obj: object) -> str | None:
    """Return the validator's reason for refusing an object, or None when it accepts it."""
    try:
        validate_object(obj)
    except InvalidObject as exc:
        return exc.reason
    return None
