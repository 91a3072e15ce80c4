"""The speaker expressions of an article: named persons and organisations, pronouns,
titles and documents, and how each resolves to who speaks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from passerelle.intake.model import doc_text
from passerelle.intake.quotes.base import Cues, MentionLike
from passerelle.intake.quotes.marks import SPACES, Quote

if TYPE_CHECKING:
    from spacy.tokens import Doc

# The rest of a title's complement, then the comma of an apposition: "le président du
# Centre d'analyse [du terrorisme], Jean Dupont".
# What stands between a sentence's first person and the verb when the rest is an
# apposition: ", a top aide to Y, " (said), ", consultant to the Y government " (said).
_APPOSED: Final = re.compile(r"\s*,[^.;:!?\"“”«»\n]{1,90}?,?\s*")
# A sentence that ends inside its closing quotation mark: 'said it was "a good day."'.
_STOP_IN_QUOTE: Final = re.compile(r"[.!?…][\"”\u2019'»](?=\s)")
# A title, a comma, one word of age or kind, the name: "Оратор, 20-летний X", "the
# gunman, 25-year-old X".
_AGED_APPOSITION: Final = re.compile(r"\s*,\s*\d+[\w-]{1,14}\s+")
_OPENING_MARKS: Final = "\u00ab\u201c\u201e\u2039\"'"
_LOOSE_APPOSITION: Final = re.compile(r"\s+[^\W\d][^,.;:«»“”\"\n]{0,28}\s*,\s*")


@dataclass(frozen=True)
class Speaker:
    """A speaker expression: where it is written, its kind, the name it stands for."""

    start: int
    end: int
    kind: str  # person | organization | pronoun | title | communique
    name: str
    mention: int | None = None
    organization: str = ""
    organization_index: int | None = None


class Speakers:
    """The text, its mentions and quotes, and the speaker expressions found in it."""

    def __init__(
        self, doc: Doc, mentions: Sequence[MentionLike], spans: list[Quote], lang: Cues
    ) -> None:
        self.lang = lang
        self.text = doc_text(doc)
        self.mentions = mentions
        self.spans = spans
        self.candidates = self._candidates(doc)
        self._cues: dict[tuple[str, int, int], list[re.Match[str]]] = {}

    def cues(self, masked: str, start: int, end: int) -> list[re.Match[str]]:
        """Return the speech cues of ``masked[start:end]``, found once: several frames of a
        quote read the cues of the same stretch before it."""
        key = (masked, start, end)
        found = self._cues.get(key)
        if found is None:
            found = self._cues[key] = list(self.lang.cue.finditer(masked, start, end))
        return found

    def inside_quote(self, start: int, end: int) -> bool:
        """Tell whether start:end is inside a top-level quote."""
        return any(s.open < start and end <= s.outer_end for s in self.spans if s.parent is None)

    def names_in_quote(self, start: int, end: int) -> bool:
        """Whether the quote at start:end is a name: mostly a mention ("« État islamique
        »"), or after a noun that names things in quotes ("la revue « ... »")."""
        covered = sum(max(0, min(end, m.end) - max(start, m.start)) for m in self.mentions)
        if covered * 2 > end - start:  # more than half: "« Аллаху акбар »" is no name
            return True
        before = self.text[max(0, start - 40) : start].rstrip(SPACES + _OPENING_MARKS)
        return bool(self.lang.name_nouns.search(before))

    def _org_in(self, start: int, end: int) -> tuple[str, int | None]:
        for i, m in enumerate(self.mentions):
            if start <= m.start and m.end <= end and m.label != "person":
                return m.canonical, i
        found = self.lang.org_of.search(self.text[start:end])
        return (found.group(1), None) if found else ("", None)

    def _candidates(self, doc: Doc) -> list[Speaker]:
        text = self.text
        found: list[Speaker] = []
        lang = self.lang
        for pattern, kind in ((lang.title_np, "title"), (lang.document_np, "communique")):
            for m in pattern.finditer(text):
                start, end = m.start(), self._cut_at_person(m.start(), m.end())
                if end <= start:
                    continue
                org, org_i = self._org_in(start, end)
                found.append(Speaker(start, end, kind, text[start:end], None, org, org_i))
        phrases = list(found)
        for i, mention in enumerate(self.mentions):
            if any(p.start <= mention.start and mention.end <= p.end for p in phrases):
                continue
            kind = "person" if mention.label == "person" else "organization"
            honorific = lang.honorific.search(text, max(0, mention.start - 6), mention.start)
            start = honorific.start() if honorific else mention.start
            found.append(Speaker(start, mention.end, kind, mention.canonical, i))
        for ent in doc.ents:
            if ent.label_ not in ("PER", "ORG"):
                continue
            taken = any(c.start < ent.end_char and ent.start_char < c.end for c in found)
            if not taken:
                kind = "person" if ent.label_ == "PER" else "organization"
                found.append(Speaker(ent.start_char, ent.end_char, kind, ent.text))
        for m in lang.pronoun.finditer(text):
            found.append(Speaker(m.start(), m.end(), "pronoun", m[0]))
        return sorted(found, key=lambda c: (c.start, -c.end))

    def _cut_at_person(self, start: int, end: int) -> int:
        """English and Russian: a title phrase stops where a person's name starts
        ("Kremlin spokesman Dmitry Peskov"); French phrases are kept as matched."""
        if not self.lang.cut_titles:
            return end
        for m in self.mentions:
            if m.label == "person" and m.start < end and m.end > start:
                return len(self.text[start : m.start].rstrip(" ,")) + start
        return end

    def resolve_pronoun(self, start: int, end: int) -> Speaker:
        """Return the speaker a pronoun at start:end stands for: the subject of its sentence
        or of one of the two before (the first person named in it, outside quotes), the
        latest such; else the last person named before.

        For English "it", the last organisation named before."""
        thing = self.text[start:end].lower() in self.lang.thing_pronouns
        before = [
            i
            for i, m in enumerate(self.mentions)
            if (m.label == "person") != thing
            and m.label != "location"
            and m.end <= start
            and not self.inside_quote(m.start, m.end)
        ]
        if not before:
            return Speaker(start, end, "pronoun", "")
        best = max(before, key=lambda i: self.mentions[i].start)
        subject = None if thing else self._recent_subject(before, start)
        if subject is not None:
            best = subject
        return Speaker(start, end, "pronoun", self.mentions[best].canonical, best)

    def _recent_subject(self, persons: list[int], pos: int) -> int | None:
        """The latest of the persons who is the first person of its sentence, in the
        sentence at ``pos`` or the two before it."""
        ends = [m.end() for m in self.lang.sentence_end.finditer(self.text, 0, pos)]
        ends = sorted({*ends, *(m.end() for m in _STOP_IN_QUOTE.finditer(self.text, 0, pos))})
        floor = ends[-3] if len(ends) >= 3 else 0
        firsts: dict[int, int] = {}
        for i in persons:
            m = self.mentions[i]
            if m.start < floor:
                continue
            sentence = max((e for e in ends if e <= m.start), default=0)
            firsts.setdefault(sentence, i)
        return max(firsts.values(), key=lambda i: self.mentions[i].start) if firsts else None

    def resolve_document(self, doc_np: Speaker, before: int) -> Speaker:
        """Return a document as a speaker: the titled person who wrote it ("un communiqué
        du ministre de l'Intérieur, X"), else its organisation, else the last one named
        before."""
        if self._title_words(doc_np):
            for c in self.candidates:
                between = self.text[doc_np.end : c.start]
                if (
                    c.kind == "person"
                    and c.start >= doc_np.end
                    and self.lang.apposition.fullmatch(between)
                ):
                    return Speaker(
                        doc_np.start, c.end, "person", c.name, c.mention,
                        doc_np.organization, doc_np.organization_index,
                    )  # fmt: skip
        if doc_np.organization:
            return Speaker(
                doc_np.start, doc_np.end, "communique", doc_np.organization,
                doc_np.organization_index, doc_np.organization, doc_np.organization_index,
            )  # fmt: skip
        for i in range(len(self.mentions) - 1, -1, -1):
            m = self.mentions[i]
            if m.label != "person" and m.end <= before and not self.inside_quote(m.start, m.end):
                return Speaker(
                    doc_np.start, doc_np.end, "communique", m.canonical, i, m.canonical, i
                )
        return Speaker(doc_np.start, doc_np.end, "communique", doc_np.name)

    def with_apposition(self, speaker: Speaker) -> Speaker:
        """Return a title and the name next to it as one speaker, else the speaker as is.

        "le porte-parole du Kremlin, Dmitri Peskov" is Dmitri Peskov, for the Kremlin."""
        sep = self.lang.apposition
        if speaker.kind == "title":
            named = self._name_in_title(speaker)
            if named is not None:
                return named
            for c in self.candidates:
                between = self.text[speaker.end : c.start]
                if (
                    c.kind == "person"
                    and c.start >= speaker.end
                    and (
                        sep.fullmatch(between)
                        or _LOOSE_APPOSITION.fullmatch(between)
                        or _AGED_APPOSITION.fullmatch(between)
                    )
                ):
                    return Speaker(
                        speaker.start, c.end, "person", c.name, c.mention,
                        speaker.organization, speaker.organization_index,
                    )  # fmt: skip
        if speaker.kind == "person":
            for c in self.candidates:
                if c.kind != "title":
                    continue
                if c.end <= speaker.start and sep.fullmatch(self.text[c.end : speaker.start]):
                    return Speaker(
                        c.start, speaker.end, "person", speaker.name, speaker.mention,
                        c.organization, c.organization_index,
                    )  # fmt: skip
                if c.start >= speaker.end and sep.fullmatch(self.text[speaker.end : c.start]):
                    return Speaker(
                        speaker.start, c.end, "person", speaker.name, speaker.mention,
                        c.organization, c.organization_index,
                    )  # fmt: skip
        return speaker

    def _name_in_title(self, title: Speaker) -> Speaker | None:
        """A person named at the end of a title phrase, with no comma: "le ministre de
        l'Intérieur Bruno Retailleau" is Bruno Retailleau."""
        for i, m in enumerate(self.mentions):
            if m.label == "person" and title.start < m.start and m.end == title.end:
                org = "" if title.organization_index is None else title.organization
                return Speaker(
                    title.start, title.end, "person", m.canonical, i, org, title.organization_index
                )
        return None

    def named(self, speaker: Speaker, quote_open: int) -> Speaker:
        """Return who a speaker expression stands for: a pronoun, a document, a title."""
        if speaker.kind == "pronoun":
            return self.resolve_pronoun(speaker.start, speaker.end)
        if speaker.kind == "communique":
            return self.resolve_document(speaker, quote_open)
        found = self.with_apposition(speaker)
        if found.kind == "title":
            return self.resolve_title(found)
        return found

    def _titled(self, before: int) -> list[tuple[frozenset[str], Speaker]]:
        """The persons named with a title before ``before``, with the title's words: "le
        procureur de Paris, X", "X, le ministre de l'Intérieur"."""
        found = []
        for c in self.candidates:
            if c.start >= before or self.inside_quote(c.start, c.end):
                continue
            if c.kind == "title":
                named = self.with_apposition(c)
                if named.kind == "person":
                    found.append((self._title_words(c), named))
            elif c.kind == "person":
                named = self.with_apposition(c)
                if named.start < c.start or named.end > c.end:
                    found.append((self._title_words(named), named))
        return found

    def _title_words(self, speaker: Speaker) -> frozenset[str]:
        words = self.text[speaker.start : speaker.end].lower().replace("\u2019", "'").split()
        return frozenset(w for w in words if w in self.lang.title_words)

    def resolve_title(self, title: Speaker) -> Speaker:
        """A title with no name beside it ("le procureur", "the minister") stands for the
        person the article named with that title before (most title words in common,
        latest first), else for the latest person named with any title."""
        wanted = self._title_words(title)
        best: tuple[int, int, Speaker] | None = None
        for words, person in self._titled(title.start):
            key = (len(words & wanted), person.start, person)
            if best is None or key[:2] > best[:2]:
                best = key
        if best is None:
            return title
        person = best[2]
        return Speaker(
            title.start, title.end, "person", person.name, person.mention,
            title.organization or person.organization,
            title.organization_index if title.organization else person.organization_index,
        )  # fmt: skip

    def first_after(self, pos: int, limit: int) -> Speaker | None:
        """Return the first speaker expression (not a pronoun) within pos:limit."""
        for c in self.candidates:
            if pos <= c.start and c.end <= limit and c.kind != "pronoun":
                return c
        return None

    def apposed_head(self, found: Speaker, floor: int, pos: int) -> Speaker:
        """The person a speaker expression is apposed to, when the sentence opens with
        them: "X, a top aide to Y, said" is X, not Y."""
        for c in self.candidates:
            if c.start >= found.start:
                break
            if c.start < floor or c.kind != "person":
                continue
            if _APPOSED.fullmatch(self.text[c.end : pos]):
                return self.with_apposition(c)
            break
        return found

    def last_before(self, pos: int, floor: int) -> Speaker | None:
        """Return the speaker expression ending last within floor:pos (the longest)."""
        best = None
        for c in self.candidates:
            if c.start < floor or c.end > pos:
                continue
            if best is None or c.end > best.end or (c.end == best.end and c.start < best.start):
                best = c
        return best
