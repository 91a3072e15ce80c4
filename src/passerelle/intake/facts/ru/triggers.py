# ruff: noqa: RUF001, RUF002  (Cyrillic letters, on purpose)
"""The facts Russian verbs trigger: sharing, arrests, seizures, calls, praise, attacks and
statements."""

from __future__ import annotations

from typing import Any

from passerelle.intake.facts.ru.arguments import (
    Arguments,
    Found,
    arguments,
    dative,
    with_case,
)
from passerelle.intake.facts.ru.lexicon import (
    ARREST,
    ATTACK_NOUNS,
    ATTACK_VERBS,
    BOMB_WORDS,
    CARRY_OUT,
    INFORMATION,
    PHONE_NOUNS,
    PHONE_TALK,
    PLAN,
    PRAISE,
    SEIZE,
    SHARE,
    STATEMENT,
    TRIGGER_POS,
    TRIGGERS,
)
from passerelle.intake.facts.ru.reader import Reader, may_be_trigger


def attack_code(r: Reader, noun: Any) -> str | None:
    """Return the code of an attack noun: a bombing (183) when a bomb word is in it."""
    code = ATTACK_NOUNS.get(r.lemma(noun))
    if code == "180":
        words = " ".join(t.text.lower() for t in r.subtree(noun))
        if any(w in words for w in BOMB_WORDS):
            return "183"
    return code


def attack_target(r: Reader, noun: Any) -> Any | None:
    """Return the party an attack noun is against (``против``, ``на``), or None."""
    for kid in r.kids(noun, "nmod", "obl"):
        if r.case(kid) in ("против", "на") and r.mention_of(kid) is not None:
            return kid
    return None


def trigger_at(r: Reader, verb: Any) -> list[Found]:
    """Return the facts a verb (or a participle) of the current sentence triggers."""
    if verb.pos not in TRIGGER_POS or not may_be_trigger(verb.text):
        return []  # no form of a trigger lemma: not lemmatised to find out
    lemma = r.lemma(verb)
    if lemma not in TRIGGERS:  # every rule below asks for one of them
        return []
    args = arguments(r, verb)
    found = Found("", [verb], args.actor, None, passive=args.passive, inferred=args.inferred)
    patient = args.patient
    if lemma in SHARE:
        return _information_shared(r, verb, lemma, args, found)
    if lemma in ARREST or (
        lemma in ("взять", "заключить") and any(r.lemma(t) == "стража" for t in r.subtree(verb))
    ):
        if patient is None or not r.animate(patient):
            return []
        found.code, found.target = "173", patient
        return [found]
    if lemma in SEIZE:
        if patient is None:
            return []
        found.code = "1711"
        found.object_text = r.span_text(r.subtree(patient, frozenset({"punct", "acl"})))
        owner = with_case(r, verb, "у")
        found.target = owner if owner is not None and r.party(owner) else None
        return [found]
    call = _phone_call(r, verb, lemma, found)
    if call is not None:
        return [call]
    if lemma in PRAISE:
        if patient is None:
            return []
        found.code, found.target = "051", patient
        return [found]
    attacked = attack(r, verb, lemma, args, found)
    if attacked is not None:
        return [attacked]
    if lemma in STATEMENT and args.actor is not None:
        said = r.kids(verb, "ccomp", "obj")
        found.code = "010"
        found.object_text = r.span_text(r.subtree(said[0], frozenset())) if said else ""
        return [found]
    return []


def _information_shared(
    r: Reader, verb: Any, lemma: str, args: Arguments, found: Found
) -> list[Found]:
    """Sharing (064) with an information noun; the target is the dative or ``с`` X."""
    patient = args.patient
    info = [t for t in r.subtree(verb) if r.lemma(t) in INFORMATION]
    if patient is not None and r.lemma(patient) in INFORMATION:
        info.insert(0, patient)
    if not info:
        return []
    target = args.recipient or dative(r, verb)
    if target is None and lemma in ("поделиться", "делиться"):
        target = with_case(r, verb)
    found.code, found.target = "064", target
    found.object_text = r.span_text(r.subtree(info[0]))
    return [found]


def _phone_call(r: Reader, verb: Any, lemma: str, found: Found) -> Found | None:
    """A telephone call (041): "провёл телефонный разговор с X", "поговорил по телефону"."""
    obj = next(iter(r.kids(verb, "obj")), None)
    phone_noun = (
        obj is not None
        and r.lemma(obj) in PHONE_NOUNS
        and any(r.lemma(k).startswith("телефон") for k in r.kids(obj, "amod"))
    )
    by_phone = any(r.lemma(k) == "телефон" and r.case(k) == "по" for k in r.kids(verb, "obl"))
    if not (
        (lemma in ("провести", "проводить") and phone_noun)
        or (lemma in PHONE_TALK and by_phone)
        or lemma == "созвониться"
    ):
        return None
    found.code = "041"
    found.target = with_case(r, verb) or (with_case(r, obj) if obj is not None else None)
    if phone_noun and obj is not None:
        found.trigger = [verb, obj]
    found.passive = False
    return found


def is_planned(r: Reader, verb: Any) -> bool:
    """Tell whether a verb is governed by a planning verb ("планировали совершить")."""
    head = r.head(verb)
    return verb.rel == "xcomp" and head is not None and r.lemma(head) in PLAN


def attack(r: Reader, verb: Any, lemma: str, args: Arguments, found: Found) -> Found | None:
    """Return the attack a verb triggers, planned or carried out, or None."""
    if lemma in ATTACK_VERBS:
        if args.patient is None and lemma != "напасть":
            return None
        found.code = ATTACK_VERBS[lemma]
        found.target = args.patient if lemma != "напасть" else with_case(r, verb, "на")
        found.planned = is_planned(r, verb)
        return found
    if lemma in PLAN | CARRY_OUT and args.patient is not None:
        noun = args.patient
        code = attack_code(r, noun)
        if code is None:
            return None
        found.code, found.trigger = code, [verb, noun]
        found.planned = lemma in PLAN or is_planned(r, verb)
        found.target = attack_target(r, noun) or with_case(r, verb, "против")
        return found
    return None
