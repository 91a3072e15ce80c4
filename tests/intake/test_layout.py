"""Intake's layout, beyond import-linter's contracts: small modules and functions, and no
module reaching for another's private names."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent.parent
INTAKE = ROOT / "src" / "passerelle" / "intake"
TESTS = ROOT / "tests" / "intake"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


def _modules(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


def _long_functions(tree: ast.AST, limit: int) -> list[tuple[str, int]]:
    """(name, lines) of each function or method longer than ``limit``, nested ones too;
    a function's lines run from its ``def`` to its last line."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > limit:
                found.append((node.name, lines))
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _private_imports(tree: ast.AST) -> list[str]:
    """Private names a module takes from another: ``from m import _x`` and ``m._x`` where m
    is a module it imported (``import a.b as m``, ``from a import m``)."""
    found = []
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{node.module}.{alias.name}")
                elif _is_module(f"{node.module}.{alias.name}"):
                    modules.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and _private(node.attr)
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def _is_module(dotted: str) -> bool:
    if not dotted.startswith("passerelle."):
        return False
    path = ROOT / "src" / Path(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def test_no_intake_module_over_500_lines() -> None:
    sizes = {
        str(p.relative_to(INTAKE)): len(p.read_text(encoding="utf-8").splitlines())
        for p in _modules(INTAKE)
    }
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}


def test_no_intake_function_over_60_lines() -> None:
    long = {}
    for path in _modules(INTAKE):
        found = _long_functions(ast.parse(path.read_text(encoding="utf-8")), MAX_FUNCTION_LINES)
        if found:
            long[str(path.relative_to(INTAKE))] = found
    assert long == {}


def test_no_intake_module_imports_a_private_name_of_another() -> None:
    taken = {}
    for path in [*_modules(INTAKE), *_modules(TESTS)]:
        found = _private_imports(ast.parse(path.read_text(encoding="utf-8")))
        if found:
            taken[str(path.relative_to(ROOT))] = found
    assert taken == {}


def test_the_probes_find_what_they_look_for() -> None:
    body = "\n".join(f"    x = {n}" for n in range(MAX_FUNCTION_LINES))
    long = ast.parse(f"def f():\n{body}\n\ndef g():\n    pass\n")
    assert _long_functions(long, MAX_FUNCTION_LINES) == [("f", MAX_FUNCTION_LINES + 1)]
    private = ast.parse(
        "from passerelle.intake.mentions.base import _fold, Span\n"
        "from passerelle.intake.mentions import fr\n"
        "import passerelle.intake.pipeline as pipeline\n"
        "fr._trimmed\npipeline._entities\npipeline.draft_of\nsome_object._state\n"
    )
    assert sorted(_private_imports(private)) == [
        "fr._trimmed",
        "passerelle.intake.mentions.base._fold",
        "pipeline._entities",
    ]
