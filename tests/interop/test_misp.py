"""MISP events in and out through misp-stix, with TLP, PAP and distribution both ways."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import Result

from passerelle.interop.converter import misp_event_to_stix21
from passerelle.stix.markings import (
    HANDLING_EXTENSION_ID,
    PAP_MARKINGS,
    TLP_MARKINGS,
    Pap,
    Tlp,
)
from passerelle.stix.misp_objects import MISP_OBJECTS_EXTENSION_ID
from tests.cli_runner import Run
from tests.interop.misp_events import attribute, custom_event, misp_event, sample_event
from tests.stixgen import bundle
from tests.taxii_client import Taxii
from tests.world import World

SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _write(tmp_path: Path, document: object, name: str = "event.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def _exported(run: Run, user: str, channel: str = "fr-ru") -> dict[str, dict[str, Any]]:
    result = run("export", "--channel", channel, user=user)
    assert result.exit_code == 0, result.output
    return {o["id"]: o for o in json.loads(result.stdout)["objects"]}


def _tlp(obj: dict[str, Any]) -> Tlp:
    (tlp,) = [TLP_MARKINGS[r] for r in obj.get("object_marking_refs", []) if r in TLP_MARKINGS]
    return tlp


def _pap(obj: dict[str, Any]) -> Pap | None:
    paps = [PAP_MARKINGS[r] for r in obj.get("object_marking_refs", []) if r in PAP_MARKINGS]
    return paps[0] if paps else None


def _misp_export(run: Run, user: str, channel: str = "fr-ru") -> dict[str, Any]:
    result = run("export", "--misp", "--channel", channel, user=user)
    assert result.exit_code == 0, result.output
    event: dict[str, Any] = json.loads(result.stdout)["Event"]
    return event


def _attributes(event: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = list(event.get("Attribute", []))
    for misp_object in event.get("Object", []):
        found += misp_object["Attribute"]
    return {a["value"]: a for a in found}


def _tags(item: dict[str, Any]) -> set[str]:
    return {t["name"] for t in item.get("Tag", [])}


def _one_line_error(result: Result, *expected: str) -> None:
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    for text in expected:
        assert text in lines[0], lines[0]


def test_a_misp_event_goes_round_trip_keeping_tlp_and_pap(
    run: Run, world: World, tmp_path: Path
) -> None:
    event = sample_event()
    ip, domain, text = event["Event"]["Attribute"]
    file_uuid = event["Event"]["Object"][0]["uuid"]
    imported = run(
        "import", "--misp", str(_write(tmp_path, event)), "--channel", "fr-ru", user="alice"
    )
    assert imported.exit_code == 0, imported.output
    assert "0 rejected" in imported.stdout
    assert "note: converted 1 MISP event(s)" in imported.stderr
    # The partner reads STIX 2.1 with TLP 2.0 and PAP markings, observables included.
    served = _exported(run, "boris")
    address = served[f"ipv4-addr--{ip['uuid']}"]
    assert (_tlp(address), _pap(address)) == (Tlp.AMBER, Pap.GREEN)
    assert _tlp(served[f"indicator--{ip['uuid']}"]) is Tlp.AMBER
    assert _tlp(served[f"domain-name--{domain['uuid']}"]) is Tlp.GREEN  # its own tag
    assert _tlp(served[f"file--{file_uuid}"]) is Tlp.AMBER
    custom = served[f"x-misp-attribute--{text['uuid']}"]
    assert custom["x_misp_value"] == text["value"]
    assert custom["extensions"][MISP_OBJECTS_EXTENSION_ID] == {"extension_type": "new-sdo"}
    report = served[f"report--{event['Event']['uuid']}"]
    assert _tlp(report) is Tlp.AMBER
    # And back to MISP, each attribute tagged as it came.
    back = _misp_export(run, "boris")
    attributes = _attributes(back)
    assert {"tlp:amber", "PAP:GREEN"} <= _tags(attributes["203.0.113.7"])
    assert "tlp:green" in _tags(attributes["lure.example"])
    assert "tlp:amber" not in _tags(attributes["lure.example"])
    assert attributes[text["value"]]["type"] == "text"
    assert "tlp:amber" in _tags(attributes[SHA256])
    assert {"tlp:amber", "PAP:GREEN"} <= _tags(back)
    # TLP:AMBER reaches the recipient organisation only: MISP's "your organisation only".
    assert back["distribution"] == "0"


def test_red_attributes_need_recipients_and_never_leave_in_bulk(
    run: Run, world: World, tmp_path: Path
) -> None:
    event = misp_event(
        "tlp:green",
        attributes=[
            attribute("ip-dst", "Network activity", "198.51.100.1"),
            attribute("domain", "Network activity", "secret.example", "tlp:red"),
        ],
    )
    path = _write(tmp_path, event)
    unnamed = run("import", "--misp", str(path), "--channel", "fr-ru", user="alice")
    assert unnamed.exit_code == 1
    assert "must name its recipients" in unnamed.stderr
    assert "objects rejected" in unnamed.stderr.strip().splitlines()[-1]
    named = run(
        "import", "--misp", str(path), "--channel", "fr-ru", "--recipient", "alice", user="alice"
    )
    assert named.exit_code == 0, named.output
    red = event["Event"]["Attribute"][1]["uuid"]
    assert f"domain-name--{red}" not in _exported(run, "boris")
    assert f"domain-name--{red}" not in _exported(run, "alice")  # never exported in bulk
    for user in ("alice", "boris"):
        result = run("export", "--misp", "--channel", "fr-ru", user=user)
        assert "secret.example" not in result.stdout
        assert "198.51.100.1" in result.stdout


def test_distribution_zero_stays_in_a_channel_of_its_organisation(
    run: Run, world: World, tmp_path: Path
) -> None:
    own_only = misp_event(
        "tlp:green",
        attributes=[attribute("ip-dst", "Network activity", "192.0.2.55")],
        distribution="0",
    )
    path = _write(tmp_path, own_only)
    refused = run("import", "--misp", str(path), "--channel", "fr-ru", user="alice")
    _one_line_error(refused, "MISP distribution 0", "'fr-ru'")
    assert _exported(run, "alice") == {}
    stored = run("import", "--misp", str(path), "--channel", "private", user="oscar")
    assert stored.exit_code == 0, stored.output
    assert "192.0.2.55" in run("export", "--csv", "--channel", "private", user="oscar").stdout


def test_an_attribute_for_its_organisation_only_is_enough_to_refuse(
    run: Run, world: World, tmp_path: Path
) -> None:
    event = misp_event(
        "tlp:green",
        attributes=[attribute("ip-dst", "Network activity", "192.0.2.56", distribution="0")],
    )
    refused = run(
        "import", "--misp", str(_write(tmp_path, event)), "--channel", "fr-ru", user="alice"
    )
    _one_line_error(refused, "MISP distribution 0")


def test_community_distribution_forbids_onward_sharing(
    run: Run, world: World, tmp_path: Path
) -> None:
    event = misp_event(
        "tlp:clear",
        attributes=[attribute("ip-dst", "Network activity", "192.0.2.77")],
        distribution="1",
    )
    imported = run(
        "import", "--misp", str(_write(tmp_path, event)), "--channel", "fr-ru", user="alice"
    )
    assert imported.exit_code == 0, imported.output
    served = _exported(run, "boris")
    assert served
    for obj in served.values():
        assert obj["extensions"][HANDLING_EXTENSION_ID]["handling_codes"] == ["H2"], obj["id"]
    # H2 keeps it within the channel: MISP's "your organisation only" on the way out.
    assert _misp_export(run, "boris")["distribution"] == "0"


def test_clear_and_green_content_leaves_for_wider_distribution(
    run: Run, world: World, tmp_path: Path
) -> None:
    clear = misp_event(
        "tlp:clear", attributes=[attribute("ip-dst", "Network activity", "192.0.2.8")]
    )
    run("import", "--misp", str(_write(tmp_path, clear)), "--channel", "community", user="alice")
    assert _misp_export(run, "carla", "community")["distribution"] == "3"
    green = misp_event(
        "tlp:green", attributes=[attribute("url", "Network activity", "https://x.example/")]
    )
    run("import", "--misp", str(_write(tmp_path, green)), "--channel", "community", user="alice")
    assert _misp_export(run, "carla", "community")["distribution"] == "1"


def test_misp_stix_export_objects_are_kept_on_a_plain_import_and_over_taxii(
    run: Run, world: World, tmp_path: Path, as_user: Any
) -> None:
    """A bundle of MISP's own STIX export: its x-misp-* objects are stored, not refused."""
    notes: list[str] = []
    objects = misp_event_to_stix21(sample_event(), notes)
    kinds = {o["type"] for o in objects}
    assert "x-misp-attribute" in kinds
    path = _write(tmp_path, bundle(*objects), "misp-stix.json")
    imported = run("import", str(path), "--channel", "fr-ru", user="alice")
    assert imported.exit_code == 0, imported.output
    assert "MISP custom objects (x-misp-*)" in imported.stderr
    custom = [o for o in objects if o["type"] == "x-misp-attribute"]
    taxii: Taxii = as_user("boris")
    posted = taxii.post_objects(world.collection("fr-ru"), custom)
    assert posted.status_code == 202
    assert posted.json()["failure_count"] == 0, posted.json()


def test_every_kind_of_x_misp_object_is_kept_and_goes_back_to_misp(
    run: Run, world: World, tmp_path: Path
) -> None:
    event = custom_event()
    path = _write(tmp_path, event)
    imported = run("import", "--misp", str(path), "--channel", "fr-ru", user="alice")
    assert imported.exit_code == 0, imported.output
    assert "note: misp-stix: MISP Object name passerelle-sample not mapped." in imported.stderr
    served = _exported(run, "boris")
    kinds = {o["type"] for o in served.values()}
    assert {"x-misp-attribute", "x-misp-object", "x-misp-galaxy-cluster"} <= kinds
    for obj in served.values():
        if obj["type"].startswith("x-misp-"):
            assert MISP_OBJECTS_EXTENSION_ID in obj["extensions"], obj["id"]
            assert _tlp(obj) is Tlp.GREEN, obj["id"]
    back = _misp_export(run, "boris")
    assert [o["name"] for o in back.get("Object", [])] == ["passerelle-sample"]
    assert "Handler writes in two scripts" in _attributes(back)
    clusters = [c["value"] for g in back.get("Galaxy", []) for c in g["GalaxyCluster"]]
    assert clusters == ["Cluster A"]
    assert back["distribution"] == "1"  # TLP:GREEN: this community only


def test_bad_misp_files_are_one_line_errors(run: Run, world: World, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"Event": ')
    _one_line_error(
        run("import", "--misp", str(broken), "--channel", "fr-ru", user="alice"),
        "is not valid JSON",
    )
    not_event = _write(tmp_path, {"type": "bundle", "objects": []}, "bundle.json")
    _one_line_error(
        run("import", "--misp", str(not_event), "--channel", "fr-ru", user="alice"),
        "holds no MISP event",
    )
    garbled = misp_event(attributes=[{"uuid": "x", "type": "ip-dst"}])
    result = run(
        "import", "--misp", str(_write(tmp_path, garbled)), "--channel", "fr-ru", user="alice"
    )
    # Nothing silently dropped: what misp-stix could not convert is named, and counted.
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "not converted by misp-stix: ip-dst x" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: 1 MISP attributes or objects could not be converted"), last


def test_export_for_tools_refuses_what_makes_no_sense(run: Run, world: World) -> None:
    _one_line_error(
        run("export", "--misp", "--csv", "--channel", "fr-ru", user="alice"), "go alone"
    )
    _one_line_error(
        run("export", "--csv", "--for-court", "--channel", "fr-ru", user="alice"), "go alone"
    )
    _one_line_error(
        run("export", "--misp", "--channel", "fr-ru", user="alice"), "no MISP event to make"
    )
    _one_line_error(run("export", "--misp", "--channel", "fr-ru", user="oscar"), "no channel")


def test_an_item_reusing_a_uuid_never_loosens_the_handling(
    run: Run, world: World, tmp_path: Path
) -> None:
    """A CLEAR attribute with the UUID of a RED one, or of the event, loosens nothing."""
    event = misp_event("tlp:amber+strict")
    red = attribute("domain", "Network activity", "hidden.example", "tlp:red")
    twin = attribute("domain", "Network activity", "hidden.example", "tlp:clear")
    twin["uuid"] = red["uuid"]
    report_twin = attribute("ip-dst", "Network activity", "192.0.2.200", "tlp:clear")
    report_twin["uuid"] = event["Event"]["uuid"]
    event["Event"]["Attribute"] = [red, twin, report_twin]
    path = _write(tmp_path, event)
    result = run(
        "import", "--misp", str(path), "--channel", "fr-ru", "--recipient", "alice", user="alice"
    )
    assert result.exit_code == 0, result.output
    assert f"domain-name--{red['uuid']}" not in _exported(run, "boris")
    report = _exported(run, "alice")[f"report--{event['Event']['uuid']}"]
    assert _tlp(report) is Tlp.AMBER_STRICT
