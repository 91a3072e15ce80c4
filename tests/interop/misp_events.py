"""MISP events written for these tests, in the JSON MISP exports (``{"Event": {...}}``)."""

from __future__ import annotations

import uuid
from typing import Any

STAMP = "1795000000"  # 2026-11-18T11:06:40Z


def tags(*names: str) -> list[dict[str, str]]:
    """Return MISP tags with these names."""
    return [{"name": name} for name in names]


def attribute(
    kind: str, category: str, value: str, *tag_names: str, **extra: Any
) -> dict[str, Any]:
    """Return a MISP attribute (with its own tags, if any)."""
    found: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "type": kind,
        "category": category,
        "value": value,
        "to_ids": kind in ("ip-dst", "domain", "url", "sha256"),
        "timestamp": STAMP,
        **extra,
    }
    if tag_names:
        found["Tag"] = tags(*tag_names)
    return found


def file_object(sha256: str, filename: str) -> dict[str, Any]:
    """Return a MISP 'file' object with a hash and a file name."""
    return {
        "uuid": str(uuid.uuid4()),
        "name": "file",
        "meta-category": "file",
        "template_uuid": "688c46fb-5edb-40a3-8273-1af7923e2215",
        "template_version": "22",
        "timestamp": STAMP,
        "Attribute": [
            attribute("sha256", "Payload delivery", sha256, object_relation="sha256"),
            attribute("filename", "Payload delivery", filename, object_relation="filename"),
        ],
    }


def misp_event(
    *event_tags: str,
    attributes: list[dict[str, Any]] | None = None,
    objects: list[dict[str, Any]] | None = None,
    distribution: str = "3",
    info: str = "Phishing wave against partner ministries",
) -> dict[str, Any]:
    """Return a MISP event of a fictitious CERT, tagged with ``event_tags``."""
    org = {"name": "CERT-Example", "uuid": "5f0c2d6e-9a41-4b7e-8c3d-2e1f0a9b8c7d"}
    return {
        "Event": {
            "uuid": str(uuid.uuid4()),
            "info": info,
            "date": "2026-11-18",
            "timestamp": STAMP,
            "publish_timestamp": STAMP,
            "published": True,
            "threat_level_id": "2",
            "analysis": "1",
            "distribution": distribution,
            "Orgc": org,
            "Org": org,
            "Tag": tags(*event_tags),
            "Attribute": attributes if attributes is not None else [],
            "Object": objects if objects is not None else [],
        }
    }


def sample_event() -> dict[str, Any]:
    """Return the sample event: TLP:AMBER, PAP:GREEN, one TLP:GREEN domain, a free text
    (which STIX has no type for: MISP's x-misp-attribute), a file object."""
    return misp_event(
        "tlp:amber",
        "PAP:GREEN",
        attributes=[
            attribute("ip-dst", "Network activity", "203.0.113.7", comment="C2 server"),
            attribute("domain", "Network activity", "lure.example", "tlp:green"),
            attribute("text", "Other", "Sent from a look-alike ministry address"),
        ],
        objects=[
            file_object(
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "note.exe"
            )
        ],
    )


def custom_event() -> dict[str, Any]:
    """Return an event of what STIX has no type for: a free text, a MISP object of a
    template misp-stix does not map, a galaxy cluster of a galaxy of our own."""
    thing = {
        "uuid": str(uuid.uuid4()),
        "name": "passerelle-sample",
        "meta-category": "misc",
        "template_uuid": str(uuid.uuid4()),
        "template_version": "1",
        "timestamp": STAMP,
        "Attribute": [attribute("text", "Other", "a field", object_relation="field")],
    }
    event = misp_event(
        "tlp:green",
        attributes=[attribute("text", "Other", "Handler writes in two scripts")],
        objects=[thing],
    )
    cluster = {
        "uuid": str(uuid.uuid4()),
        "type": "passerelle-sample",
        "value": "Cluster A",
        "tag_name": 'misp-galaxy:passerelle-sample="Cluster A"',
        "description": "A cluster of a galaxy made for the tests",
        "meta": {},
    }
    event["Event"]["Galaxy"] = [
        {
            "uuid": str(uuid.uuid4()),
            "name": "Sample galaxy",
            "type": "passerelle-sample",
            "description": "A galaxy made for the tests",
            "namespace": "misp",
            "GalaxyCluster": [cluster],
        }
    ]
    return event
