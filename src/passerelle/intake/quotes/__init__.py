# ruff: noqa: RUF002  (guillemets, curly quotes and dashes, on purpose)
"""Direct quotations in an article and who said them.

Quotation marks: « » (with or without non-breaking or narrow non-breaking spaces), “ ”,
„ “, ‹ ›, and straight double quotes; in English also single and doubled single quotes
(where they cannot be apostrophes); quotes nest (‹ › or “ ” inside « »). A quote left
open stops at the end of its paragraph and is flagged ``unclosed``.

The speaker is looked for next to the quote, in the same sentence (inside the parent quote
for a nested one): first right after it (", a-t-il dit", ", a déclaré M. X", ", selon le
FSB", ", lit-on dans ce texte"), then before it ("M. X a déclaré : «", "Selon X, «"). The
speaker expression is a named person or organisation (a :class:`Mention`, or a spaCy
PER/ORG entity the mentions missed), a pronoun (resolved to the most recent person
mention before it outside any quote), a title ("le porte-parole du Kremlin", with its
organisation; with an appositive name the name is the speaker), or a document
("le communiqué du FSB", "ce texte": its organisation, or the most recent organisation
named before it). A quote of fewer than four words is a scare quote, not a
quotation, unless a speech cue follows it, or one comes before it and the quote opens its
sentence or follows a colon. A quote naming a legal charge ("pour « association de
malfaiteurs... »": :attr:`~.base.Cues.charge_before` and ``charge_words``) is not a
quotation unless a speech cue follows it. A longer quote with no cue takes the speaker
of the previous quotation in its paragraph, else is kept with kind "unknown".

Press patterns (issue 15): the cue may follow the closing mark with no comma ("« ... » a
déclaré X"); a title with no name beside it stands for the person the article named with
that title before; a pronoun for the subject (first person) of its sentence or of the two
before; "X, a top aide to Y, said" for X; a quote whose sentence has no cue takes the
sentence's person; "« A » et « B », ajoute X" gives both to X; a short quote the text
attributes (:attr:`~.base.Cues.short_cue`: "a fait part de sa « ... »") is a quotation;
a communiqué of a titled person named beside it is that person's.

English and Russian (picked by ``doc.lang_``; French for any other) use the same marks and
rules with their own cues: "said", "told reporters", "added", "according
to X", "X said in a statement", inverted "said Mr X", "the statement read", "he/she
said" ("it said": the last organisation); "заявил", "сказал", "сообщил", "отметил",
"добавил", "подчеркнул"..., "по словам X", "как заявил X", "говорится в сообщении ФСБ",
"сказал он". After the quote the speaker may stand before the verb ('"...," the FSB
said') or after it ("— заявил Песков"); a title joins a name with or without a comma
("Kremlin spokesman Dmitry Peskov", "пресс-секретарь Кремля Дмитрий Песков").

Layout: :mod:`.base` (the quotation, and :class:`~.base.Cues`, what a language gives),
:mod:`.fr`, :mod:`.en` and :mod:`.ru` (each language's cues, independent of one another),
:mod:`.marks` (quotation marks), :mod:`.speakers` (speaker expressions),
:mod:`.frames` (speech-verb frames: the verb governing a quote, its subject; a short quote
a verb earlier in its sentence governs is a quotation of that verb's subject) and
:mod:`.attribution` (who said each quotation).

Other modules use :func:`find_quotations`, :class:`Quotation`, :class:`MentionLike` and
:data:`SPEAKER_KINDS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from passerelle.intake.quotes import en, fr, ru
from passerelle.intake.quotes.attribution import quotations_in
from passerelle.intake.quotes.base import SPEAKER_KINDS, Cues, MentionLike, Quotation

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["SPEAKER_KINDS", "MentionLike", "Quotation", "find_quotations"]

_CUES: Final[dict[str, Cues]] = {"fr": fr.CUES, "en": en.CUES, "ru": ru.CUES}


def find_quotations(doc: Doc, mentions: Sequence[MentionLike]) -> list[Quotation]:
    """Return the direct quotations of ``doc`` with their speakers, in the Doc's language."""
    return quotations_in(doc, mentions, _CUES.get(doc.lang_, fr.CUES))
