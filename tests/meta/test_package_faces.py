"""Packages with a public face (STYLE.md: httpx's ``__init__`` over private modules) and
the size guard: keys, resolution and correlation each name in their ``__init__`` what
other packages may use, and no module outside one of them reaches past that face; no
module or function of passerelle outgrows the guard, but the migrations and the demo
builder."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "src" / "passerelle"
FACED = ("keys", "resolution", "correlation")
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
# Every package under the guard; the migrations are left out (frozen once released), and
# so is the demo builder, one scenario written out step by step.
PACKAGES = (*FACED, *sorted({p.parent.name for p in PACKAGE.glob("*/__init__.py")} - {*FACED}))
DEMO_BUILDER = PACKAGE / "exchange" / "demo.py"


def _modules(under: Path) -> list[Path]:
    return sorted(p for p in under.rglob("*.py") if "migrations" not in p.parts)


def _imports_of(path: Path) -> list[tuple[int, str, str | None]]:
    """(line, module, name imported from it or None for a plain import) of passerelle."""
    found: list[tuple[int, str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("passerelle."):
            found += [(node.lineno, str(node.module), alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [
                (node.lineno, alias.name, None)
                for alias in node.names
                if alias.name.startswith("passerelle.")
            ]
    return found


def _offered(module: str, name: str | None) -> bool:
    """Tell whether a faced package offers this import: a name of its ``__all__``, or a
    name of the ``__all__`` of a module its ``__all__`` lists; never a ``_private`` one."""
    parts = module.split(".")
    package = importlib.import_module(".".join(parts[:2]))
    face = set(package.__all__)
    if name is None:  # import passerelle.<package>.<module>
        return len(parts) == 2 or (len(parts) == 3 and parts[2] in face)
    if any(part.startswith("_") for part in [*parts, name]):
        return False
    if len(parts) == 2:
        return name in face
    source = importlib.import_module(module)
    if name in face and getattr(package, name) is getattr(source, name, None):
        return True
    public = importlib.import_module(".".join(parts[:3]))
    return parts[2] in face and name in getattr(public, "__all__", ()) and module == public.__name__


def _faced_package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FACED else None


def test_no_module_reaches_past_a_package_face() -> None:
    reaching = []
    for path in _modules(PACKAGE):
        own = path.relative_to(PACKAGE).parts[0]
        for line, module, name in _imports_of(path):
            faced = _faced_package(module)
            if faced is None or faced == own:
                continue
            if not _offered(module, name):
                reaching.append(f"{path.relative_to(PACKAGE)}:{line} {module} {name}")
    assert reaching == []


@pytest.mark.parametrize("package", FACED)
def test_each_faced_package_states_its_face(package: str) -> None:
    module = importlib.import_module(f"passerelle.{package}")
    assert "other packages may use" in str(module.__doc__)
    assert module.__all__
    assert all(hasattr(module, name) for name in module.__all__)


def test_the_probe_tells_what_a_face_offers() -> None:
    assert _offered("passerelle.resolution", "EntityLinking")
    assert _offered("passerelle.resolution.aliases", "AliasData")  # a face name, where defined
    assert _offered("passerelle.correlation.queries", "CorrelateRequest")  # a public module
    assert _offered("passerelle.keys.observables", "make_key")
    assert not _offered("passerelle.keys.observables.values", "phone_key")  # past the face
    assert not _offered("passerelle.resolution.linking", "decide")
    assert not _offered("passerelle.resolution.parts", "parse")
    assert not _offered("passerelle.correlation.index", "_may_carry")


def _too_long(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    found = []
    if len(source.splitlines()) > MAX_MODULE_LINES:
        found.append(f"{path.relative_to(PACKAGE)}: {len(source.splitlines())} lines")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            length = (node.end_lineno or node.lineno) - start + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}: {length}")
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_modules_and_functions_keep_within_the_size_guard(package: str) -> None:
    guarded = [path for path in _modules(PACKAGE / package) if path != DEMO_BUILDER]
    assert [long for path in guarded for long in _too_long(path)] == []


def test_top_level_modules_keep_within_the_size_guard() -> None:
    assert [long for path in sorted(PACKAGE.glob("*.py")) for long in _too_long(path)] == []


def test_the_size_guard_leaves_out_only_the_migrations_and_the_demo_builder() -> None:
    guarded = {path for package in PACKAGES for path in _modules(PACKAGE / package)}
    guarded = (guarded - {DEMO_BUILDER}) | set(PACKAGE.glob("*.py"))
    left_out = set(PACKAGE.rglob("*.py")) - guarded
    assert {p for p in left_out if "migrations" not in p.parts} == {DEMO_BUILDER}


def _lazy_faces() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("__init__.py") if "lazy_face(" in p.read_text())


def _typed_names(path: Path) -> dict[str, str]:
    """{name: module} of the imports a lazy face makes under ``TYPE_CHECKING``."""
    found: dict[str, str] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for item in node.body:
                assert isinstance(item, ast.ImportFrom), path
                found |= {alias.name: str(item.module) for alias in item.names}
    return found


@pytest.mark.parametrize("path", _lazy_faces(), ids=lambda p: str(p.parent.relative_to(PACKAGE)))
def test_a_lazy_face_gives_what_the_type_checker_was_told(path: Path) -> None:
    """A lazy face's table and its ``TYPE_CHECKING`` imports name the same objects: mypy
    checks the callers against the one, the interpreter runs the other."""
    package = importlib.import_module(".".join(path.parent.relative_to(PACKAGE.parent).parts))
    typed = _typed_names(path)
    assert typed, path
    assert set(package.__all__) == set(typed)
    for name, module in typed.items():
        assert getattr(package, name) is getattr(importlib.import_module(module), name), name
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018
