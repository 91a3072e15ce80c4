"""Names compared across scripts and spellings: the interface the rest of the node uses.

(A first, naive implementation: to be replaced by the real engine with the same API.)
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Kind = Literal["person", "organization", "location"]


@dataclass(frozen=True)
class Facts:
    """What else is known about a named thing; each raises or lowers a score."""

    birth_dates: frozenset[str] = frozenset()  # YYYY, YYYY-MM or YYYY-MM-DD
    nationalities: frozenset[str] = frozenset()  # ISO 3166 alpha-2, upper case
    identifiers: frozenset[str] = frozenset()  # passport and other numbers, normalised


@dataclass(frozen=True)
class Scored:
    """How well one candidate matches a query, and why."""

    score: float  # 0.0 to 1.0
    best_name: str  # the candidate's name that matched best
    reasons: tuple[str, ...]  # human-readable, e.g. "family name equal after romanisation"


def script_of(name: str) -> str:
    """Return the main script of a name: latin, cyrillic, arabic, other."""
    for char in name:
        if char.isalpha():
            label = unicodedata.name(char, "")
            for script in ("LATIN", "CYRILLIC", "ARABIC"):
                if label.startswith(script):
                    return script.lower()
            return "other"
    return "other"


def normalise(name: str, kind: Kind = "person") -> str:
    """Return the comparable form of a name: Latin script, lower case, no diacritics."""
    del kind
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in bare.casefold()).split())


def name_keys(name: str, kind: Kind) -> set[str]:
    """Return the blocking keys of a name: candidates share at least one with the query."""
    return {f"tok:{token}" for token in normalise(name, kind).split() if len(token) > 1}


def score(
    query: str,
    query_facts: Facts,
    candidates: Sequence[tuple[Sequence[str], Facts]],
    kind: Kind,
) -> list[Scored]:
    """Score each candidate (its names and facts) against the query, in order."""
    del query_facts
    wanted = normalise(query, kind)
    found = []
    for names, _facts in candidates:
        best = max(
            names, key=lambda n: difflib.SequenceMatcher(None, wanted, normalise(n, kind)).ratio()
        )
        ratio = difflib.SequenceMatcher(None, wanted, normalise(best, kind)).ratio()
        found.append(Scored(ratio, best, (f"name similarity {ratio:.2f}",)))
    return found
