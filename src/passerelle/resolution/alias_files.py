"""Where the alias files are: the shipped directory, then the node's own.

Apart from :mod:`.aliases` so that a node's key rules know their directories without
importing the name engine (a command that keys no name never reads the files)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

SHIPPED_DIR: Final = Path(__file__).parent / "aliases"


def alias_dirs(own: str = "") -> tuple[Path, ...]:
    """Return the directories read: the shipped one, then the node's own (if any)."""
    return (SHIPPED_DIR, Path(own)) if own.strip() else (SHIPPED_DIR,)
