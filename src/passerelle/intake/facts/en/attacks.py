"""Attacks in English: plotted ("plotted to bomb Y"), carried out ("carried out an attack
on Y") or done ("X attacked Y"); a bombing word makes an attack a bombing (183)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from passerelle.intake.facts.en.lexicon import (
    ATTACK_NOUNS,
    ATTACK_VERBS,
    BOMB_WORDS,
    CARRY_OUT,
    PLAN,
)
from passerelle.intake.facts.en.reader import Candidate, Found, Side, is_passive

if TYPE_CHECKING:
    from spacy.tokens import Token


def attack(at: Candidate) -> Found | None:
    """Return the attack a word triggers, planned or carried out, or None."""
    r, sent, tokens, k = at.r, at.sent, at.tokens, at.k
    token, low, nxt = at.token, at.low, at.nxt
    if low in PLAN and nxt == "to" and k + 2 < len(tokens):
        verb = tokens[k + 2]
        code = ATTACK_VERBS.get(verb.lower_)
        if code is None:
            return None
        actor, inferred = r.before(sent, k)
        after = k + 3
        if verb.lower_ == "blow" and after < len(tokens) and tokens[after].lower_ == "up":
            after += 1
        fact = at.found(code, actor, r.after(sent, after), verb)
        fact.planned, fact.inferred, fact.verb = True, inferred, f"{low} to {verb.lower_}"
        return fact
    if low in PLAN | CARRY_OUT and at.previous not in ("a", "an", "the", "about", "of"):
        j = k + 1
        if low in CARRY_OUT and nxt == "out":
            j += 1
        window = tokens[j : j + 4]
        noun = next((t for t in window if t.lower_ in ATTACK_NOUNS), None)
        if noun is None:
            return None
        code = ATTACK_NOUNS[noun.lower_]
        if code == "180" and _bombish(window):
            code = "183"
        actor, inferred = r.before(sent, k)
        after = noun.i - sent.start + 1
        target = Side(None, "")
        if after < len(tokens) and tokens[after].lower_ in ("on", "against"):
            target = r.after(sent, after + 1)
        fact = at.found(code, actor, target, noun)
        fact.planned, fact.inferred = low in PLAN, inferred
        fact.verb = f"{low} {noun.lower_}"
        return fact
    if low in ATTACK_VERBS and low.endswith("ed") and not is_passive(tokens, k):
        actor, inferred = r.before(sent, k)
        target = r.after(sent, k + 1)
        if not (r.party(actor.index) and target.text):
            return None
        fact = at.found(ATTACK_VERBS[low], actor, target, token)
        fact.inferred = inferred
        return fact
    return None


def _bombish(words: list[Token]) -> bool:
    return any(t.lower_ in BOMB_WORDS for t in words)
