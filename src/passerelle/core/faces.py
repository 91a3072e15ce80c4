"""Package faces that import a module the first time one of its names is asked for.

A package's ``__init__`` names what other packages may use (STYLE.md); importing every
module behind those names would make a command that needs one name pay for all of them
(a tip read would import the lifecycle's write path). A lazy face keeps the names and
their modules in one table: the package's ``__getattr__`` imports the module of a name on
first use, while type checkers read the same names from imports under ``TYPE_CHECKING``
(``tests/meta/test_package_faces.py`` checks that the two agree).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def lazy_face(
    package: str, names: Mapping[str, Sequence[str]], modules: Sequence[str] = ()
) -> Callable[[str], Any]:
    """Return the ``__getattr__`` of PACKAGE, whose NAMES are ``{module: names defined
    there}`` and whose MODULES are modules of its face (all relative to the package): a
    name's module is imported on first use."""
    where = {name: module for module, defined in names.items() for name in defined}

    def attribute(name: str) -> Any:
        if name in modules:
            return importlib.import_module(f"{package}.{name}")
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return attribute
