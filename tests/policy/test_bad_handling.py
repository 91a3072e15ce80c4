"""An object whose handling cannot be honoured (an unknown handling code, a source grading
in no scheme, a TLP:RED object naming nobody, a handling extension that is not an object)
is refused in one line on every way in: TAXII, REST, the command line and the operator's
web page; never a 500 or a traceback."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from passerelle.errors import BadInput
from passerelle.stix.extension import HANDLING_EXTENSION_ID
from passerelle.stix.markings import InvalidHandling, Tlp, read_handling
from tests.access_world import marked_indicator
from tests.cli_runner import Run
from tests.stixgen import indicator
from tests.taxii_client import Taxii
from tests.world import World


def _extended(n: int, extension: Any) -> dict[str, Any]:
    return indicator(n, extensions={HANDLING_EXTENSION_ID: extension})


def _bad_objects() -> list[dict[str, Any]]:
    ext = {"extension_type": "property-extension"}
    return [
        _extended(1, {**ext, "handling_codes": ["H9"]}),
        _extended(2, {**ext, "source_grading": {"scheme": "tarot", "reliability": "A"}}),
        _extended(3, "not an object"),
        _extended(4, {**ext, "handling_codes": ["H3"]}),
        marked_indicator(5, Tlp.RED),
    ]


BAD = _bad_objects()


def test_a_handling_error_is_bad_input() -> None:
    for obj in BAD:
        with pytest.raises(BadInput) as raised:
            read_handling(obj)
        assert isinstance(raised.value, InvalidHandling)
        assert "\n" not in raised.value.message
    with pytest.raises(BadInput, match="unknown TLP level 'purple'"):
        Tlp.parse("purple")


def test_taxii_refuses_each_bad_object_and_keeps_the_good(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    answer = as_user("alice").post_objects(world.collection("fr-ru"), [*BAD, indicator(9)])
    assert answer.status_code == 202
    status = answer.json()
    assert (status["success_count"], status["failure_count"]) == (1, len(BAD))
    assert all(f["message"] and "\n" not in f["message"] for f in status["failures"])


def test_rest_import_lists_each_bad_object(api: TestClient, world: World) -> None:
    body = {"channel": "fr-ru", "objects": [*BAD, indicator(9)]}
    headers = {"Authorization": f"Bearer {world.tokens['alice']}"}
    answer = api.post("/api/import", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 1
    assert len(answer.json()["rejected"]) == len(BAD)


def test_the_command_line_refuses_bad_handling_in_one_line(
    run: Run, world: World, tmp_path: Path
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": BAD}))
    result = run("import", str(path), "--channel", "fr-ru", user="alice")
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert f"{len(BAD)} of {len(BAD)} objects rejected" in result.output
    assert "unknown handling code 'H9'" in result.output
