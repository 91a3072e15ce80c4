"""What quotations share in every language: the quotation, its speaker's kinds, the
mentions it reads, and the cues a language gives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Protocol

#: What speaks a quotation: a name, a pronoun, a title, a document, or nobody known.
SPEAKER_KINDS: Final = ("person", "organization", "pronoun", "title", "communique", "unknown")
_AFTER_REACH: Final = 40  # a cue after the quote must start this close to the closing mark


class MentionLike(Protocol):
    """The shape of :class:`passerelle.intake.model.Mention` that quotes read."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def label(self) -> str: ...
    @property
    def canonical(self) -> str: ...


@dataclass(frozen=True)
class Quotation:
    """A direct quotation: its inner text span and its speaker.

    ``speaker_start``/``speaker_end`` cover the speaker expression as written (title and
    name, pronoun, or document). ``mention_index`` indexes the mentions passed in.
    ``organization`` is the organisation a title or document speaks for ("Kremlin" for
    "le porte-parole du Kremlin"), with its mention index if it is a mention.
    """

    start: int
    end: int
    text: str
    speaker: str
    speaker_start: int | None
    speaker_end: int | None
    speaker_kind: str
    mention_index: int | None
    unclosed: bool
    parent: int | None
    organization: str = ""
    organization_index: int | None = None


def words(text: str) -> list[str]:
    """Return the words of a text: a list written as one string."""
    return text.split()


@dataclass(frozen=True)
class Cues:
    """The cues and speaker expressions of one language."""

    cue: re.Pattern[str]
    title_np: re.Pattern[str]
    document_np: re.Pattern[str]
    pronoun: re.Pattern[str]
    honorific: re.Pattern[str]
    sentence_end: re.Pattern[str]
    org_of: re.Pattern[str]
    apposition: re.Pattern[str]
    after_reach: int = _AFTER_REACH
    speaker_before_verb: bool = False  # '"...", Peskov said' (en), '«...», — Песков заявил'
    cut_titles: bool = False
    thing_pronouns: frozenset[str] = frozenset()
    single_quotes: bool = False  # '...' and ''...'' are quotation marks too (English)
    # A legal charge named in quotes ("mis en examen pour « association de malfaiteurs
    # terroriste »"): what stands just before the quote, and how the quote begins.
    charge_before: re.Pattern[str] = re.compile(r"(?!)")
    charge_words: re.Pattern[str] = re.compile(r"(?!)")
    # A short quote the text attributes ("a fait part d'un « énorme choc »"): what ends
    # the words before it, in its sentence. Other short quotes are scare quotes.
    short_cue: re.Pattern[str] = re.compile(r"(?!)")
    # A past participle with no auxiliary before it is no speech ("une attaque qualifiée
    # de « ... »"): how a participle ends, and the auxiliary (and an adverb) before one.
    participle: re.Pattern[str] = re.compile(r"(?!)")
    auxiliary: re.Pattern[str] = re.compile(r"(?!)")
    # An infinitive's ending: no speech act of its own ("pour s'assurer que").
    infinitive: re.Pattern[str] = re.compile(r"(?!)")
    # A gerund's ending: its subject is its clause's ("she added, saying « ... »").
    gerund: re.Pattern[str] = re.compile(r"(?!)")
    # A passive auxiliary before a participle: words put to nobody named.
    passive: re.Pattern[str] = re.compile(r"(?!)")
    # The nouns that put a name in quotes: the newspaper « ... », the film « ... ».
    name_nouns: re.Pattern[str] = re.compile(r"(?!)")
    # The words of titles, to tell that two title phrases name the same role.
    title_words: frozenset[str] = frozenset()
