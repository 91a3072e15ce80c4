"""The facts of a Russian article text, sentence by sentence: one fact per named conjunct,
a statement (010) only where the sentence has no other fact."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from passerelle.intake.facts.base import (
    LABELS,
    PARTIES,
    Fact,
    sentence_bounds,
    without_statements,
)
from passerelle.intake.facts.ru.arguments import Found
from passerelle.intake.facts.ru.reader import Reader, Sentence
from passerelle.intake.facts.ru.triggers import trigger_at
from passerelle.intake.model import Mention


def find_facts_ru(text: str, mentions: Sequence[Mention], parsed: Any | None = None) -> list[Fact]:
    """Return the facts of a Russian article text, in text order.

    ``parsed``: natasha's segmented and morph-tagged Doc of the text, if there is one."""
    r = Reader(text, mentions, parsed)
    facts: list[Fact] = []
    for sent in r.sentences:
        if not sent.read:
            continue
        r.sent = sent
        found: list[Found] = []
        used: set[str] = set()
        for token in sent.tokens:
            if token.id in used:
                continue
            for item in trigger_at(r, token):
                found.append(item)
                used.update(t.id for t in item.trigger)
        for item in without_statements(found):
            facts.extend(_facts_of(r, item, sent))
    return sorted(facts, key=lambda f: (f.start, f.target_text))


def _side(r: Reader, token: Any | None) -> list[tuple[int | None, str]]:
    """(mention index, text) per named conjunct, or one for the whole phrase."""
    if token is None:
        return [(None, "")]
    if isinstance(token, tuple):  # a pronoun resolved to a mention
        index = token[1]
        return [(index, r.mentions[index].text)]
    named = [(r.mention_of(t), t) for t in r.conjuncts(token)]
    with_mentions = [(i, t) for i, t in named if i is not None]
    if len(with_mentions) > 1:
        return [(i, r.span_text(r.phrase(t))) for i, t in with_mentions]
    index = with_mentions[0][0] if with_mentions else None
    return [(index, r.span_text(r.phrase(token)))]


def _facts_of(r: Reader, item: Found, sent: Sentence) -> list[Fact]:
    trigger = sorted(item.trigger, key=lambda t: t.start)
    start, end = trigger[0].start, trigger[-1].stop
    negated = r.negated(trigger[0])
    sentence_start, sentence_end = sentence_bounds(r.text, sent.start, sent.stop, start, end)
    facts = []
    for actor_index, actor_text in _side(r, item.actor):
        if item.code == "010" and (
            actor_index is None or r.mentions[actor_index].label not in PARTIES
        ):
            continue
        for target_index, target_text in _side(r, item.target):
            if not (actor_text or target_text or item.object_text):
                continue
            facts.append(
                Fact(
                    code=item.code,
                    label=LABELS[item.code],
                    actor_index=actor_index,
                    target_index=target_index,
                    actor_text=actor_text,
                    target_text=target_text,
                    object_text=item.object_text,
                    verb=" ".join(r.lemma(t) for t in trigger),
                    start=start,
                    end=end,
                    sentence_start=sentence_start,
                    sentence_end=sentence_end,
                    sentence=r.text[sentence_start:sentence_end],
                    negated=negated,
                    passive=item.passive,
                    actor_inferred=item.inferred,
                    planned=item.planned,
                )
            )
    return facts
