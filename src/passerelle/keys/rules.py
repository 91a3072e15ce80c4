"""The key rules of a node: how it turns names and observables into keys.

Watches and correlation key objects with the same rules, built once from the node's
settings (``passerelle.wiring``), so a watch and a hit can never be keyed two ways.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from passerelle.keys.names import NameMatcher


@dataclass(frozen=True)
class KeyRules:
    """What keys are made with on this node."""

    # Region of phone numbers written without an international prefix (ISO 3166 code).
    phone_region: str
    # How names become keys (entity resolution's romanising matcher on a real node).
    names: NameMatcher
    # The directories of alias files: the shipped one first, then the node's own.
    alias_dirs: tuple[Path, ...]


__all__ = ["KeyRules"]
