"""Attacks, planned or carried out: their code, target, and whether they were intended."""

from __future__ import annotations

from typing import TYPE_CHECKING

from passerelle.intake.facts.fr.arguments import (
    Arguments,
    Found,
    animate,
    arguments,
    introduced,
)
from passerelle.intake.facts.fr.lexicon import (
    ATTACK_NOUNS,
    ATTACK_VERBS,
    BOMB_WORDS,
    CARRY_OUT,
    INTENT,
    PLAN,
    PLAN_NOUNS,
)
from passerelle.intake.facts.fr.reader import Reader

if TYPE_CHECKING:
    from spacy.tokens import Token


def attack_by_verb(
    r: Reader, verb: Token, lemma: str, args: Arguments, rest: list[Token]
) -> Found | None:
    """Return the attack a verb triggers, planned or carried out, or None."""
    found = Found("", [verb], args.actor, None, passive=args.passive, inferred=args.inferred)
    if lemma in ATTACK_VERBS:
        if args.patient is None or (lemma == "enlever" and not animate(r, args.patient)):
            return None
        found.code, found.target = ATTACK_VERBS[lemma], args.patient
        found.planned = intended(r, verb)
        return found
    faire = [c for c in verb.children if r.lemma(c) == "faire" and c.i < verb.i]
    if lemma in ("exploser", "sauter") and verb.head.i != verb.i and r.lemma(verb.head) == "faire":
        governor = arguments(r, verb.head)
        found.code, found.trigger = "183", [verb.head, verb]
        found.actor, found.passive, found.inferred = governor.actor, False, governor.inferred
        found.planned = intended(r, verb.head)
        found.object_text = r.subtree_text(args.patient) if args.patient is not None else ""
        found.target = introduced(r, rest, ("contre",), verb)
        return found
    if lemma in ("exploser", "sauter") and faire:
        found.code, found.trigger, found.passive = "183", [faire[0], verb], False
        found.planned = intended(r, verb)
        found.object_text = r.subtree_text(args.patient) if args.patient is not None else ""
        found.target = introduced(r, rest, ("contre",), verb)
        return found
    if lemma == "poser" and args.patient is not None and r.lemma(args.patient) == "bombe":
        found.code, found.trigger = "183", [verb, args.patient]
        found.target = introduced(r, rest, ("contre",), verb)
        return found
    if lemma == "prendre" and any(r.lemma(t) == "otage" for t in rest):
        if args.patient is None:
            return None
        found.code, found.target = "181", args.patient
        found.trigger = [verb, *[t for t in rest if r.lemma(t) == "otage"][:1]]
        return found
    if lemma in PLAN | CARRY_OUT and args.patient is not None:
        noun, planned = args.patient, lemma in PLAN
        if r.lemma(noun) in PLAN_NOUNS:
            inner = [t for t in noun.children if r.lemma(t) in ATTACK_NOUNS]
            if not inner:
                return None
            noun, planned = inner[0], True
        code = attack_code(r, noun)
        if code is None:
            return None
        planned = planned or intended(r, verb)
        found.code, found.planned, found.trigger = code, planned, [verb, noun]
        found.target = attack_target(r, noun) or introduced(r, rest, ("contre",), verb)
        return found
    return None


def intended(r: Reader, verb: Token) -> bool:
    """Tell whether the verb is what its subject intends ("voulaient faire exploser")."""
    return verb.dep_ == "xcomp" and verb.head.i != verb.i and r.lemma(verb.head) in INTENT


def attack_code(r: Reader, noun: Token) -> str | None:
    """Return the code of an attack noun: a bombing (183) when a bomb word is near it."""
    code = ATTACK_NOUNS.get(r.lemma(noun))
    if code == "180":
        words = {r.lemma(t) for t in noun.subtree if r.same_sentence(t, noun)}
        if words & BOMB_WORDS or any("piég" in w or "suicide" in w for w in words):
            return "183"
    return code


def attack_target(r: Reader, noun: Token) -> Token | None:
    """Return what an attack noun is against (``contre``, ``visant``), or None."""
    for child in noun.children:
        if child.dep_.startswith("nmod") and r.case(child) == "contre":
            return child
        if child.dep_ == "acl" and r.lemma(child) == "viser":
            return next(iter(r.deps(child, "obj")), None)
    return None
