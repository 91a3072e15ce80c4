"""The README's sample bundle exists, imports cleanly and exports as its markings say."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli_runner import Run
from tests.world import World

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_imports_the_sample_bundle(run: Run, world: World) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (sample,) = re.findall(r"^passerelle import (\S+) --channel", readme, re.MULTILINE)
    assert sample == "examples/reports.json"
    imported = run("import", str(ROOT / sample), "--channel", "fr-ru", user="alice")
    assert imported.exit_code == 0, imported.output
    assert "7 accepted, 0 rejected" in imported.stdout
    blocking = run("export", "--csv", "--channel", "fr-ru", user="boris")
    assert "ipv4-addr,203.0.113.45," in blocking.stdout
    assert "t.example" not in blocking.stdout  # PAP:AMBER: no blocking
    assert "left out 1 objects: PAP:AMBER forbids blocking" in blocking.stderr
