"""Load once, read many (issue 15, item 8): the French model is loaded once per process,
whether one or many articles are read, by the command line or by the node.

No time is asserted: spaCy's loader is counted (it hands back the pipeline this session
already loaded, so the test loads nothing itself)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import passerelle.cli.intake  # noqa: F401  (attaches the command to the root group)
from passerelle.cli import cli
from passerelle.intake.mentions import fr
from passerelle.intake.pipeline import draft_of
from tests.intake import DGSI_CELL, FSB_ARRESTS
from tests.world import SHIPPED_ALIASES as ALIASES
from tests.world import World

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The models spaCy is asked to load from now on, the French pipeline's cache empty."""
    import spacy

    loaded = fr.pipeline()
    asked: list[str] = []

    def counting_load(name: str, **_options: Any) -> Any:
        asked.append(name)
        return loaded

    monkeypatch.setattr(spacy, "load", counting_load)
    fr.pipeline.cache_clear()
    yield asked
    fr.pipeline()  # the cache holds the session's pipeline again: nothing reloads it


def test_entities_and_facts_share_one_french_model(loads: list[str]) -> None:
    first = draft_of(FSB_ARRESTS, ALIASES, lang="fr")
    second = draft_of(DGSI_CELL, ALIASES, lang="fr")
    assert first.facts  # the fact reader lemmatised with the shared pipeline's lemmatizer
    assert second.mentions
    assert loads == [fr.MODEL]


def test_the_command_line_reads_many_files_in_one_process(loads: list[str], tmp_path: Path) -> None:
    paths = []
    for name, text in (("a.txt", FSB_ARRESTS), ("b.txt", DGSI_CELL)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    missing = str(tmp_path / "missing.txt")
    result = CliRunner().invoke(cli, ["intake", paths[0], missing, paths[1], "--lang", "fr"])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == paths
    assert all(line["bundle"]["type"] == "bundle" for line in lines)
    assert f"{missing}: no such file" in result.stderr
    assert "1 of 3 files could not be read" in result.stderr
    assert loads == [fr.MODEL]


def test_the_node_keeps_the_model_for_every_article(
    loads: list[str], api: TestClient, world: World
) -> None:
    headers = {"Authorization": f"Bearer {world.tokens['alice']}"}
    for text in (FSB_ARRESTS, DGSI_CELL):
        made = api.post(
            "/api/intake/drafts",
            json={"channel": "fr-ru", "text": text, "lang": "fr"},
            headers=headers,
        )
        assert made.status_code == 201, made.text
        assert len(made.json()["elements"]) > 1
    assert loads == [fr.MODEL]
