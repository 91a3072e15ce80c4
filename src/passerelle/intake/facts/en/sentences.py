"""The facts of an English article, sentence by sentence: each trigger word in turn, and a
statement (010) only where the sentence has no other fact."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from passerelle.intake.facts.base import LABELS, Fact, sentence_bounds, without_statements
from passerelle.intake.facts.en.lexicon import STATEMENT
from passerelle.intake.facts.en.reader import Found, Reader, Side, is_negated
from passerelle.intake.facts.en.triggers import trigger_at
from passerelle.intake.model import Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


def find_facts_en(doc: Doc, mentions: Sequence[Mention]) -> list[Fact]:
    """Return the facts of an English article (a blank-tokenizer Doc with sentences)."""
    r = Reader(doc, mentions)
    facts: list[Fact] = []
    for sent in doc.sents:
        tokens = list(sent)
        found: list[Found] = []
        k = 0
        while k < len(tokens):
            item = trigger_at(r, sent, k)
            if item is None and tokens[k].lower_ in STATEMENT:
                item = _statement(r, sent, tokens, k)
            if item is not None:
                item.negated = is_negated(tokens, k)
                found.append(item)
                while k < len(tokens) and tokens[k].idx < item.end:
                    k += 1
                continue
            k += 1
        for item in without_statements(found):
            facts.append(_fact(r, item, sent))
    return sorted(facts, key=lambda f: (f.start, f.target_text))


def _statement(r: Reader, sent: Span, tokens: list[Token], k: int) -> Found | None:
    """ "X said ...", with X a named party right before the verb and not negated."""
    actor, _ = r.before(sent, k)
    if not r.party(actor.index) or is_negated(tokens, k):
        return None
    token = tokens[k]
    item = Found("010", token.idx, token.idx + len(token), token.lower_, actor, Side(None, ""))
    item.object_text = r.text[token.idx + len(token) : sent.end_char].strip(" .")
    return item


def _fact(r: Reader, item: Found, sent: Span) -> Fact:
    text = r.text
    start, end = sentence_bounds(text, sent.start_char, sent.end_char, item.start, item.end)
    return Fact(
        code=item.code,
        label=LABELS[item.code],
        actor_index=item.actor.index,
        target_index=item.target.index,
        actor_text=item.actor.text,
        target_text=item.target.text,
        object_text=item.object_text,
        verb=item.verb,
        start=item.start,
        end=item.end,
        sentence_start=start,
        sentence_end=end,
        sentence=text[start:end],
        negated=item.negated,
        passive=item.passive,
        actor_inferred=item.inferred,
        planned=item.planned,
    )
