"""``passerelle intake``: files and stdin, both formats, one-line errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import passerelle.cli.intake  # noqa: F401  (attaches the command to the root group)
from passerelle.cli import cli
from passerelle.intake import INSTALL_HINT
from tests.intake import ENGLISH, FSB_ARRESTS, HTML_PAGE


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["intake", *args], input=stdin)
    return result.exit_code, result.output


def test_stix_bundle_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_text(FSB_ARRESTS, encoding="utf-8")
    code, output = run(str(path), "--published", "2025-03-11")
    assert code == 0, output
    bundle = json.loads(output)
    assert bundle["type"] == "bundle"
    assert bundle["objects"][0]["published"] == "2025-03-11T00:00:00.000Z"


def test_summary_from_stdin() -> None:
    code, output = run("-", "--format", "summary", stdin=HTML_PAGE)
    assert code == 0, output
    assert "Title: Moscou : le Kremlin dément toute implication" in output
    assert "Dmitri Peskov" in output


def test_english_summary_lists_entities() -> None:
    code, output = run("-", "--lang", "en", "--format", "summary", stdin=ENGLISH)
    assert code == 0, output
    assert "not built" not in output
    assert "Dmitry Peskov" in output
    assert "Federal Security Service" in output


def test_channel_needs_someone_to_act(monkeypatch: pytest.MonkeyPatch) -> None:
    # Storing a draft is tested in test_drafts.py; here: who acts must be said.
    monkeypatch.delenv("PASSERELLE_USER", raising=False)
    code, output = run("-", "--channel", "fr-ru", stdin=FSB_ARRESTS)
    assert code != 0
    assert "say who acts: --user NAME" in output


def test_missing_file_is_one_line() -> None:
    code, output = run("/nonexistent/article.txt")
    assert code != 0
    assert output.strip().count("\n") == 0
    assert "no such file" in output


def test_without_the_extra_it_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "lingua", None)
    code, output = run("-", stdin=FSB_ARRESTS)
    assert code != 0
    assert output.strip() == f"Error: {INSTALL_HINT}"
