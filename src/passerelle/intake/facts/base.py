"""What the fact readers of every language share: the fact, its codes, its sentence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Protocol, TypeVar

#: The CAMEO codes intake reads (CAMEO 1.1b3), and their labels.
LABELS: Final = {
    "064": "share intelligence",
    "173": "arrest or detain",
    "1711": "confiscate or seize",
    "041": "discuss by telephone",
    "051": "praise or thank",
    "010": "make statement",
    "180": "use unconventional violence",
    "181": "abduct, hijack or take hostage",
    "183": "conduct suicide, car or other non-military bombing",
    "186": "assassinate",
}
#: Mention labels that may act or be acted upon (a place may not, unless named as a state).
PARTIES: Final = frozenset({"person", "organization", "group"})
_STATEMENT: Final = "010"


@dataclass(frozen=True)
class Fact:
    """One event: who (actor) did what (code) to whom (target), and where it is said.

    ``actor_index``/``target_index`` index the mentions passed to :func:`find_facts`;
    ``object_text`` is what was shared, seized or said. ``planned`` marks an attack
    prepared rather than carried out; ``actor_inferred`` an actor found by falling back
    from a pronoun or a missing subject.
    """

    code: str
    label: str
    actor_index: int | None
    target_index: int | None
    actor_text: str
    target_text: str
    object_text: str
    verb: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    sentence: str
    negated: bool
    passive: bool
    actor_inferred: bool = False
    planned: bool = False


class Coded(Protocol):
    """A trigger a reader found, with the code of its fact."""

    code: str


CodedT = TypeVar("CodedT", bound=Coded)


def without_statements(found: list[CodedT]) -> list[CodedT]:
    """Drop the statements (010) of a sentence that has another fact: a better code."""
    if any(f.code != _STATEMENT for f in found):
        return [f for f in found if f.code != _STATEMENT]
    return found


def sentence_bounds(
    text: str, sentence_start: int, sentence_end: int, start: int, end: int
) -> tuple[int, int]:
    """Return the bounds of the sentence of a trigger at start:end, cut at line breaks.

    A sentence never spans a line break (titles, paragraphs); trailing spaces are left out.
    """
    low = max(sentence_start, text.rfind("\n", 0, start) + 1)
    newline = text.find("\n", end)
    high = min(sentence_end, newline if newline >= 0 else len(text))
    while high > low and text[high - 1].isspace():
        high -= 1
    return low, high
