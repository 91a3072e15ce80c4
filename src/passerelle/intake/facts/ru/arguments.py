# ruff: noqa: RUF001  (Cyrillic letters, on purpose)
"""Who did it and to whom: the arguments of a Russian verb, through voice and control."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from passerelle.intake.facts.ru.lexicon import PRONOUNS
from passerelle.intake.facts.ru.reader import Reader


@dataclass
class Found:
    """A trigger found in a sentence, with its code and arguments, before it becomes facts.

    ``actor`` is a token, or ``("mention", index)`` for a pronoun resolved to a mention.
    """

    code: str
    trigger: list[Any]
    actor: Any | None
    target: Any | None
    object_text: str = ""
    passive: bool = False
    planned: bool = False
    inferred: bool = False


@dataclass
class Arguments:
    """The actor and patient of a verb, how they were read, and a recipient the parser
    read as the agent."""

    actor: Any | None
    patient: Any | None
    passive: bool
    inferred: bool = False
    recipient: Any | None = None


def arguments(r: Reader, verb: Any) -> Arguments:
    """Return the actor and patient of a verb, through the passive and control."""
    subject = next(iter(r.kids(verb, "nsubj")), None)
    passive_subject = next(iter(r.kids(verb, "nsubj:pass")), None)
    head = r.head(verb)
    participle = verb.rel in ("acl", "amod") and r.feat(verb, "VerbForm") == "Part"
    if is_passive(r, verb):
        on_behalf = [k for k in r.kids(verb, "obl", "nmod") if r.case(k) == "с сторона"]
        agents = r.kids(verb, "obl:agent")
        recipient = None
        if on_behalf:
            agent = on_behalf[0]
            recipient = agents[0] if agents else None
        elif agents:
            agent = agents[0]
        else:
            agent = next(
                (
                    k
                    for k in r.kids(verb, "obl")
                    if r.feat(k, "Case") == "Ins" and not r.case(k) and k.pos != "PRON"
                ),
                None,
            )
        patient = passive_subject or subject
        if patient is None and participle:
            patient = head
        return Arguments(agent, patient, True, recipient=recipient)
    args = Arguments(subject, next(iter(r.kids(verb, "obj")), None), False)
    if subject is None:
        args.actor = governors_subject(r, verb)
    if args.actor is not None and args.actor.pos == "PRON" and r.lemma(args.actor) in PRONOUNS:
        index = r.antecedent(args.actor.start)
        if index is not None:
            args.inferred = True
            args.actor = ("mention", index)
    return args


def is_passive(r: Reader, verb: Any) -> bool:
    """Tell whether a verb is passive (a passive subject, auxiliary or voice)."""
    return bool(
        r.kids(verb, "nsubj:pass") or r.kids(verb, "aux:pass") or r.feat(verb, "Voice") == "Pass"
    )


def governors_subject(r: Reader, verb: Any) -> Any | None:
    """Return the subject a verb with none takes from its governors, or None.

    Up the chain of ``xcomp``/``conj`` verbs ("планировали совершить", "задержали и
    допросили"), the first governor with a subject gives it; a passive governor gives
    none. Iterative, each governor once: a parse that loops ends the search."""
    seen = {verb.id}
    current = verb
    while True:
        head = r.head(current)
        if (
            head is None
            or head.id in seen
            or current.rel not in ("xcomp", "conj")
            or head.pos not in ("VERB", "AUX")
            or is_passive(r, head)
        ):
            return None
        subject = next(iter(r.kids(head, "nsubj")), None)
        if subject is not None:
            return subject
        seen.add(head.id)
        current = head


def dative(r: Reader, verb: Any) -> Any | None:
    """Return the dative of a verb (``iobj``, or a bare dative ``obl``), or None."""
    for kid in r.kids(verb, "iobj"):
        return kid
    for kid in r.kids(verb, "obl", "nmod"):
        if r.feat(kid, "Case") == "Dat" and not r.case(kid):
            return kid
    return None


def with_case(r: Reader, token: Any, case: str = "с") -> Any | None:
    """Return the dependent of a token that the preposition ``case`` introduces, or None."""
    for kid in r.kids(token, "obl", "nmod"):
        if r.case(kid) == case:
            return kid
    return None
