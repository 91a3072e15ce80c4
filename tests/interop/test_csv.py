"""CSV for blocking tools: what PAP allows to block, of what the viewer may export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from passerelle.interop.blocklist import COLUMNS, pattern_values
from passerelle.interop.misp import PAP_IDS
from passerelle.stix.markings import TLP2_IDS, Pap, Tlp
from tests.cli_runner import Run
from tests.stixgen import T0, bundle, indicator, stix_id
from tests.world import World

SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize(
    ("pattern", "values"),
    [
        ("[ipv4-addr:value = '192.0.2.1']", [("ipv4-addr", "192.0.2.1")]),
        ("[domain-name:value='a.example']", [("domain-name", "a.example")]),
        (
            "[network-traffic:dst_ref.type = 'ipv4-addr' AND "
            "network-traffic:dst_ref.value = '203.0.113.7']",
            [("ipv4-addr", "203.0.113.7")],
        ),
        (f"[file:hashes.'SHA-256' = '{SHA256}']", [("file:hashes.SHA-256", SHA256)]),
        (
            "[url:value IN ('https://a.example/(x)', 'https://b.example/x')]",
            [("url", "https://a.example/(x)"), ("url", "https://b.example/x")],
        ),
        (
            "[url:value IN ('https://a.example/', 'https://b.example/x')]",
            [("url", "https://a.example/"), ("url", "https://b.example/x")],
        ),
        ("[email-addr:value = 'o\\'brien@x.example']", [("email-addr", "o'brien@x.example")]),
        ("[ipv4-addr:value != '192.0.2.1']", []),
        ("[file:size > 1000]", []),
    ],
)
def test_pattern_values(pattern: str, values: list[tuple[str, str]]) -> None:
    assert list(pattern_values(pattern)) == values


def _marked(obj: dict[str, Any], tlp: Tlp, pap: Pap | None) -> dict[str, Any]:
    refs = [TLP2_IDS[tlp]] + ([PAP_IDS[pap]] if pap is not None else [])
    return {**obj, "object_marking_refs": refs}


def _csv(run: Run, channel: str, user: str) -> tuple[list[tuple[str, ...]], str]:
    result = run("export", "--csv", "--channel", channel, user=user)
    assert result.exit_code == 0, result.output
    rows = [tuple(r) for r in csv.reader(io.StringIO(result.stdout))]
    assert rows[0] == COLUMNS
    return rows[1:], result.stderr


def _import(run: Run, tmp_path: Path, objects: list[dict[str, Any]], channel: str) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle(*objects)))
    result = run("import", str(path), "--channel", channel, user="alice")
    assert result.exit_code == 0, result.output


def test_the_csv_holds_what_pap_allows_to_block(run: Run, world: World, tmp_path: Path) -> None:
    by_pap = {pap: _marked(indicator(i), Tlp.GREEN, pap) for i, pap in enumerate(Pap)}
    unmarked_pap = _marked(indicator(10), Tlp.AMBER, None)
    revoked = _marked(indicator(11), Tlp.GREEN, Pap.CLEAR) | {"revoked": True}
    expired = _marked(indicator(12), Tlp.GREEN, Pap.CLEAR) | {"valid_until": "2026-01-02T00:00:00Z"}
    observed = {
        "type": "observed-data", "spec_version": "2.1", "id": stix_id("observed-data"),
        "created": T0, "modified": T0, "first_observed": T0, "last_observed": T0,
        "number_observed": 1, "objects": {"0": {"type": "domain-name", "value": "c2.example"}},
    }  # fmt: skip
    sample = {
        "type": "file",
        "spec_version": "2.1",
        "id": stix_id("file"),
        "hashes": {"SHA-256": SHA256},
    }
    objects = [*by_pap.values(), unmarked_pap, revoked, expired, observed, sample]
    _import(run, tmp_path, objects, "fr-ru")
    rows, said = _csv(run, "fr-ru", "boris")
    assert sorted(rows) == sorted(
        [
            ("ipv4-addr", "10.0.0.0", by_pap[Pap.CLEAR]["id"], "TLP:GREEN", "PAP:CLEAR", ""),
            ("ipv4-addr", "10.0.0.1", by_pap[Pap.GREEN]["id"], "TLP:GREEN", "PAP:GREEN", ""),
            ("ipv4-addr", "10.0.0.10", unmarked_pap["id"], "TLP:AMBER", "", ""),
            ("domain-name", "c2.example", observed["id"], "TLP:AMBER", "", ""),
            ("file:hashes.SHA-256", SHA256, sample["id"], "TLP:AMBER", "", ""),
        ]
    )
    # Nothing left out silently: each reason, counted.
    assert "exported 5 values of 5 objects" in said
    assert "left out 1 objects: PAP:AMBER forbids blocking" in said
    assert "left out 1 objects: PAP:RED forbids blocking" in said
    assert "left out 1 objects: revoked" in said
    assert "left out 1 objects: past valid_until" in said


def test_the_csv_leaves_out_values_a_spreadsheet_would_run(
    run: Run, world: World, tmp_path: Path
) -> None:
    """CSV injection: a value starting a formula never reaches the CSV, and is counted."""
    formula = '=HYPERLINK("https://evil.example/")'
    trap = _marked(
        indicator(1, pattern=f"[url:value IN ('{formula}', 'https://fine.example/')]"),
        Tlp.GREEN,
        Pap.CLEAR,
    )
    dash = _marked(indicator(2, pattern="[email-addr:value = '-cmd@x.example']"), Tlp.GREEN, None)
    _import(run, tmp_path, [trap, dash], "fr-ru")
    rows, said = _csv(run, "fr-ru", "boris")
    assert rows == [("url", "https://fine.example/", trap["id"], "TLP:GREEN", "PAP:CLEAR", "")]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert "left out 2 values a spreadsheet would run as a formula" in said


def test_the_csv_follows_the_viewers_rights(run: Run, world: World, tmp_path: Path) -> None:
    """Another organisation's objects reach the CSV only as far as the rules let them."""
    strict = _marked(indicator(1), Tlp.AMBER_STRICT, None)
    green = _marked(indicator(2), Tlp.GREEN, None)
    _import(run, tmp_path, [strict, green], "community")
    # cert reads the channel: AMBER+STRICT reaches the organisations that read it.
    rows, _ = _csv(run, "community", "carla")
    assert {r[2] for r in rows} == {strict["id"], green["id"]}
    # fsb is no member of it: no CSV at all, as for any export.
    refused = run("export", "--csv", "--channel", "community", user="boris")
    assert refused.exit_code == 1
    assert "no channel" in refused.stderr
    assert strict["id"] not in refused.output


def test_the_csv_export_is_audited(run: Run, world: World, tmp_path: Path) -> None:
    _import(run, tmp_path, [_marked(indicator(1), Tlp.GREEN, Pap.GREEN)], "fr-ru")
    _csv(run, "fr-ru", "boris")
    from sqlalchemy import select

    from passerelle.store.schema import audit_log

    with world.database.read() as conn:
        actions = [row.action for row in conn.execute(select(audit_log))]
    assert actions.count("export") == 1
