"""``import --misp``, ``export --misp`` and ``export --csv`` with ``--url``: the node does the
conversion under the rules of the command line on the database, so both paths give the
same result to the same person; refusals are one line and exports are audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from passerelle.audit import log as audit
from passerelle.cli import cli
from tests.cli_runner import Run
from tests.interop.misp_events import attribute, misp_event, sample_event
from tests.world import World


def remote(url: str, token: str, *args: str) -> Result:
    env = {"PASSERELLE_TOKEN": token, "PASSERELLE_USER": "", "PASSERELLE_DB": "unused://"}
    return CliRunner().invoke(cli, [*args, "--url", url], env=env)


def written(tmp_path: Path, document: object) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(document))
    return str(path)


def attributes(event: dict[str, Any]) -> dict[str, list[str]]:
    found = list(event.get("Attribute", []))
    for misp_object in event.get("Object", []):
        found += misp_object["Attribute"]
    return {a["value"]: sorted(t["name"] for t in a.get("Tag", [])) for a in found}


def test_a_misp_event_imported_over_url_is_exported_alike_on_both_paths(
    world: World, live_url: str, run: Run, tmp_path: Path
) -> None:
    path = written(tmp_path, sample_event())
    imported = remote(
        live_url, world.tokens["alice"], "import", "--misp", path, "--channel", "fr-ru"
    )
    assert imported.exit_code == 0, imported.output
    assert "0 rejected into 'fr-ru'" in imported.stdout
    assert "note: converted 1 MISP event(s)" in imported.stderr
    over_rest = remote(live_url, world.tokens["boris"], "export", "--misp", "--channel", "fr-ru")
    assert over_rest.exit_code == 0, over_rest.output
    local = run("export", "--misp", "--channel", "fr-ru", user="boris")
    assert local.exit_code == 0, local.output
    rest_event = json.loads(over_rest.stdout)["Event"]
    local_event = json.loads(local.stdout)["Event"]
    assert attributes(rest_event) == attributes(local_event)
    assert "203.0.113.7" in attributes(rest_event)
    assert rest_event["distribution"] == local_event["distribution"] == "0"
    assert "as one MISP event" in over_rest.stderr
    csv_rest = remote(live_url, world.tokens["boris"], "export", "--csv", "--channel", "fr-ru")
    csv_local = run("export", "--csv", "--channel", "fr-ru", user="boris")
    assert csv_rest.exit_code == csv_local.exit_code == 0, csv_rest.output
    assert csv_rest.stdout == csv_local.stdout
    assert "203.0.113.7" in csv_rest.stdout
    assert csv_rest.stderr.splitlines()[0] == csv_local.stderr.splitlines()[0]
    with world.database.read() as conn:
        formats = [
            e.detail["format"]
            for e in audit.entries(conn, username="boris")
            if e.action == "export"
        ]
    assert sorted(formats) == ["csv", "csv", "misp", "misp"]


def test_over_url_a_file_for_its_organisation_only_stays_in_its_organisation(
    world: World, live_url: str, tmp_path: Path
) -> None:
    own_only = misp_event(
        "tlp:green",
        attributes=[attribute("ip-dst", "Network activity", "192.0.2.55")],
        distribution="0",
    )
    path = written(tmp_path, own_only)
    refused = remote(
        live_url, world.tokens["alice"], "import", "--misp", path, "--channel", "fr-ru"
    )
    assert refused.exit_code == 1
    assert len(refused.output.strip().splitlines()) == 1, refused.output
    assert "MISP distribution 0" in refused.output
    stored = remote(
        live_url, world.tokens["oscar"], "import", "--misp", path, "--channel", "private"
    )
    assert stored.exit_code == 0, stored.output
    exported = remote(live_url, world.tokens["oscar"], "export", "--csv", "--channel", "private")
    assert "192.0.2.55" in exported.stdout
    nothing = remote(live_url, world.tokens["alice"], "export", "--csv", "--channel", "fr-ru")
    assert "192.0.2.55" not in nothing.stdout


def test_over_url_tools_exports_refuse_what_the_database_path_refuses(
    world: World, live_url: str, tmp_path: Path
) -> None:
    outsider = remote(live_url, world.tokens["oscar"], "export", "--misp", "--channel", "fr-ru")
    assert outsider.exit_code == 1
    assert len(outsider.output.strip().splitlines()) == 1, outsider.output
    empty = remote(live_url, world.tokens["boris"], "export", "--misp", "--channel", "fr-ru")
    assert empty.exit_code == 1
    assert "no MISP event to make" in empty.output
    both = remote(
        live_url, world.tokens["boris"], "export", "--misp", "--csv", "--channel", "fr-ru"
    )
    assert both.exit_code == 1
    assert "--misp and --csv go alone" in both.output
    reader = remote(
        live_url,
        world.tokens["carla"],
        "import",
        "--misp",
        written(tmp_path, sample_event()),
        "--channel",
        "community",
    )
    assert reader.exit_code == 1
    assert "Traceback" not in reader.output
