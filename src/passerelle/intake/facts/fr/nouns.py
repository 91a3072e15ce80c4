"""Facts whose trigger is a noun: arrests, seizures, calls and attacks named as events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from passerelle.intake.facts.base import PARTIES
from passerelle.intake.facts.fr.arguments import (
    Arguments,
    Found,
    animate,
    arguments,
    introduced,
    is_agent,
    named_party,
)
from passerelle.intake.facts.fr.attacks import attack_code, attack_target
from passerelle.intake.facts.fr.lexicon import (
    ARREST_NOUNS,
    ATTACK_NOUNS,
    CARRY_OUT,
    NOT_SEIZED,
    NOUN_TRIGGERS,
    PHONE_NOUNS,
    PLAN,
    PLAN_NOUNS,
    SEIZE_NOUNS,
    SUPPORT_VERBS,
)
from passerelle.intake.facts.fr.reader import Reader

if TYPE_CHECKING:
    from spacy.tokens import Token


def nominal(r: Reader, noun: Token, lemma: str) -> list[Found]:
    """Return the facts a noun triggers ("l'arrestation de", "la saisie de"...)."""
    if lemma not in NOUN_TRIGGERS:
        return []
    head = noun.head
    head_lemma = r.lemma(head) if head.i != noun.i else ""
    agent = next((c for c in noun.subtree if is_agent(r, c) and r.same_sentence(c, noun)), None)
    support: Arguments | None = None
    supports = SUPPORT_VERBS | ({"avoir", "tenir"} if lemma in PHONE_NOUNS else set())
    if head.pos_ == "VERB" and head_lemma in supports and noun.dep_.startswith(("obj", "obl")):
        support = arguments(r, head)
    actor = agent or (support.actor if support is not None else None)
    inferred = bool(agent is None and support is not None and support.inferred)
    of = next((c for c in noun.children if c.dep_.startswith("nmod") and r.case(c) == "de"), None)
    found = Found("", [noun], actor, None, passive=agent is not None, inferred=inferred)
    if lemma in ARREST_NOUNS:
        if of is None or not animate(r, of):
            return []
        found.code, found.target = "173", of
        return [found]
    if lemma in SEIZE_NOUNS:
        if of is None or r.lemma(of) in NOT_SEIZED:
            return []
        found.code, found.object_text = "1711", r.text(r.phrase(of, with_conj=True))
        return [found]
    phone = [c for c in noun.children if lemma in PHONE_NOUNS and r.lemma(c) == "téléphonique"]
    if phone:
        found.trigger = [noun, phone[0]]
        between = [c for c in noun.children if r.case(c) == "entre"]
        if between:
            parties = r.conjuncts(between[0])
            found.actor, found.inferred = parties[0], False
            found.target = parties[1] if len(parties) > 1 else None
        else:
            rest = list(noun.subtree) + (list(head.subtree) if support is not None else [])
            found.target = introduced(r, rest, ("avec",), noun) or introduced(
                r, list(noun.subtree), ("à",), noun
            )
            if found.actor is None and of is not None and named_party(r, of):
                found.actor = of
        found.code, found.passive = "041", False
        return [found]
    if lemma in ATTACK_NOUNS:
        if head_lemma in PLAN | CARRY_OUT and noun.dep_ in ("obj", "nsubj:pass"):
            return []  # the verb's fact
        if head_lemma in PLAN_NOUNS and r.lemma(head.head) in PLAN | CARRY_OUT:
            return []
        code = attack_code(r, noun)
        if code is None:
            return []
        found.code, found.planned = code, head_lemma in PLAN_NOUNS
        if found.actor is None and of is not None and r.mention_of(of) is not None:
            index = r.mention_of(of)
            if index is not None and r.mentions[index].label in PARTIES:
                found.actor = of
        found.target = attack_target(r, noun)
        if found.actor is None and found.target is None:
            return []
        return [found]
    return []
