"""What the layering of docs/architecture.md asks beyond import-linter's contracts."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "src" / "passerelle"


def _modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts]


def _environment_reads(tree: ast.AST) -> list[int]:
    """Lines that read the process environment (``os.environ``, ``os.getenv``, click's
    ``envvar=``); writing it for worker processes is not reading it."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            found.append(node.lineno)
        elif isinstance(node, ast.keyword) and node.arg in ("envvar", "auto_envvar_prefix"):
            found.append(node.value.lineno)
    return sorted(found)


def test_only_settings_reads_the_environment() -> None:
    readers = {}
    for path in _modules():
        if path.name == "settings.py" and path.parent == PACKAGE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lines = _environment_reads(tree)
        source = path.read_text(encoding="utf-8").splitlines()
        # The one write: ``serve --workers`` hands the settings to its worker processes.
        lines = [n for n in lines if "worker_environment()" not in source[n - 1]]
        if lines:
            readers[str(path.relative_to(PACKAGE))] = lines
    assert readers == {}


def test_the_probe_finds_environment_reads() -> None:
    probe = ast.parse("import os\nx = os.environ.get('A')\ny = os.getenv('B')\nf(envvar='C')\n")
    assert _environment_reads(probe) == [2, 3, 4]
