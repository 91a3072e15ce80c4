# ruff: noqa: RUF001, RUF002  (Cyrillic letters, on purpose)
"""Reading natasha's parse of a Russian text: its sentences, tree, lemmas, features, and
the mentions its arguments name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from passerelle.intake.facts.base import PARTIES
from passerelle.intake.facts.ru.lexicon import NEEDS, PEOPLE, TRIGGER_POS, TRIGGERS
from passerelle.intake.model import Mention

# Dependents that are not part of an argument's phrase.
SKIP: Final = frozenset({"acl", "acl:relcl", "conj", "cc", "punct", "parataxis", "appos"})


@lru_cache(maxsize=1)
def _syntax() -> Any:
    from natasha import NewsEmbedding, NewsSyntaxParser

    return NewsSyntaxParser(NewsEmbedding())


@dataclass
class Sentence:
    """One parsed sentence: its tokens, by id and by head."""

    start: int
    stop: int
    tokens: list[Any]
    by_id: dict[str, Any] = field(default_factory=dict)
    kids: dict[str, list[Any]] = field(default_factory=dict)
    read: bool = True  # False: no verb with a trigger lemma, no fact to look for
    parsed: bool = False  # its syntax: ids, heads and relations, by_id and kids


@lru_cache(maxsize=1)
def trigger_forms() -> frozenset[str]:
    """Every form of the trigger lemmas in pymorphy's dictionary (lower case, ё as е).

    A word has a trigger lemma only if it is one of them: the others are not lemmatised
    to find out (most verbs and adjectives of a text; pymorphy's look-up is what costs).
    A word pymorphy does not know, whose guessed lemma would be a trigger, is missed."""
    from passerelle.intake.mentions import ru

    vocab = ru.models().vocab
    forms: set[str] = set()
    for lemma in TRIGGERS:
        for parse in vocab(lemma):
            if _folded(parse.normal) == lemma:
                forms.update(_folded(form.word) for form in parse.lexeme)
    return frozenset(forms)


def may_be_trigger(word: str) -> bool:
    """Whether a word is a form of a trigger lemma (:func:`trigger_forms`)."""
    return _folded(word) in trigger_forms()


def _folded(word: str) -> str:
    """A word as natasha's lemmatiser looks it up: lower case, ё as е."""
    return word.lower().replace("ё", "е")


def _tagged(text: str) -> Any:
    """Return natasha's Doc of the text, segmented and morph-tagged."""
    from natasha import Doc

    from passerelle.intake.mentions import ru

    models = ru.models()
    doc = Doc(text)
    doc.segment(models.segmenter)
    doc.tag_morph(models.morph)
    return doc


def _parse_syntax(sentences: Sequence[Sequence[Any]], indexes: Sequence[int]) -> None:
    """Parse the sentences (their tokens) at ``indexes`` in the text; ids as natasha gives
    them (``3_7``: the 7th token of the 3rd sentence), whichever sentences are parsed.

    The parser reads 8 sentences at a time, each padded to the longest of them: sent
    shortest first, they are padded less (the padding is masked: the parse is the same)."""
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
    chunk = [[t.text for t in sentences[i]] for i in order]
    if not chunk:
        return
    for i, markup in zip(order, _syntax().map(chunk), strict=True):
        k, tokens = indexes[i], sentences[i]
        for token, parsed in zip(tokens, markup.tokens, strict=True):
            token.id = f"{k + 1}_{parsed.id}"
            token.head_id = f"{k + 1}_{parsed.head_id}"
            token.rel = parsed.rel


def without_cycles(sent: Sentence) -> None:
    """Make every token whose chain of heads loops a root of its sentence.

    natasha's parser may give a token as its own head ("...и сколько людей задержали, в ФСБ
    не сообщают.": задержали, a ``conj`` of itself) or make two tokens each other's head;
    every reading of the tree assumes it is one, so the loop is cut where it closes."""
    root_id = f"{sent.tokens[0].id.split('_')[0]}_0" if sent.tokens else "0_0"
    for token in sent.tokens:
        seen = {token.id}
        current = token
        while (head := sent.by_id.get(current.head_id)) is not None:
            if head.id in seen:
                current.head_id, current.rel = root_id, "root"
                break
            seen.add(head.id)
            current = head


class Reader:
    """natasha's parse of a text, its mentions, and the sentence being read (``sent``).

    ``parsed`` is natasha's segmented Doc of the same text when the caller has one (the
    entity recogniser's, :func:`passerelle.intake.mentions.ru.parse`, morph-tagged where
    names are): it is read as is, not segmented again; the sentences with a form of a
    trigger lemma are morph-tagged if they are not yet. Only the sentences where a verb
    or participle has a trigger lemma (:data:`.lexicon.TRIGGERS`), with the word its rule
    needs (:data:`.lexicon.NEEDS`), are parsed for syntax (the others can hold no fact),
    and, when a pronoun's antecedent is sought there, the sentence before one. Lemmas are
    found when a rule asks for one."""

    def __init__(self, text: str, mentions: Sequence[Mention], parsed: Any | None = None) -> None:
        from passerelle.intake.mentions import ru

        self.vocab = ru.models().vocab
        doc = parsed if parsed is not None and parsed.text == text else _tagged(text)
        self.text = text
        self.mentions = mentions
        self._doc = doc
        # the recogniser's parse has morphology where names are: the sentences with a
        # form of a trigger lemma get theirs (the others can hold no fact)
        ru.tag_morph(
            doc,
            [
                k
                for k, sent in enumerate(doc.sents)
                if any(may_be_trigger(t.text) for t in sent.tokens)
            ],
        )
        self.sentences = [
            Sentence(sent.start, sent.stop, list(sent.tokens), read=self._may_trigger(sent.tokens))
            for sent in doc.sents
        ]
        # the sentence before one, where a pronoun's antecedent is sought, is parsed when
        # :meth:`antecedent` asks (not every pronoun needs it)
        self.parse([k for k, sent in enumerate(self.sentences) if sent.read])
        self.sent = self.sentences[0] if self.sentences else Sentence(0, 0, [])

    def _may_trigger(self, tokens: Sequence[Any]) -> bool:
        lemmas = [
            self.lemma(t)
            for t in tokens
            if t.pos in TRIGGER_POS and may_be_trigger(t.text) and self.lemma(t) in TRIGGERS
        ]
        if not lemmas:
            return False
        words = [_folded(t.text) for t in tokens]
        return any(
            lemma not in NEEDS or any(w.startswith(NEEDS[lemma]) for w in words) for lemma in lemmas
        )

    def parse(self, indexes: Sequence[int]) -> None:
        """Parse the sentences at ``indexes`` that are not parsed yet, and make their trees."""
        from passerelle.intake.mentions import ru

        wanted = [k for k in indexes if not self.sentences[k].parsed]
        ru.tag_morph(self._doc, wanted)  # a rule reads the lemmas of any sentence parsed
        _parse_syntax([self.sentences[k].tokens for k in wanted], wanted)
        for k in wanted:
            found = self.sentences[k]
            found.parsed = True
            found.by_id = {token.id: token for token in found.tokens}
            without_cycles(found)
            for token in found.tokens:
                found.kids.setdefault(token.head_id, []).append(token)

    # tree -------------------------------------------------------------------------
    def kids(self, token: Any, *rels: str) -> list[Any]:
        """Return the token's dependents (in one of the relations ``rels``, if given)."""
        found = self.sent.kids.get(token.id, [])
        return [k for k in found if not rels or k.rel in rels]

    def head(self, token: Any) -> Any | None:
        """Return the token's head in the current sentence, or None for its root."""
        return self.sent.by_id.get(token.head_id)

    def lemma(self, token: Any) -> str:
        """Return the token's lemma, lower-cased (natasha's, found on first use)."""
        if token.lemma is None:
            token.lemmatize(self.vocab)
        return str(token.lemma or token.text).lower()

    def case(self, token: Any) -> str:
        """Return the preposition introducing a token ("с сторона" for "со стороны"), or ""."""
        for kid in self.kids(token, "case"):
            fixed = [self.lemma(f) for f in self.kids(kid, "fixed")]
            return " ".join([self.lemma(kid), *fixed])
        return ""

    def feat(self, token: Any, name: str) -> str:
        """Return a morphological feature of the token ("Pass" for ``Voice``), or ""."""
        return str(token.feats.get(name, "")) if token.feats else ""

    def walk(self, token: Any, follow: Callable[[Any], bool]) -> list[Any]:
        """Return the token and the dependents ``follow`` accepts, and theirs, depth first
        in tree order; iterative, and each token once, whatever the parse."""
        found: list[Any] = []
        seen: set[str] = set()
        stack = [token]
        while stack:
            current = stack.pop()
            if current.id in seen:
                continue
            seen.add(current.id)
            found.append(current)
            stack.extend(reversed([k for k in self.kids(current) if follow(k)]))
        return found

    def subtree(self, token: Any, skip: frozenset[str] = SKIP) -> list[Any]:
        """Return the token and its dependents, but for those in the relations ``skip``."""
        return self.walk(token, lambda kid: kid.rel not in skip)

    def phrase(self, token: Any) -> list[Any]:
        """Return the noun phrase of an argument, without clauses or prepositional phrases.

        "сотрудниками ФСБ в Москве" gives "сотрудниками ФСБ"."""
        return self.walk(
            token,
            lambda kid: (
                kid.rel not in SKIP and kid.rel not in ("case", "mark") and not self.case(kid)
            ),
        )

    def span_text(self, tokens: Sequence[Any]) -> str:
        """Return the text the tokens span, without punctuation or a leading preposition."""
        listed = [t for t in tokens if t.pos not in ("PUNCT",)]
        listed = sorted(listed, key=lambda t: t.start)
        while listed and listed[0].pos in ("ADP", "CCONJ", "SCONJ"):
            listed.pop(0)
        if not listed:
            return ""
        return self.text[listed[0].start : listed[-1].stop]

    def conjuncts(self, token: Any) -> list[Any]:
        """Return the token and the nominals coordinated with it."""
        return self.walk(
            token, lambda kid: kid.rel == "conj" and kid.pos in ("NOUN", "PROPN", "PRON")
        )

    # mentions ---------------------------------------------------------------------
    def mention_of(self, token: Any) -> int | None:
        """Return the mention an argument names: its own, else a party in its phrase."""
        for i, m in enumerate(self.mentions):
            if m.start < token.stop and m.end > token.start:
                if m.label == "location" and self.case(token):
                    return None  # "в Москве" is where, not whom
                return i
        phrase = self.subtree(token, SKIP | {"nmod:loc"})
        low = min(t.start for t in phrase)
        high = max(t.stop for t in phrase)
        for i, m in enumerate(self.mentions):
            if m.start < high and m.end > low and m.label in PARTIES:
                return i
        return None

    def party(self, token: Any) -> bool:
        """Tell whether a token names a person, organisation or group mention."""
        index = self.mention_of(token)
        return index is not None and self.mentions[index].label in PARTIES

    def animate(self, token: Any) -> bool:
        """Tell whether a token may be people: a pronoun, a name, a people or counted noun."""
        if token.pos in ("PRON", "PROPN") or self.party(token):
            return True
        if any(k.rel.startswith("nummod") for k in self.kids(token)):
            return True
        low = token.text.lower()
        return any(low.startswith(p) or self.lemma(token).startswith(p) for p in PEOPLE)

    def negated(self, token: Any) -> bool:
        """Tell whether ``не`` negates the trigger or its governor."""
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
        """Return the party a pronoun before ``before`` stands for, if any.

        The subject of the previous sentence's root, else the last party mentioned before
        ``before`` in this sentence or the previous one."""
        floor = 0
        for k, sent in enumerate(self.sentences):
            if sent is self.sent:
                floor = self.sentences[k - 1].start if k else sent.start
                if k:
                    self.parse([k - 1])
                    subject = self._root_subject(self.sentences[k - 1])
                    if subject is not None:
                        return subject
        best = None
        for i, m in enumerate(self.mentions):
            if m.label in PARTIES and floor <= m.start and m.end <= before:
                best = i
        return best

    def _root_subject(self, sent: Sentence) -> int | None:
        current = self.sent
        self.sent = sent
        try:
            for root in sent.kids.get(f"{sent.tokens[0].id.split('_')[0]}_0", []):
                for kid in self.kids(root, "nsubj"):
                    index = self.mention_of(kid)
                    if index is not None and self.mentions[index].label in PARTIES:
                        return index
            return None
        finally:
            self.sent = current
