"""Facts in an English article, by rules over spaCy's blank tokenizer and the mentions.

No English parser model can be had offline, so there is no dependency parse: a trigger
word is found in a sentence, then its actor is the nearest person, organisation or group
mention before it that is not the object of a preposition (else the words of the noun
phrase before it), and its target the mention (or noun phrase) right after it or after
the preposition the trigger wants. Codes and labels are those of :mod:`facts`.

Rules:

- ``173``: "X arrested/detained/apprehended/captured Y"; passive "Y was/were arrested
  (by X)"; "the arrest/detention of Y (by X)". The target must be a mention, a people
  noun, a number or a pronoun.
- ``064``: "X shared/passed/provided/gave/sent/supplied ... information/intelligence/data/
  a tip (to|with) Y", "X gave Y information"; passive "information was passed to Y by X",
  "intelligence provided by X to Y"; "X warned/alerted/tipped off Y" (Y a party).
- ``051``: "X thanked/praised/commended Y" (not "thanks to").
- ``041``: "X spoke/talked/held talks (by|on the|over the) phone/telephone with Y",
  "X phoned Y", "X and Y spoke by phone".
- ``1711``: "X seized/confiscated Z (from Y)", "Z was seized", "the seizure of Z".
- ``18x``: "plot/plan/prepare to bomb/attack/blow up/assassinate/kidnap Y" (planned),
  "planned/plotted an attack (on|against) Y" (planned), "carried out/committed/staged/
  launched an attack/a bombing...", "X bombed/attacked/kidnapped/assassinated Y". A
  bombing word (bomb, explosive, suicide, car bomb, blow up) makes an attack 183.
- ``010``: "X said/announced/stated/declared" with X a named party right before the
  verb, when the sentence has no other fact.

A pronoun subject (he, she, it, they) is the most recent party mention before it, in the
sentence or the one before (``actor_inferred``). Negation: "not", "n't", "never" within
the three words before the trigger, or "denied" before it.

Limits: no clause structure, so a long subject with a relative clause, coordinated verbs
("arrested X and questioned Y"), or an actor far from its verb are missed or misread; a
mention before the verb that is not its subject (a fronted adverbial "In a statement
the FSB...") is taken only if no preposition precedes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from passerelle.intake.facts import LABELS, Fact
from passerelle.intake.model import Mention

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

_PARTIES: Final = frozenset({"person", "organization", "group"})
_PREPOSITIONS: Final = frozenset(
    [
        "in",
        "at",
        "on",
        "from",
        "of",
        "to",
        "with",
        "by",
        "for",
        "near",
        "into",
        "over",
        "under",
        "about",
        "after",
        "during",
        "against",
        "across",
        "inside",
        "outside",
        "between",
    ]
)
_BE: Final = frozenset(["was", "were", "is", "are", "been", "being", "be"])
_AUX: Final = frozenset(
    [
        "has",
        "have",
        "had",
        "was",
        "were",
        "is",
        "are",
        "been",
        "be",
        "also",
        "reportedly",
        "allegedly",
    ]
)
_PRONOUNS: Final = frozenset({"he", "she", "it", "they"})
_NEGATIONS: Final = frozenset({"not", "n't", "never", "no"})
_STOP: Final = frozenset(
    [
        "who",
        "which",
        "that",
        "and",
        "but",
        "while",
        "when",
        "after",
        "before",
        "because",
        "as",
        ",",
        ";",
        ":",
        ".",
        "(",
        ")",
        "--",
        "—",
        "\u2013",
    ]
)
ARREST: Final = re.compile(r"(?:arrest|detain|apprehend|captur)(?:s|es|ed|ing|e|d)?$")
ARREST_NOUNS: Final = frozenset({"arrest", "arrests", "detention"})
PEOPLE: Final = frozenset(
    [
        "man",
        "men",
        "woman",
        "women",
        "person",
        "people",
        "suspect",
        "suspects",
        "member",
        "members",
        "militant",
        "militants",
        "citizen",
        "citizens",
        "national",
        "nationals",
        "spy",
        "spies",
        "agent",
        "agents",
        "officer",
        "officers",
        "soldier",
        "soldiers",
        "fighter",
        "fighters",
        "supporter",
        "supporters",
        "terrorist",
        "terrorists",
        "operative",
        "operatives",
        "leader",
        "leaders",
        "resident",
        "residents",
        "student",
        "students",
        "individual",
        "individuals",
        "cell",
        "accomplice",
        "accomplices",
        "recruiter",
        "recruiters",
    ]
)
SHARE: Final = frozenset(
    [
        "share",
        "shares",
        "shared",
        "sharing",
        "pass",
        "passes",
        "passed",
        "passing",
        "provide",
        "provides",
        "provided",
        "providing",
        "give",
        "gives",
        "gave",
        "given",
        "hand",
        "hands",
        "handed",
        "send",
        "sends",
        "sent",
        "transmit",
        "transmitted",
        "supply",
        "supplies",
        "supplied",
        "forward",
        "forwarded",
        "relay",
        "relayed",
    ]
)
SHARE_IF_NAMED: Final = frozenset(["warned", "alerted", "warns", "alerts", "tipped"])
INFORMATION: Final = frozenset(
    [
        "information",
        "intelligence",
        "data",
        "details",
        "tip",
        "tips",
        "tip-off",
        "warning",
        "warnings",
    ]
)
PRAISE: Final = frozenset(
    ["thank", "thanks", "thanked", "praise", "praised", "praises", "commended", "hailed"]
)
TALK: Final = frozenset(["spoke", "speaks", "talked", "talks", "held", "holds", "had", "discussed"])
PHONE: Final = frozenset({"phone", "telephone"})
CALL: Final = frozenset({"phoned", "telephoned", "rang"})
SEIZE: Final = frozenset(
    ["seize", "seizes", "seized", "seizing", "confiscate", "confiscated", "confiscates"]
)
STATEMENT: Final = frozenset(["said", "announced", "stated", "declared", "says", "announces"])
PLAN: Final = frozenset(
    [
        "plot",
        "plots",
        "plotted",
        "plotting",
        "plan",
        "plans",
        "planned",
        "planning",
        "prepare",
        "prepared",
        "preparing",
        "prepares",
        "conspired",
        "conspiring",
        "intended",
    ]
)
CARRY_OUT: Final = frozenset(
    [
        "carried",
        "carry",
        "carries",
        "committed",
        "commit",
        "staged",
        "stage",
        "launched",
        "launch",
        "conducted",
        "perpetrated",
    ]
)
ATTACK_VERBS: Final = {
    "bomb": "183",
    "bombed": "183",
    "blow": "183",
    "attack": "180",
    "attacked": "180",
    "assassinate": "186",
    "assassinated": "186",
    "kidnap": "181",
    "kidnapped": "181",
    "abduct": "181",
    "abducted": "181",
}
ATTACK_NOUNS: Final = {
    "attack": "180",
    "attacks": "180",
    "assault": "180",
    "bombing": "183",
    "bombings": "183",
    "assassination": "186",
    "kidnapping": "181",
    "abduction": "181",
}
BOMB_WORDS: Final = frozenset(["bomb", "bombs", "explosive", "explosives", "suicide", "car-bomb"])


@dataclass
class _Side:
    index: int | None
    text: str


@dataclass
class _Found:
    code: str
    start: int
    end: int
    verb: str
    actor: _Side
    target: _Side
    object_text: str = ""
    passive: bool = False
    planned: bool = False
    inferred: bool = False
    negated: bool = False


class _Reader:
    def __init__(self, doc: Doc, mentions: Sequence[Mention]) -> None:
        self.doc = doc
        self.text = doc.text
        self.mentions = mentions

    def mention_at(self, token: Token) -> int | None:
        for i, m in enumerate(self.mentions):
            if m.start < token.idx + len(token) and m.end > token.idx:
                return i
        return None

    def party(self, index: int | None) -> bool:
        return index is not None and self.mentions[index].label in _PARTIES

    def after(self, sent: Span, at: int, skip_det: bool = True, conj: bool = False) -> _Side:
        """The mention or noun phrase starting at token ``at`` (a sentence index)."""
        tokens = list(sent)
        while skip_det and at < len(tokens) and tokens[at].lower_ in ("the", "a", "an"):
            at += 1
        if at >= len(tokens):
            return _Side(None, "")
        index = self.mention_at(tokens[at])
        if index is not None and self.mentions[index].label != "location":
            return _Side(index, self.mentions[index].text)
        words: list[Token] = []
        for token in tokens[at:]:
            low = token.lower_
            joined = conj and low in ("and", ",") and len(words) > 0
            if not joined and (low in _STOP or low in _PREPOSITIONS or token.is_punct):
                break
            if len(words) >= 8:
                break
            if words and self.mention_at(token) is not None and low not in ("the",):
                found = self.mention_at(token)
                if found is not None and self.mentions[found].label == "location":
                    break
            words.append(token)
        if not words:
            return _Side(None, "")
        first, last = words[0], words[-1]
        index = next((self.mention_at(t) for t in words if self.party(self.mention_at(t))), None)
        return _Side(index, self.text[first.idx : last.idx + len(last)])

    def before(self, sent: Span, at: int) -> tuple[_Side, bool]:
        """The subject before token ``at``: (side, inferred from a pronoun)."""
        tokens = list(sent)
        k = at - 1
        while k >= 0 and (tokens[k].lower_ in _AUX or tokens[k].lower_.endswith("ly")):
            k -= 1
        if k >= 0 and tokens[k].lower_ in _PRONOUNS:
            index = self.antecedent(sent, tokens[k].idx, tokens[k].lower_)
            if index is not None:
                return _Side(index, self.mentions[index].text), True
            return _Side(None, tokens[k].text), False
        for j in range(k, -1, -1):
            token = tokens[j]
            if token.lower_ in (";", ":") or (token.lower_ in _STOP and token.lower_ != ","):
                break
            index = self.mention_at(token)
            if (
                index is None
                or not self.party(index)
                or self.mentions[index].end > token.idx + len(token)
            ):
                continue
            first = next(t for t in tokens if t.idx >= self.mentions[index].start)
            if (
                first.i - sent.start > 0
                and tokens[first.i - sent.start - 1].lower_ in _PREPOSITIONS
            ):
                continue
            return _Side(index, self.mentions[index].text), False
        words: list[Token] = []
        for j in range(k, -1, -1):
            token = tokens[j]
            if token.is_punct or token.lower_ in _STOP or token.lower_ in _PREPOSITIONS:
                break
            words.insert(0, token)
            if len(words) >= 6:
                break
        while words and words[0].lower_ in ("the", "a", "an"):
            words.pop(0)
        if not words:
            return _Side(None, ""), False
        return _Side(None, self.text[words[0].idx : words[-1].idx + len(words[-1])]), False

    def antecedent(self, sent: Span, before: int, pronoun: str = "they") -> int | None:
        sents = list(self.doc.sents)
        k = next(i for i, s in enumerate(sents) if s.start == sent.start)
        floor = sents[k - 1].start_char if k else sent.start_char
        if k:  # the subject of the previous sentence: its first party not after a preposition
            for token in sents[k - 1]:
                index = self.mention_at(token)
                if index is None or self.mentions[index].start != token.idx:
                    continue
                if token.i > 0 and self.doc[token.i - 1].lower_ in _PREPOSITIONS:
                    continue
                if self._fits(index, pronoun):
                    return index
                break
        best = None
        for i, m in enumerate(self.mentions):
            if floor <= m.start and m.end <= before and self._fits(i, pronoun):
                best = i
        return best

    def _fits(self, index: int, pronoun: str) -> bool:
        label = self.mentions[index].label
        if pronoun in ("he", "she"):
            return label == "person"
        if pronoun == "it":
            return label in ("organization", "group")
        return label in _PARTIES

    def by(self, sent: Span, at: int, word: str = "by") -> _Side:
        tokens = list(sent)
        for j in range(at, len(tokens)):
            if tokens[j].lower_ == word:
                return self.after(sent, j + 1)
            if tokens[j].lower_ in (";",):
                break
        return _Side(None, "")


def _animate(r: _Reader, side: _Side) -> bool:
    if r.party(side.index):
        return True
    words = side.text.lower().split()
    return bool(words) and (
        bool(set(words) & PEOPLE)
        or words[0].isdigit()
        or words[0] in _PRONOUNS | {"them", "him", "her"}
        or words[0]
        in (
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "several",
            "dozens",
        )
    )


def _negated(tokens: list[Token], at: int) -> bool:
    window = [t.lower_ for t in tokens[max(0, at - 3) : at]]
    return bool(set(window) & _NEGATIONS) or any(t.lower_.startswith("denie") for t in tokens[:at])


def _passive(tokens: list[Token], at: int) -> bool:
    k = at - 1
    while k >= 0 and tokens[k].lower_.endswith("ly"):
        k -= 1
    return k >= 0 and tokens[k].lower_ in _BE


def _at(r: _Reader, sent: Span, k: int) -> _Found | None:
    tokens = list(sent)
    token = tokens[k]
    low = token.lower_
    nxt = tokens[k + 1].lower_ if k + 1 < len(tokens) else ""

    def found(code: str, actor: _Side, target: _Side, end_token: Token | None = None) -> _Found:
        last = end_token or token
        return _Found(code, token.idx, last.idx + len(last), low, actor, target)

    # nominalisations: "the arrest of Y by X", "the seizure of Z"
    if low in ARREST_NOUNS and nxt == "of":
        target = r.after(sent, k + 2)
        if not _animate(r, target):
            return None
        fact = found("173", r.by(sent, k + 2), target)
        fact.passive = bool(fact.actor.text)
        return fact
    if low == "seizure" and nxt == "of":
        fact = found("1711", r.by(sent, k + 2), _Side(None, ""))
        fact.object_text = r.after(sent, k + 2).text
        return fact if fact.object_text else None
    if not token.is_alpha:
        return None
    passive = _passive(tokens, k)
    previous = tokens[k - 1].lower_ if k else ""
    verbal = low not in ARREST_NOUNS or previous in _NEGATIONS | {"to", "will", "would", "did"}
    if ARREST.match(low) and verbal and low != "captures":
        if passive:
            patient, _ = r.before(sent, k)
            fact = found("173", r.by(sent, k + 1), patient)
            fact.passive = True
        else:
            actor, inferred = r.before(sent, k)
            fact = found("173", actor, r.after(sent, k + 1))
            fact.inferred = inferred
        return fact if _animate(r, fact.target) else None
    if low in SHARE:
        window = tokens[max(0, k - 4) : k + 9]
        info = [t for t in window if t.lower_ in INFORMATION]
        if not info:
            return None
        info_before = info[0].i < token.i
        if passive or (info_before and nxt == "by"):
            fact = found("064", r.by(sent, k + 1), r.by(sent, k + 1, "to"))
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
            fact = found("064", actor, target)
            fact.inferred = inferred
        fact.object_text = (
            info[0].text if info_before else r.after(sent, info[0].i - sent.start, False).text
        )
        return fact
    if low in SHARE_IF_NAMED:
        target = r.after(sent, k + 2 if low == "tipped" else k + 1)
        if not r.party(target.index):
            return None
        actor, inferred = r.before(sent, k)
        fact = found("064", actor, target)
        fact.inferred = inferred
        return fact
    if low in PRAISE and nxt != "to":
        actor, inferred = r.before(sent, k)
        target = r.after(sent, k + 1)
        if not target.text:
            return None
        fact = found("051", actor, target)
        fact.inferred = inferred
        return fact
    near = [t.lower_ for t in tokens[k + 1 : k + 5]]
    if (low in TALK and set(near) & PHONE) or low in CALL:
        actor, inferred = r.before(sent, k)
        target = r.by(sent, k + 1, "with") if low not in CALL else r.after(sent, k + 1)
        if not target.text:
            pair = _pair_before(r, tokens, k)
            if pair is not None:
                actor, target = pair
        fact = found("041", actor, target)
        fact.inferred = inferred
        return fact
    if low in SEIZE:
        if passive:
            patient, _ = r.before(sent, k)
            fact = found("1711", r.by(sent, k + 1), r.by(sent, k + 1, "from"))
            fact.object_text, fact.passive = patient.text, True
        else:
            actor, inferred = r.before(sent, k)
            fact = found("1711", actor, r.by(sent, k + 1, "from"))
            fact.object_text = r.after(sent, k + 1, conj=True).text
            fact.inferred = inferred
        if not r.party(fact.target.index):
            fact.target = _Side(None, "")
        return fact if fact.object_text else None
    return _attack(r, sent, tokens, k, found)


def _pair_before(r: _Reader, tokens: list[Token], k: int) -> tuple[_Side, _Side] | None:
    """ "X and Y spoke by phone": X the actor, Y the target."""
    named: list[int] = []
    for token in tokens[:k]:
        index = r.mention_at(token)
        if index is not None and r.party(index) and (not named or named[-1] != index):
            named.append(index)
    if len(named) >= 2 and any(t.lower_ == "and" for t in tokens[:k]):
        a, b = named[-2], named[-1]
        return _Side(a, r.mentions[a].text), _Side(b, r.mentions[b].text)
    return None


def _attack(r: _Reader, sent: Span, tokens: list[Token], k: int, found: object) -> _Found | None:
    token = tokens[k]
    low = token.lower_
    nxt = tokens[k + 1].lower_ if k + 1 < len(tokens) else ""

    def bombish(words: list[Token]) -> bool:
        return any(t.lower_ in BOMB_WORDS for t in words)

    def make(code: str, end: Token, actor: _Side, target: _Side) -> _Found:
        return _Found(code, token.idx, end.idx + len(end), low, actor, target)

    if low in PLAN and nxt == "to" and k + 2 < len(tokens):
        verb = tokens[k + 2]
        code = ATTACK_VERBS.get(verb.lower_)
        if code is None:
            return None
        actor, inferred = r.before(sent, k)
        at = k + 3
        if verb.lower_ == "blow" and at < len(tokens) and tokens[at].lower_ == "up":
            at += 1
        fact = make(code, verb, actor, r.after(sent, at))
        fact.planned, fact.inferred, fact.verb = True, inferred, f"{low} to {verb.lower_}"
        return fact
    previous = tokens[k - 1].lower_ if k else ""
    if low in PLAN | CARRY_OUT and previous not in ("a", "an", "the", "about", "of"):
        j = k + 1
        if low in CARRY_OUT and nxt == "out":
            j += 1
        window = tokens[j : j + 4]
        noun = next((t for t in window if t.lower_ in ATTACK_NOUNS), None)
        if noun is None:
            return None
        code = ATTACK_NOUNS[noun.lower_]
        if code == "180" and bombish(window):
            code = "183"
        actor, inferred = r.before(sent, k)
        at = noun.i - sent.start + 1
        target = _Side(None, "")
        if at < len(tokens) and tokens[at].lower_ in ("on", "against"):
            target = r.after(sent, at + 1)
        fact = make(code, noun, actor, target)
        fact.planned, fact.inferred = low in PLAN, inferred
        fact.verb = f"{low} {noun.lower_}"
        return fact
    if low in ATTACK_VERBS and low.endswith("ed") and not _passive(tokens, k):
        actor, inferred = r.before(sent, k)
        target = r.after(sent, k + 1)
        if not (r.party(actor.index) and target.text):
            return None
        fact = make(ATTACK_VERBS[low], token, actor, target)
        fact.inferred = inferred
        return fact
    return None


def find_facts_en(doc: Doc, mentions: Sequence[Mention]) -> list[Fact]:
    """Return the facts of an English article (a blank-tokenizer Doc with sentences)."""
    r = _Reader(doc, mentions)
    facts: list[Fact] = []
    for sent in doc.sents:
        tokens = list(sent)
        found: list[_Found] = []
        k = 0
        while k < len(tokens):
            item = _at(r, sent, k)
            if item is None and tokens[k].lower_ in STATEMENT:
                actor, _ = r.before(sent, k)
                if r.party(actor.index) and not _negated(tokens, k):
                    item = _Found(
                        "010",
                        tokens[k].idx,
                        tokens[k].idx + len(tokens[k]),
                        tokens[k].lower_,
                        actor,
                        _Side(None, ""),
                    )
                    item.object_text = r.text[tokens[k].idx + len(tokens[k]) : sent.end_char].strip(
                        " ."
                    )
            if item is not None:
                item.negated = _negated(tokens, k)
                found.append(item)
                while k < len(tokens) and tokens[k].idx < item.end:
                    k += 1
                continue
            k += 1
        if any(f.code != "010" for f in found):
            found = [f for f in found if f.code != "010"]
        for item in found:
            facts.append(_fact(r, item, sent))
    return sorted(facts, key=lambda f: (f.start, f.target_text))


def _fact(r: _Reader, item: _Found, sent: Span) -> Fact:
    text = r.text
    start = max(sent.start_char, text.rfind("\n", 0, item.start) + 1)
    newline = text.find("\n", item.end)
    end = min(sent.end_char, newline if newline >= 0 else len(text))
    while end > start and text[end - 1].isspace():
        end -= 1
    return Fact(
        code=item.code,
        label=LABELS[item.code],
        actor_index=item.actor.index,
        target_index=item.target.index,
        actor_text=item.actor.text,
        target_text=item.target.text,
        object_text=item.object_text,
        verb=item.verb,
        start=item.start,
        end=item.end,
        sentence_start=start,
        sentence_end=end,
        sentence=text[start:end],
        negated=item.negated,
        passive=item.passive,
        actor_inferred=item.inferred,
        planned=item.planned,
    )
