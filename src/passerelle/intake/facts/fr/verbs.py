"""Facts whose trigger is a verb: sharing, arrests, seizures, calls, praise, attacks and
statements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from passerelle.intake.facts.fr.arguments import (
    Found,
    animate,
    arguments,
    introduced,
    named_party,
)
from passerelle.intake.facts.fr.attacks import attack_by_verb
from passerelle.intake.facts.fr.lexicon import (
    ARREST,
    INFORMATION,
    NOT_SEIZED,
    PHONE_VERBS,
    PRAISE,
    SEIZE,
    SHARE_ALWAYS,
    SHARE_IF_INFORMATION,
    SHARE_IF_NAMED,
    STATEMENT,
    VERB_TRIGGERS,
)
from passerelle.intake.facts.fr.reader import Reader, inside

if TYPE_CHECKING:
    from spacy.tokens import Token


def verbal(r: Reader, verb: Token, lemma: str) -> list[Found]:
    """Return the facts a verb (or a participle read as an adjective) triggers."""
    if lemma not in VERB_TRIGGERS or (verb.pos_ == "ADJ" and verb.dep_ not in ("acl", "amod")):
        return []
    args = arguments(r, verb)
    found = Found("", [verb], args.actor, None, passive=args.passive, inferred=args.inferred)
    found.co_actor = args.co_actor
    rest = [t for t in verb.subtree if not inside(t, args.actor) and r.same_sentence(t, verb)]
    patient = args.patient
    if lemma in SHARE_IF_INFORMATION | SHARE_ALWAYS:
        return _information_shared(r, verb, lemma, found, rest, patient)
    if lemma in SHARE_IF_NAMED:
        return _party_told(r, verb, found, rest, patient)
    if lemma in ARREST or (lemma in ("placer", "mettre") and _custody(r, rest)):
        return _arrested(r, verb, lemma, found, rest, patient)
    seized = _seized(r, verb, lemma, patient, rest)
    if seized is not None:
        found.code = "1711"
        found.object_text = r.text(r.phrase(seized, with_conj=True))
        found.target = introduced(r, rest, ("à", "chez"), verb, parties_only=True)
        if lemma == "mettre":
            found.trigger = [verb, *r.deps(verb, "obj")]
        return [found]
    if lemma == "téléphoner" or lemma in PHONE_VERBS:  # neighbours lemmatised only then
        phone = [t for t in rest if r.lemma(t) in ("téléphone", "téléphonique")]
        if lemma == "téléphoner" or phone:
            partner = introduced(r, rest, ("avec",), verb) or introduced(r, rest, ("à",), verb)
            if partner is None and lemma in ("appeler", "joindre") and patient is not None:
                partner = patient
            found.code, found.target = "041", partner
            found.trigger = [verb, *phone[:1]]
            return [found]
    if lemma in PRAISE or (lemma == "rendre" and any(r.lemma(t) == "hommage" for t in rest)):
        target = patient
        if lemma == "rendre":
            target = introduced(r, rest, ("à",), verb)
            found.trigger = [verb, *[t for t in rest if r.lemma(t) == "hommage"][:1]]
        if target is None:
            return []
        found.code, found.target = "051", target
        return [found]
    attacks = attack_by_verb(r, verb, lemma, args, rest)
    if attacks is not None:
        return [attacks]
    if lemma in STATEMENT and args.actor is not None:
        said = r.deps(verb, "ccomp", "obj")
        found.code = "010"
        found.object_text = r.subtree_text(said[0]) if said else ""
        return [found]
    return []


def _information_shared(
    r: Reader, verb: Token, lemma: str, found: Found, rest: list[Token], patient: Token | None
) -> list[Found]:
    """Sharing (064) by a verb that shares only with an information noun, or always."""
    info = [t for t in rest if t.pos_ == "NOUN" and r.lemma(t) in INFORMATION]
    if patient is not None and r.lemma(patient) in INFORMATION:
        info.insert(0, patient)
    if not info and lemma not in SHARE_ALWAYS:
        return []
    cases = ("à", "avec") if lemma in ("partager", "échanger") else ("à",)
    target = introduced(r, rest, cases, verb)
    if lemma in SHARE_ALWAYS and target is None and patient is not None:
        target = patient
    found.code, found.target = "064", target
    found.object_text = r.subtree_text(info[0], [verb, target]) if info else ""
    return [found]


def _party_told(
    r: Reader, verb: Token, found: Found, rest: list[Token], patient: Token | None
) -> list[Found]:
    """Sharing (064) by telling a named party ("informer le FSB de ...")."""
    if patient is None or not named_party(r, patient):
        return []
    topic = introduced(r, rest, ("de", "sur"), verb)
    found.code, found.target = "064", patient
    found.object_text = r.subtree_text(topic) if topic is not None else ""
    return [found]


def _arrested(
    r: Reader, verb: Token, lemma: str, found: Found, rest: list[Token], patient: Token | None
) -> list[Found]:
    """An arrest (173) of people, including "placer en garde à vue", "mettre en examen"."""
    if patient is None or not animate(r, patient):
        return []
    found.code, found.target = "173", patient
    if len(found.trigger) == 1 and lemma in ("placer", "mettre"):
        found.trigger = [verb, *[t for t in rest if r.lemma(t) in ("garde", "examen")][:1]]
    return [found]


def _custody(r: Reader, tokens: Sequence[Token]) -> bool:
    lemmas = {r.lemma(t) for t in tokens}
    return ("garde" in lemmas and "vue" in lemmas) or bool(lemmas & {"détention", "examen"})


def _seized(
    r: Reader, verb: Token, lemma: str, patient: Token | None, rest: Sequence[Token]
) -> Token | None:
    if lemma in SEIZE:
        if patient is None or r.lemma(patient) in NOT_SEIZED or r.deps(verb, "expl:comp"):
            return None
        if named_party(r, patient):
            return None
        return patient
    if lemma == "mettre" and any(r.lemma(o) == "main" for o in r.deps(verb, "obj")):
        return next(
            (t for t in rest if t.dep_.startswith(("obl", "nmod")) and r.case(t) == "sur"), None
        )
    return None
