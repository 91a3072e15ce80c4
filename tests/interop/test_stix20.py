"""STIX 2.0 bundles upgraded to 2.1 on import (CLI) and on TAXII add, then stored under
the same rules as any object."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from passerelle.policy.ownership import owners_of
from passerelle.stix.markings import TLP1_IDS, TLP2_IDS, Tlp
from passerelle.stix.upgrade import is_stix20, upgrade_document, upgrade_objects
from passerelle.stix.validation import validate_object
from tests.cli_runner import Run
from tests.interop.misp_events import STAMP, sample_event
from tests.stixgen import T0, indicator, stix_id
from tests.taxii_client import Taxii
from tests.world import World

TLP1_CREATED = "2017-01-20T00:00:00.000Z"  # the fixed date of the TLP 1.0 definitions


def _stix20_bundle() -> dict[str, Any]:
    """A STIX 2.0 bundle as 2.0 tools write it: spec_version on the bundle alone, labels
    where 2.1 has *_types, no pattern_type, TLP 1.0 markings and their definitions."""
    author = stix_id("identity")
    indicator_id, malware_id = stix_id("indicator"), stix_id("malware")
    common = {"created": T0, "modified": T0, "created_by_ref": author}
    return {
        "type": "bundle",
        "id": stix_id("bundle"),
        "spec_version": "2.0",
        "objects": [
            {"type": "identity", "id": author, "created": T0, "modified": T0,
             "name": "Old CERT", "identity_class": "organization"},
            {"type": "marking-definition", "id": TLP1_IDS["green"], "created": TLP1_CREATED,
             "definition_type": "tlp", "definition": {"tlp": "green"}},
            {"type": "indicator", "id": indicator_id, **common, "labels": ["malicious-activity"],
             "pattern": "[ipv4-addr:value = '198.51.100.9']", "valid_from": T0,
             "object_marking_refs": [TLP1_IDS["green"]]},
            {"type": "malware", "id": malware_id, **common, "labels": ["trojan"], "name": "OldRAT"},
            {"type": "relationship", "id": stix_id("relationship"), **common,
             "relationship_type": "indicates", "source_ref": indicator_id,
             "target_ref": malware_id},
            {"type": "observed-data", "id": stix_id("observed-data"), **common,
             "first_observed": T0, "last_observed": T0, "number_observed": 1,
             "objects": {"0": {"type": "domain-name", "value": "old.example"}}},
        ],
    }  # fmt: skip


def test_every_object_of_a_20_bundle_becomes_valid_21() -> None:
    document = _stix20_bundle()
    assert is_stix20(document)
    upgrade = upgrade_objects(document["objects"])
    for obj in upgrade.objects:
        validate_object(obj)  # raises with the reason if not
        assert obj["spec_version"] == "2.1"
    by_type = {o["type"]: o for o in upgrade.objects}
    assert by_type["indicator"]["indicator_types"] == ["malicious-activity"]
    assert by_type["indicator"]["labels"] == ["malicious-activity"]  # still a 2.1 property
    assert by_type["indicator"]["pattern_type"] == "stix"
    assert by_type["malware"]["malware_types"] == ["trojan"]
    assert by_type["malware"]["is_family"] is True
    # ids, authors, markings and identity_class are the same in both versions.
    for before, after in zip(document["objects"], upgrade.objects, strict=True):
        assert {k: after[k] for k in before} == before
    assert upgrade.summary().startswith("upgraded 6 STIX 2.0 objects to 2.1 (")


def test_only_what_says_20_is_upgraded() -> None:
    current = indicator(1)
    sco = {"type": "ipv4-addr", "id": stix_id("ipv4-addr"), "value": "192.0.2.1"}
    assert upgrade_document({"type": "bundle", "objects": [current, sco]}, [current, sco]) is None
    old = {k: v for k, v in indicator(2).items() if k != "pattern_type"} | {"spec_version": "2.0"}
    upgrade = upgrade_document(None, [current, old])
    assert upgrade is not None
    assert upgrade.objects[0] is current
    assert upgrade.objects[1]["spec_version"] == "2.1"
    assert upgrade.objects[1]["pattern_type"] == "stix"
    # An SDO without spec_version in a bundle that does not say 2.0 is left to validation.
    broken = {k: v for k, v in indicator(3).items() if k != "spec_version"}
    assert upgrade_document({"type": "bundle"}, [broken]) is None


def test_a_20_bundle_is_stored_under_the_importers_rules(
    run: Run, world: World, tmp_path: Path
) -> None:
    document = _stix20_bundle()
    path = tmp_path / "stix20.json"
    path.write_text(json.dumps(document))
    imported = run("import", str(path), "--channel", "fr-ru", user="alice")
    assert imported.exit_code == 0, imported.output
    assert "6 accepted, 0 rejected" in imported.stdout
    assert "note: upgraded 6 STIX 2.0 objects to 2.1" in imported.stderr
    ids = [o["id"] for o in document["objects"]]
    with world.database.read() as conn:
        owners = owners_of(conn, ids)
    dgsi = world.viewer("alice").org_id
    # Produced by the importer's organisation, whatever created_by_ref says.
    assert {owners[i] for i in ids if not i.startswith("marking-definition--")} == {dgsi}
    exported = json.loads(run("export", "--channel", "fr-ru", user="boris").stdout)["objects"]
    served = {o["id"]: o for o in exported}
    assert all(o["spec_version"] == "2.1" for o in exported)
    indicator_id = document["objects"][2]["id"]
    # Its TLP 1.0 GREEN marking is its handling (no channel default added to it) ...
    assert served[indicator_id]["object_marking_refs"] == [TLP1_IDS["green"]]
    # ... while the unmarked objects take the channel's default, TLP:AMBER.
    defaulted = {o["type"] for o in exported if TLP2_IDS[Tlp.AMBER] in o["object_marking_refs"]}
    assert defaulted == {
        "identity",
        "malware",
        "relationship",
        "observed-data",
        "marking-definition",
    }


def test_taxii_add_upgrades_objects_that_say_20(world: World, as_user: Any) -> None:
    old = {k: v for k, v in indicator(7).items() if k != "pattern_type"} | {"spec_version": "2.0"}
    taxii: Taxii = as_user("alice")
    posted = taxii.post_objects(world.collection("fr-ru"), [old])
    assert posted.status_code == 202
    assert posted.json()["success_count"] == 1, posted.json()
    served = taxii.all_objects(world.collection("fr-ru"))
    assert [(o["id"], o["spec_version"]) for o in served] == [(old["id"], "2.1")]


def test_misps_own_stix20_export_imports_whole(run: Run, world: World, tmp_path: Path) -> None:
    """MISP's STIX 2.0 export (misp-stix's MISPtoSTIX20Parser): upgraded, and its x-misp-*
    objects (attributes, event reports) kept."""
    from passerelle.interop import converter

    event = sample_event()
    event["Event"]["EventReport"] = [
        {"uuid": str(uuid.uuid4()), "name": "Summary", "content": "Text", "timestamp": STAMP}
    ]
    with converter._quietly([]):  # the library's own import and log noise
        parser = converter._loaded().MISPtoSTIX20Parser()
        parser.parse_json_content(event)
        document = json.loads(parser.bundle.serialize())
    assert document["spec_version"] == "2.0"
    assert {"x-misp-attribute", "x-misp-event-report"} <= {o["type"] for o in document["objects"]}
    path = tmp_path / "misp-stix20.json"
    path.write_text(json.dumps(document))
    imported = run("import", str(path), "--channel", "fr-ru", user="alice")
    assert imported.exit_code == 0, imported.output
    assert f"{len(document['objects'])} accepted, 0 rejected" in imported.stdout
    assert "MISP custom objects (x-misp-*)" in imported.stderr
