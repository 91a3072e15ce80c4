"""Who did it and to whom: the arguments of a trigger, through passives, relatives and
control, and what makes an argument a party."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from passerelle.intake.facts.base import PARTIES
from passerelle.intake.facts.fr.lexicon import PEOPLE
from passerelle.intake.facts.fr.reader import Reader

if TYPE_CHECKING:
    from spacy.tokens import Token


@dataclass
class Found:
    """A trigger found in a sentence, with its code and arguments, before it becomes facts."""

    code: str
    trigger: list[Token]
    actor: Token | None
    target: Token | None
    object_text: str = ""
    passive: bool = False
    planned: bool = False
    inferred: bool = False
    co_actor: Token | None = None


@dataclass
class Arguments:
    """The actor and patient of a verb, and how they were read."""

    actor: Token | None
    patient: Token | None
    passive: bool
    inferred: bool = False
    co_actor: Token | None = None


def arguments(r: Reader, verb: Token) -> Arguments:
    """Return the actor and patient of a verb, through passives, relatives and control."""
    subject = next(iter(r.deps(verb, "nsubj")), None)
    passive_subject = next(iter(r.deps(verb, "nsubj:pass")), None)
    agent = next(iter(r.deps(verb, "obl:agent")), None)
    if agent is None:
        agent = next((c for c in verb.children if c.dep_ != "obl:agent" and is_agent(r, c)), None)
    participle = (
        verb.dep_ in ("acl", "amod")
        and ("Part" in verb.morph.get("VerbForm", []) or verb.pos_ == "ADJ")
        and not r.deps(verb, "nsubj", "aux:tense", "aux")
    )
    passive = bool(
        passive_subject is not None
        or r.deps(verb, "aux:pass")
        or "Pass" in verb.morph.get("Voice", [])
        or participle
    )
    if passive:
        patient = passive_subject or subject
        if patient is None and participle:
            patient = verb.head
        args = Arguments(agent, patient, True)
    else:
        obj = next(iter(r.deps(verb, "obj")), None)
        args = Arguments(subject, obj, False)
    if not passive and args.patient is None:
        args.patient = _stray_name(r, verb)
    head = verb.head
    if verb.dep_ == "conj" and head.dep_ == "ROOT" and head.pos_ in ("PROPN", "NOUN"):
        args.co_actor = head  # "La CIA et le MI6 ont transmis": CIA read as the root
    if args.patient is not None and r.lemma(args.patient) == "que" and "relcl" in verb.dep_:
        args.patient = verb.head
    if args.actor is not None and r.lemma(args.actor) == "qui" and "relcl" in verb.dep_:
        args.actor = verb.head
    if args.actor is None and not passive and verb.dep_ in ("conj", "xcomp", "advcl"):
        governor = verb.head
        if governor.pos_ in ("VERB", "AUX") and governor != verb:
            inherited = arguments(r, governor)
            if not inherited.passive:
                args.actor, args.inferred = inherited.actor, inherited.inferred
    return args


def _stray_name(r: Reader, verb: Token) -> Token | None:
    """A name right after a verb with no object, which the parser made a root of its own
    ("Le FSB a arrêté Ivan Petrov et Oleg Sidorov")."""
    doc = verb.doc
    at = verb.i + 1
    while at < len(doc) and doc[at].pos_ == "DET":
        at += 1
    if at >= len(doc) or doc[at].dep_ != "ROOT" or doc[at].pos_ not in ("PROPN", "NOUN"):
        return None
    return doc[at] if named_party(r, doc[at]) else None


def is_agent(r: Reader, token: Token) -> bool:
    """Tell whether a token heads a ``par`` phrase: the agent of a passive."""
    return token.dep_.startswith(("obl", "nmod")) and r.case(token) == "par"


def introduced(
    r: Reader,
    tokens: Sequence[Token],
    cases: tuple[str, ...],
    anchor: Token,
    parties_only: bool = False,
) -> Token | None:
    """Return the first nominal among ``tokens`` introduced by one of ``cases``."""
    for token in tokens:
        if token.i == anchor.i or token.pos_ not in ("NOUN", "PROPN", "PRON", "NUM"):
            continue
        if not token.dep_.startswith(("obl", "nmod", "iobj")) or r.case(token) not in cases:
            continue
        index = r.mention_of(token)
        if index is None and any(
            m.start < token.idx + len(token) and m.end > token.idx and m.label == "location"
            for m in r.mentions
        ):
            continue  # a bare place ("à Moscou") is where, not whom
        if parties_only and (index is None or r.mentions[index].label not in PARTIES):
            continue
        return token
    if "à" in cases:  # a dative clitic: "il leur a transmis"
        for token in tokens:
            if token.dep_ == "iobj" and token.pos_ == "PRON":
                return token
    return None


def named_party(r: Reader, token: Token) -> bool:
    """Tell whether a token names a person, organisation or group mention."""
    index = r.mention_of(token)
    return index is not None and r.mentions[index].label in PARTIES


def animate(r: Reader, token: Token) -> bool:
    """Tell whether a token may be people: a pronoun, a name, a people or counted noun."""
    if token.pos_ in ("PRON", "PROPN"):
        return True
    if r.lemma(token) in PEOPLE or any(c.dep_ == "nummod" for c in token.children):
        return True
    return named_party(r, token)
