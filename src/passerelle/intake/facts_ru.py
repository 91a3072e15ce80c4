# ruff: noqa: RUF001, RUF002  (Cyrillic letters, on purpose)
"""Facts in a Russian article, read from natasha's dependency parse (issue 6, item 6).

natasha's ``NewsSyntaxParser`` gives a Universal Dependencies parse and
``NewsMorphTagger`` the lemmas and features; arguments map to mentions by character
offsets (the token, else a person, organisation or group mention in its noun phrase:
"сотрудниками ФСБ" gives ФСБ). Codes and labels are those of :mod:`facts`.

Triggers (lemmas):

- ``064``: передать, предоставить, направить, переслать, поделиться (and imperfectives)
  with an information noun (информация, данные, сведения, разведданные) as object,
  passive subject or head of the participle ("информация, переданная ФСБ"); the target
  is the dative (``iobj``, a bare dative ``obl``) or ``с`` for поделиться;
- ``173``: задержать, арестовать, взять под стражу; the target must be animate (a
  pronoun, a name, a people noun, a counted noun);
- ``1711``: изъять, конфисковать; ``object_text`` is what was seized, the target whom
  from (``у X``), if a party;
- ``041``: провести телефонный разговор/телефонные переговоры, поговорить (побеседовать,
  переговорить...) по телефону, созвониться; the target is ``с X``;
- ``051``: поблагодарить, похвалить; the target is the object;
- ``010``: заявить, with a named party as actor, when the sentence has no other fact;
- ``18x``: готовить/планировать/замышлять (planned) or совершить/осуществить/устроить
  теракт, нападение, атаку, взрыв (183), покушение (186), похищение (181); взорвать,
  подорвать (183), напасть, атаковать (180), похитить (181); a verb governed by a
  planning verb ("планировали совершить") is planned. The target is the object of the
  verb, or ``против``/``на`` under the noun.

Voice: ``nsubj`` is the actor and ``obj`` the patient; in the passive (``Voice=Pass``,
``aux:pass``, ``nsubj:pass``, a passive participle modifying its noun) the agent is
``со стороны X``, ``obl:agent`` or a bare instrumental ("сотрудниками ФСБ"), and the
subject or modified noun the patient. When ``со стороны X`` is there, a bare
``obl:agent`` the parser found is the recipient (the parser often reads a dative acronym
as the agent). A verb with no subject under ``xcomp``/``conj`` takes its governor's;
a pronoun subject (он, она, они) is the most recent party mentioned before it
(``actor_inferred``). A third person plural verb with no subject is read as
indefinite-personal ("задержали"): no actor. Negation: ``не`` on the trigger or its
governor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from passerelle.intake.facts import LABELS, Fact
from passerelle.intake.model import Mention

SHARE: Final = frozenset(
    [
        "передать",
        "передавать",
        "предоставить",
        "предоставлять",
        "направить",
        "направлять",
        "переслать",
        "пересылать",
        "поделиться",
        "делиться",
    ]
)
INFORMATION: Final = frozenset(
    ["информация", "данные", "данный", "сведение", "сведения", "разведданные"]
)
ARREST: Final = frozenset(["задержать", "задерживать", "арестовать", "арестовывать"])
PEOPLE: Final = [
    "подозрева",
    "задержанн",
    "человек",
    "мужчин",
    "женщин",
    "житель",
    "гражданин",
    "гражданк",
    "боевик",
    "член",
    "сторонник",
    "террорист",
    "агент",
    "шпион",
    "участник",
    "уроженец",
    "студент",
    "иностранец",
    "пособник",
    "злоумышленник",
    "фигурант",
    "вербовщик",
    "диверсант",
    "экстремист",
    "лиц",
]
SEIZE: Final = frozenset(["изъять", "изымать", "конфисковать"])
PHONE_TALK: Final = frozenset(
    [
        "поговорить",
        "говорить",
        "побеседовать",
        "беседовать",
        "переговорить",
        "пообщаться",
        "общаться",
    ]
)
PHONE_NOUNS: Final = frozenset(["разговор", "переговоры", "переговор", "беседа"])
PRAISE: Final = frozenset(["поблагодарить", "благодарить", "похвалить"])
STATEMENT: Final = frozenset({"заявить"})
PLAN: Final = frozenset(
    [
        "готовить",
        "подготовить",
        "планировать",
        "спланировать",
        "замышлять",
        "готовиться",
        "собираться",
    ]
)
CARRY_OUT: Final = frozenset(["совершить", "совершать", "осуществить", "осуществлять", "устроить"])
ATTACK_NOUNS: Final = {
    "теракт": "180",
    "нападение": "180",
    "атака": "180",
    "диверсия": "180",
    "взрыв": "183",
    "покушение": "186",
    "похищение": "181",
}
ATTACK_VERBS: Final = {
    "взорвать": "183",
    "подорвать": "183",
    "напасть": "180",
    "атаковать": "180",
    "похитить": "181",
}
BOMB_WORDS: Final = ("взрыв", "бомб", "смертник", "сву", "самодельн")
_PRONOUNS: Final = frozenset({"он", "она", "они"})
_PARTIES: Final = frozenset({"person", "organization", "group"})
_SKIP: Final = frozenset({"acl", "acl:relcl", "conj", "cc", "punct", "parataxis", "appos"})


@lru_cache(maxsize=1)
def _syntax() -> Any:
    from natasha import NewsEmbedding, NewsSyntaxParser

    return NewsSyntaxParser(NewsEmbedding())


@dataclass
class _Found:
    code: str
    trigger: list[Any]
    actor: Any | None
    target: Any | None
    object_text: str = ""
    passive: bool = False
    planned: bool = False
    inferred: bool = False


@dataclass
class _Sentence:
    start: int
    stop: int
    tokens: list[Any]
    by_id: dict[str, Any] = field(default_factory=dict)
    kids: dict[str, list[Any]] = field(default_factory=dict)


class _Reader:
    def __init__(self, text: str, mentions: Sequence[Mention]) -> None:
        from natasha import Doc

        from passerelle.intake.mentions import ru

        models = ru.models()
        doc = Doc(text)
        doc.segment(models.segmenter)
        doc.tag_morph(models.morph)
        doc.parse_syntax(_syntax())
        self.text = text
        self.mentions = mentions
        self.sentences: list[_Sentence] = []
        for sent in doc.sents:
            found = _Sentence(sent.start, sent.stop, list(sent.tokens))
            for token in found.tokens:
                token.lemmatize(models.vocab)
                found.by_id[token.id] = token
            for token in found.tokens:
                found.kids.setdefault(token.head_id, []).append(token)
            self.sentences.append(found)
        self.sent = self.sentences[0] if self.sentences else _Sentence(0, 0, [])

    # tree -------------------------------------------------------------------------
    def kids(self, token: Any, *rels: str) -> list[Any]:
        found = self.sent.kids.get(token.id, [])
        return [k for k in found if not rels or k.rel in rels]

    def head(self, token: Any) -> Any | None:
        return self.sent.by_id.get(token.head_id)

    def lemma(self, token: Any) -> str:
        return str(token.lemma or token.text).lower()

    def case(self, token: Any) -> str:
        for kid in self.kids(token, "case"):
            fixed = [self.lemma(f) for f in self.kids(kid, "fixed")]
            return " ".join([self.lemma(kid), *fixed])
        return ""

    def feat(self, token: Any, name: str) -> str:
        return str(token.feats.get(name, "")) if token.feats else ""

    def subtree(self, token: Any, skip: frozenset[str] = _SKIP) -> list[Any]:
        found = [token]
        for kid in self.kids(token):
            if kid.rel not in skip:
                found.extend(self.subtree(kid, skip))
        return found

    def phrase(self, token: Any) -> list[Any]:
        """The noun phrase of an argument: no clauses, prepositions or prepositional
        complements ("сотрудниками ФСБ в Москве" gives "сотрудниками ФСБ")."""
        found = [token]
        for kid in self.kids(token):
            if kid.rel in _SKIP or kid.rel in ("case", "mark") or self.case(kid):
                continue
            found.extend(self.phrase(kid))
        return found

    def span_text(self, tokens: Sequence[Any]) -> str:
        listed = [t for t in tokens if t.pos not in ("PUNCT",)]
        listed = sorted(listed, key=lambda t: t.start)
        while listed and listed[0].pos in ("ADP", "CCONJ", "SCONJ"):
            listed.pop(0)
        if not listed:
            return ""
        return self.text[listed[0].start : listed[-1].stop]

    def conjuncts(self, token: Any) -> list[Any]:
        found = [token]
        for kid in self.kids(token, "conj"):
            if kid.pos in ("NOUN", "PROPN", "PRON"):
                found.extend(self.conjuncts(kid))
        return found

    # mentions ---------------------------------------------------------------------
    def mention_of(self, token: Any) -> int | None:
        for i, m in enumerate(self.mentions):
            if m.start < token.stop and m.end > token.start:
                if m.label == "location" and self.case(token):
                    return None  # "в Москве" is where, not whom
                return i
        phrase = self.subtree(token, _SKIP | {"nmod:loc"})
        low = min(t.start for t in phrase)
        high = max(t.stop for t in phrase)
        for i, m in enumerate(self.mentions):
            if m.start < high and m.end > low and m.label in _PARTIES:
                return i
        return None

    def party(self, token: Any) -> bool:
        index = self.mention_of(token)
        return index is not None and self.mentions[index].label in _PARTIES

    def animate(self, token: Any) -> bool:
        if token.pos in ("PRON", "PROPN") or self.party(token):
            return True
        if any(k.rel.startswith("nummod") for k in self.kids(token)):
            return True
        low = token.text.lower()
        return any(low.startswith(p) or self.lemma(token).startswith(p) for p in PEOPLE)

    def negated(self, token: Any) -> bool:
        current: Any | None = token
        for _ in range(3):
            if current is None:
                return False
            if any(self.lemma(k) == "не" for k in self.kids(current)):
                return True
            if current.rel not in ("xcomp", "conj"):
                return False
            current = self.head(current)
        return False

    def antecedent(self, before: int) -> int | None:
        """The party a pronoun stands for: the subject of the previous sentence's root,
        else the last party mentioned before ``before`` in this or the last sentence."""
        floor = 0
        for k, sent in enumerate(self.sentences):
            if sent is self.sent:
                floor = self.sentences[k - 1].start if k else sent.start
                if k:
                    subject = self._root_subject(self.sentences[k - 1])
                    if subject is not None:
                        return subject
        best = None
        for i, m in enumerate(self.mentions):
            if m.label in _PARTIES and floor <= m.start and m.end <= before:
                best = i
        return best

    def _root_subject(self, sent: _Sentence) -> int | None:
        current = self.sent
        self.sent = sent
        try:
            for root in sent.kids.get(f"{sent.tokens[0].id.split('_')[0]}_0", []):
                for kid in self.kids(root, "nsubj"):
                    index = self.mention_of(kid)
                    if index is not None and self.mentions[index].label in _PARTIES:
                        return index
            return None
        finally:
            self.sent = current


@dataclass
class _Args:
    actor: Any | None
    patient: Any | None
    passive: bool
    inferred: bool = False
    recipient: Any | None = None


def _arguments(r: _Reader, verb: Any) -> _Args:
    subject = next(iter(r.kids(verb, "nsubj")), None)
    passive_subject = next(iter(r.kids(verb, "nsubj:pass")), None)
    head = r.head(verb)
    participle = verb.rel in ("acl", "amod") and r.feat(verb, "VerbForm") == "Part"
    passive = bool(
        passive_subject is not None or r.kids(verb, "aux:pass") or r.feat(verb, "Voice") == "Pass"
    )
    if passive:
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
        return _Args(agent, patient, True, recipient=recipient)
    args = _Args(subject, next(iter(r.kids(verb, "obj")), None), False)
    governed = head is not None and verb.rel in ("xcomp", "conj") and head.pos in ("VERB", "AUX")
    if subject is None and governed:
        inherited = _arguments(r, head)
        if not inherited.passive:
            args.actor, args.inferred = inherited.actor, inherited.inferred
    if args.actor is not None and args.actor.pos == "PRON" and r.lemma(args.actor) in _PRONOUNS:
        index = r.antecedent(args.actor.start)
        if index is not None:
            args.inferred = True
            args.actor = ("mention", index)
    return args


def _dative(r: _Reader, verb: Any) -> Any | None:
    for kid in r.kids(verb, "iobj"):
        return kid
    for kid in r.kids(verb, "obl", "nmod"):
        if r.feat(kid, "Case") == "Dat" and not r.case(kid):
            return kid
    return None


def _with(r: _Reader, token: Any, case: str = "с") -> Any | None:
    for kid in r.kids(token, "obl", "nmod"):
        if r.case(kid) == case:
            return kid
    return None


def _attack_code(r: _Reader, noun: Any) -> str | None:
    code = ATTACK_NOUNS.get(r.lemma(noun))
    if code == "180":
        words = " ".join(t.text.lower() for t in r.subtree(noun))
        if any(w in words for w in BOMB_WORDS):
            return "183"
    return code


def _attack_target(r: _Reader, noun: Any) -> Any | None:
    for kid in r.kids(noun, "nmod", "obl"):
        if r.case(kid) in ("против", "на") and r.mention_of(kid) is not None:
            return kid
    return None


def _at(r: _Reader, verb: Any) -> list[_Found]:
    lemma = r.lemma(verb)
    if verb.pos not in ("VERB", "AUX", "ADJ"):
        return []
    args = _arguments(r, verb)
    found = _Found("", [verb], args.actor, None, passive=args.passive, inferred=args.inferred)
    patient = args.patient
    if lemma in SHARE:
        info = [t for t in r.subtree(verb) if r.lemma(t) in INFORMATION]
        if patient is not None and r.lemma(patient) in INFORMATION:
            info.insert(0, patient)
        if not info:
            return []
        target = args.recipient or _dative(r, verb)
        if target is None and lemma in ("поделиться", "делиться"):
            target = _with(r, verb)
        found.code, found.target = "064", target
        found.object_text = r.span_text(r.subtree(info[0]))
        return [found]
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
        owner = _with(r, verb, "у")
        found.target = owner if owner is not None and r.party(owner) else None
        return [found]
    obj = next(iter(r.kids(verb, "obj")), None)
    phone_noun = (
        obj is not None
        and r.lemma(obj) in PHONE_NOUNS
        and any(r.lemma(k).startswith("телефон") for k in r.kids(obj, "amod"))
    )
    by_phone = any(r.lemma(k) == "телефон" and r.case(k) == "по" for k in r.kids(verb, "obl"))
    if (
        (lemma in ("провести", "проводить") and phone_noun)
        or (lemma in PHONE_TALK and by_phone)
        or lemma == "созвониться"
    ):
        found.code = "041"
        found.target = _with(r, verb) or (_with(r, obj) if obj is not None else None)
        if phone_noun and obj is not None:
            found.trigger = [verb, obj]
        found.passive = False
        return [found]
    if lemma in PRAISE:
        if patient is None:
            return []
        found.code, found.target = "051", patient
        return [found]
    attack = _attack(r, verb, lemma, args, found)
    if attack is not None:
        return [attack]
    if lemma in STATEMENT and args.actor is not None:
        said = r.kids(verb, "ccomp", "obj")
        found.code = "010"
        found.object_text = r.span_text(r.subtree(said[0], frozenset())) if said else ""
        return [found]
    return []


def _planned(r: _Reader, verb: Any) -> bool:
    head = r.head(verb)
    return verb.rel == "xcomp" and head is not None and r.lemma(head) in PLAN


def _attack(r: _Reader, verb: Any, lemma: str, args: _Args, found: _Found) -> _Found | None:
    if lemma in ATTACK_VERBS:
        if args.patient is None and lemma != "напасть":
            return None
        found.code = ATTACK_VERBS[lemma]
        found.target = args.patient if lemma != "напасть" else _with(r, verb, "на")
        found.planned = _planned(r, verb)
        return found
    if lemma in PLAN | CARRY_OUT and args.patient is not None:
        noun = args.patient
        code = _attack_code(r, noun)
        if code is None:
            return None
        found.code, found.trigger = code, [verb, noun]
        found.planned = lemma in PLAN or _planned(r, verb)
        found.target = _attack_target(r, noun) or _with(r, verb, "против")
        return found
    return None


def find_facts_ru(text: str, mentions: Sequence[Mention]) -> list[Fact]:
    """Return the facts of a Russian article text, in text order."""
    r = _Reader(text, mentions)
    facts: list[Fact] = []
    for sent in r.sentences:
        r.sent = sent
        found: list[_Found] = []
        used: set[str] = set()
        for token in sent.tokens:
            if token.id in used:
                continue
            for item in _at(r, token):
                found.append(item)
                used.update(t.id for t in item.trigger)
        if any(f.code != "010" for f in found):
            found = [f for f in found if f.code != "010"]
        for item in found:
            facts.extend(_facts_of(r, item, sent))
    return sorted(facts, key=lambda f: (f.start, f.target_text))


def _side(r: _Reader, token: Any | None) -> list[tuple[int | None, str]]:
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


def _facts_of(r: _Reader, item: _Found, sent: _Sentence) -> list[Fact]:
    trigger = sorted(item.trigger, key=lambda t: t.start)
    start, end = trigger[0].start, trigger[-1].stop
    negated = r.negated(trigger[0])
    sentence_start = max(sent.start, r.text.rfind("\n", 0, start) + 1)
    newline = r.text.find("\n", end)
    sentence_end = min(sent.stop, newline if newline >= 0 else len(r.text))
    while sentence_end > sentence_start and r.text[sentence_end - 1].isspace():
        sentence_end -= 1
    facts = []
    for actor_index, actor_text in _side(r, item.actor):
        if item.code == "010" and (
            actor_index is None or r.mentions[actor_index].label not in _PARTIES
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
