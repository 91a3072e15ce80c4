"""Reading a sentence without a parse: the mention or noun phrase before or after a word,
the antecedent of a pronoun, negation and voice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from passerelle.intake.facts.base import PARTIES
from passerelle.intake.facts.en.lexicon import (
    AUX,
    BE,
    NEGATIONS,
    PEOPLE,
    PREPOSITIONS,
    PRONOUNS,
    STOP,
)
from passerelle.intake.model import Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


@dataclass
class Side:
    """One side of a fact: the mention it names, if any, and its words."""

    index: int | None
    text: str


@dataclass
class Found:
    """A trigger found in a sentence, with its code and sides, before it becomes a fact."""

    code: str
    start: int
    end: int
    verb: str
    actor: Side
    target: Side
    object_text: str = ""
    passive: bool = False
    planned: bool = False
    inferred: bool = False
    negated: bool = False


class Reader:
    """The text, its mentions and sentences, read around trigger words."""

    def __init__(self, doc: Doc, mentions: Sequence[Mention]) -> None:
        self.doc = doc
        self.text = doc.text
        self.mentions = mentions

    def mention_at(self, token: Token) -> int | None:
        """Return the mention a token is part of, if any."""
        for i, m in enumerate(self.mentions):
            if m.start < token.idx + len(token) and m.end > token.idx:
                return i
        return None

    def party(self, index: int | None) -> bool:
        """Tell whether a mention is a person, organisation or group."""
        return index is not None and self.mentions[index].label in PARTIES

    def after(self, sent: Span, at: int, skip_det: bool = True, conj: bool = False) -> Side:
        """Return the mention or noun phrase starting at token ``at`` (a sentence index)."""
        tokens = list(sent)
        while skip_det and at < len(tokens) and tokens[at].lower_ in ("the", "a", "an"):
            at += 1
        if at >= len(tokens):
            return Side(None, "")
        index = self.mention_at(tokens[at])
        if index is not None and self.mentions[index].label != "location":
            return Side(index, self.mentions[index].text)
        words: list[Token] = []
        for token in tokens[at:]:
            low = token.lower_
            joined = conj and low in ("and", ",") and len(words) > 0
            if not joined and (low in STOP or low in PREPOSITIONS or token.is_punct):
                break
            if len(words) >= 8:
                break
            if words and self.mention_at(token) is not None and low not in ("the",):
                found = self.mention_at(token)
                if found is not None and self.mentions[found].label == "location":
                    break
            words.append(token)
        if not words:
            return Side(None, "")
        first, last = words[0], words[-1]
        index = next((self.mention_at(t) for t in words if self.party(self.mention_at(t))), None)
        return Side(index, self.text[first.idx : last.idx + len(last)])

    def before(self, sent: Span, at: int) -> tuple[Side, bool]:
        """Return the subject before token ``at``: (side, inferred from a pronoun)."""
        tokens = list(sent)
        k = at - 1
        while k >= 0 and (tokens[k].lower_ in AUX or tokens[k].lower_.endswith("ly")):
            k -= 1
        if k >= 0 and tokens[k].lower_ in PRONOUNS:
            index = self.antecedent(sent, tokens[k].idx, tokens[k].lower_)
            if index is not None:
                return Side(index, self.mentions[index].text), True
            return Side(None, tokens[k].text), False
        for j in range(k, -1, -1):
            token = tokens[j]
            if token.lower_ in (";", ":") or (token.lower_ in STOP and token.lower_ != ","):
                break
            index = self.mention_at(token)
            if (
                index is None
                or not self.party(index)
                or self.mentions[index].end > token.idx + len(token)
            ):
                continue
            first = next(t for t in tokens if t.idx >= self.mentions[index].start)
            if first.i - sent.start > 0 and tokens[first.i - sent.start - 1].lower_ in PREPOSITIONS:
                continue
            return Side(index, self.mentions[index].text), False
        words: list[Token] = []
        for j in range(k, -1, -1):
            token = tokens[j]
            if token.is_punct or token.lower_ in STOP or token.lower_ in PREPOSITIONS:
                break
            words.insert(0, token)
            if len(words) >= 6:
                break
        while words and words[0].lower_ in ("the", "a", "an"):
            words.pop(0)
        if not words:
            return Side(None, ""), False
        return Side(None, self.text[words[0].idx : words[-1].idx + len(words[-1])]), False

    def antecedent(self, sent: Span, before: int, pronoun: str = "they") -> int | None:
        """Return the party mention a pronoun before ``before`` most likely stands for."""
        sents = list(self.doc.sents)
        k = next(i for i, s in enumerate(sents) if s.start == sent.start)
        floor = sents[k - 1].start_char if k else sent.start_char
        if k:  # the subject of the previous sentence: its first party not after a preposition
            for token in sents[k - 1]:
                index = self.mention_at(token)
                if index is None or self.mentions[index].start != token.idx:
                    continue
                if token.i > 0 and self.doc[token.i - 1].lower_ in PREPOSITIONS:
                    continue
                if self._fits(index, pronoun):
                    return index
                break
        best = None
        for i, m in enumerate(self.mentions):
            if floor <= m.start and m.end <= before and self._fits(i, pronoun):
                best = i
        return best

    def _fits(self, index: int, pronoun: str) -> bool:
        label = self.mentions[index].label
        if pronoun in ("he", "she"):
            return label == "person"
        if pronoun == "it":
            return label in ("organization", "group")
        return label in PARTIES

    def by(self, sent: Span, at: int, word: str = "by") -> Side:
        """Return what the first ``word`` (by, to, with, from) from token ``at`` introduces."""
        tokens = list(sent)
        for j in range(at, len(tokens)):
            if tokens[j].lower_ == word:
                return self.after(sent, j + 1)
            if tokens[j].lower_ in (";",):
                break
        return Side(None, "")


def animate(r: Reader, side: Side) -> bool:
    """Tell whether a side may be people: a party, a people noun, a number, a pronoun."""
    if r.party(side.index):
        return True
    words = side.text.lower().split()
    return bool(words) and (
        bool(set(words) & PEOPLE)
        or words[0].isdigit()
        or words[0] in PRONOUNS | {"them", "him", "her"}
        or words[0]
        in (
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "several",
            "dozens",
        )
    )


def is_negated(tokens: list[Token], at: int) -> bool:
    """Tell whether a negation is within three words before token ``at``, or a denial."""
    window = [t.lower_ for t in tokens[max(0, at - 3) : at]]
    return bool(set(window) & NEGATIONS) or any(t.lower_.startswith("denie") for t in tokens[:at])


def is_passive(tokens: list[Token], at: int) -> bool:
    """Tell whether token ``at`` follows a form of "be" (adverbs in between)."""
    k = at - 1
    while k >= 0 and tokens[k].lower_.endswith("ly"):
        k -= 1
    return k >= 0 and tokens[k].lower_ in BE


@dataclass(frozen=True)
class Candidate:
    """A token of a sentence that may trigger a fact, with the words around it."""

    r: Reader
    sent: Span
    tokens: list[Token]
    k: int

    @property
    def token(self) -> Token:
        """Return the token itself."""
        return self.tokens[self.k]

    @property
    def low(self) -> str:
        """Return the token in lower case."""
        return self.token.lower_

    @property
    def nxt(self) -> str:
        """Return the next word in lower case, or ""."""
        return self.tokens[self.k + 1].lower_ if self.k + 1 < len(self.tokens) else ""

    @property
    def previous(self) -> str:
        """Return the previous word in lower case, or ""."""
        return self.tokens[self.k - 1].lower_ if self.k else ""

    def found(self, code: str, actor: Side, target: Side, end: Token | None = None) -> Found:
        """Return a fact found here, its trigger running to ``end`` (default: the token)."""
        last = self.token if end is None else end
        return Found(code, self.token.idx, last.idx + len(last), self.low, actor, target)
