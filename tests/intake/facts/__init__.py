"""Facts, one test module per language (as in ``passerelle.intake.facts``)."""

from __future__ import annotations

from passerelle.intake.facts import Fact
from passerelle.intake.model import Mention


def named(mentions: list[Mention], index: int | None) -> str | None:
    """Return the canonical name of the mention at ``index``, or None."""
    return None if index is None else mentions[index].canonical


def only(facts: list[Fact], code: str) -> Fact:
    """Return the one fact of a code (failing when there are none or several)."""
    (fact,) = [f for f in facts if f.code == code]
    return fact
