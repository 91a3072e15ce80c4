"""The facts English trigger words give: arrests, sharing, warnings, praise, calls and
seizures (attacks in :mod:`.attacks`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from passerelle.intake.facts.en.attacks import attack
from passerelle.intake.facts.en.lexicon import (
    ARREST,
    ARREST_NOUNS,
    CALL,
    INFORMATION,
    NEGATIONS,
    PHONE,
    PRAISE,
    SEIZE,
    SHARE,
    SHARE_IF_NAMED,
    TALK,
)
from passerelle.intake.facts.en.reader import (
    Candidate,
    Found,
    Reader,
    Side,
    animate,
    is_passive,
)

if TYPE_CHECKING:
    from spacy.tokens import Span, Token


def trigger_at(r: Reader, sent: Span, k: int) -> Found | None:
    """Return the fact that token ``k`` of a sentence triggers, or None."""
    at = Candidate(r, sent, list(sent), k)
    low, nxt = at.low, at.nxt
    # nominalisations: "the arrest of Y by X", "the seizure of Z"
    if low in ARREST_NOUNS and nxt == "of":
        return _arrest_of(at)
    if low == "seizure" and nxt == "of":
        fact = at.found("1711", r.by(sent, k + 2), Side(None, ""))
        fact.object_text = r.after(sent, k + 2).text
        return fact if fact.object_text else None
    if not at.token.is_alpha:
        return None
    passive = is_passive(at.tokens, k)
    verbal = low not in ARREST_NOUNS or at.previous in NEGATIONS | {"to", "will", "would", "did"}
    if ARREST.match(low) and verbal and low != "captures":
        return _arrest(at, passive)
    if low in SHARE:
        return _share(at, passive)
    if low in SHARE_IF_NAMED:
        target = r.after(sent, k + 2 if low == "tipped" else k + 1)
        if not r.party(target.index):
            return None
        return _with_actor(at, "064", target)
    if low in PRAISE and nxt != "to":
        target = r.after(sent, k + 1)
        if not target.text:
            return None
        return _with_actor(at, "051", target)
    near = [t.lower_ for t in at.tokens[k + 1 : k + 5]]
    if (low in TALK and set(near) & PHONE) or low in CALL:
        return _phone(at)
    if low in SEIZE:
        return _seize(at, passive)
    return attack(at)


def _with_actor(at: Candidate, code: str, target: Side) -> Found:
    """A fact of the subject before the trigger (inferred when it is a pronoun)."""
    actor, inferred = at.r.before(at.sent, at.k)
    fact = at.found(code, actor, target)
    fact.inferred = inferred
    return fact


def _arrest_of(at: Candidate) -> Found | None:
    """ "The arrest of Y (by X)"."""
    r, sent, k = at.r, at.sent, at.k
    target = r.after(sent, k + 2)
    if not animate(r, target):
        return None
    fact = at.found("173", r.by(sent, k + 2), target)
    fact.passive = bool(fact.actor.text)
    return fact


def _arrest(at: Candidate, passive: bool) -> Found | None:
    """ "X arrested Y"; "Y was arrested (by X)"."""
    r, sent, k = at.r, at.sent, at.k
    if passive:
        patient, _ = r.before(sent, k)
        fact = at.found("173", r.by(sent, k + 1), patient)
        fact.passive = True
    else:
        actor, inferred = r.before(sent, k)
        fact = at.found("173", actor, r.after(sent, k + 1))
        fact.inferred = inferred
    return fact if animate(r, fact.target) else None


def _share(at: Candidate, passive: bool) -> Found | None:
    """ "X passed information to Y"; "information provided by X to Y"."""
    r, sent, k, tokens = at.r, at.sent, at.k, at.tokens
    window = tokens[max(0, k - 4) : k + 9]
    info = [t for t in window if t.lower_ in INFORMATION]
    if not info:
        return None
    info_before = info[0].i < at.token.i
    if passive or (info_before and at.nxt == "by"):
        fact = at.found("064", r.by(sent, k + 1), r.by(sent, k + 1, "to"))
        if not fact.target.text:
            fact.target = r.by(sent, k + 1, "with")
        fact.passive = True
    else:
        actor, inferred = r.before(sent, k)
        target = r.by(sent, k + 1, "to")
        if not target.text:
            target = r.by(sent, k + 1, "with")
        if not target.text:
            direct = r.after(sent, k + 1)
            if r.party(direct.index):
                target = direct
        fact = at.found("064", actor, target)
        fact.inferred = inferred
    fact.object_text = (
        info[0].text if info_before else r.after(sent, info[0].i - sent.start, False).text
    )
    return fact


def _phone(at: Candidate) -> Found:
    """ "X spoke by phone with Y", "X phoned Y", "X and Y spoke by phone"."""
    r, sent, k = at.r, at.sent, at.k
    actor, inferred = r.before(sent, k)
    target = r.by(sent, k + 1, "with") if at.low not in CALL else r.after(sent, k + 1)
    if not target.text:
        pair = _pair_before(r, at.tokens, k)
        if pair is not None:
            actor, target = pair
    fact = at.found("041", actor, target)
    fact.inferred = inferred
    return fact


def _seize(at: Candidate, passive: bool) -> Found | None:
    """ "X seized Z (from Y)"; "Z was seized (by X)"."""
    r, sent, k = at.r, at.sent, at.k
    if passive:
        patient, _ = r.before(sent, k)
        fact = at.found("1711", r.by(sent, k + 1), r.by(sent, k + 1, "from"))
        fact.object_text, fact.passive = patient.text, True
    else:
        actor, inferred = r.before(sent, k)
        fact = at.found("1711", actor, r.by(sent, k + 1, "from"))
        fact.object_text = r.after(sent, k + 1, conj=True).text
        fact.inferred = inferred
    if not r.party(fact.target.index):
        fact.target = Side(None, "")
    return fact if fact.object_text else None


def _pair_before(r: Reader, tokens: list[Token], k: int) -> tuple[Side, Side] | None:
    """ "X and Y spoke by phone": X the actor, Y the target."""
    named: list[int] = []
    for token in tokens[:k]:
        index = r.mention_at(token)
        if index is not None and r.party(index) and (not named or named[-1] != index):
            named.append(index)
    if len(named) >= 2 and any(t.lower_ == "and" for t in tokens[:k]):
        a, b = named[-2], named[-1]
        return Side(a, r.mentions[a].text), Side(b, r.mentions[b].text)
    return None
