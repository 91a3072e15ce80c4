"""What the recognisers of every language share: spans, gazetteers, acronyms, variants.

A recogniser gathers candidate :class:`Span` s (from its model, its rules and the
gazetteers), keeps one of those that overlap (the gazetteer's, then the longest), gives
acronyms their long form, merges spelling variants, and returns them as
:class:`~passerelle.intake.model.Mention` s. Offsets are offsets into the article text: the
recognisers read the length-preserving normalised text (see :mod:`typography`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from anyascii import anyascii

from passerelle.intake.model import Mention
from passerelle.intake.typography import normalise
from passerelle.resolution.aliases import AliasData

#: The labels of the statistical recognisers' entity tags (spaCy's French model and
#: natasha's Russian one both tag PER, ORG and LOC).
NER_LABELS: Final = {"PER": "person", "ORG": "organization", "LOC": "location"}
#: The start of the source of every name of the shipped alias file of armed groups.
GROUPS_SOURCE: Final = "aliases:groups.json#"
#: Weight of a span from a gazetteer: it wins over the model's.
GAZETTEER_WEIGHT: Final = 2
#: Weight of a span from a model or rules: it wins over nothing.
MODEL_WEIGHT: Final = 1

PLATFORMS: Final = {
    "Telegram": "Telegram",
    "WhatsApp": "WhatsApp",
    "Whatsapp": "WhatsApp",
    "Facebook": "Facebook",
    "Instagram": "Instagram",
    "Twitter": "Twitter",
    "TikTok": "TikTok",
    "Tiktok": "TikTok",
    "YouTube": "YouTube",
    "Youtube": "YouTube",
    "VKontakte": "VKontakte",
    "Viber": "Viber",
    "Discord": "Discord",
    "Snapchat": "Snapchat",
    "Skype": "Skype",
    "WeChat": "WeChat",
    "Threema": "Threema",
    "Rutube": "Rutube",
    "Odnoklassniki": "Odnoklassniki",
    "Olvid": "Olvid",
}
# Platform names that are also common words or letters: only after a cue.
_WORD_CHARACTER: Final = re.compile(r"[\w-]")


class Word:
    r"""A pattern found as a whole word: the matches of ``(?<![\w-])(?:core)(?![\w-])``.

    A pattern that opens with a look-behind is tried at every position of the text: ``re``
    cannot skip to where its first letters are (some 30 times slower on an article than
    the bare name). This searches ``core`` followed by the look-ahead, and keeps a match
    only when the character before it is no word character, else searches again one
    character further: the same matches, in the same order, with the same groups.

    For a pattern that opens with letters (a name, ``[Тт]елеграм``), not for an
    alternation of many names: there the look-behind, failing at once inside a word, is
    what spares trying every name at every position."""

    def __init__(self, core: str) -> None:
        self.pattern = re.compile("(?:" + core + r")(?![\w-])")

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """Yield each whole-word match, left to right, as ``re.finditer`` would."""
        search, position = self.pattern.search, 0
        while (match := search(text, position)) is not None:
            start = match.start()
            if start and _WORD_CHARACTER.match(text, start - 1):
                position = start + 1
                continue
            yield match
            position = max(match.end(), start + 1)


@lru_cache(maxsize=2048)
def whole_word(core: str) -> Word:
    """The :class:`Word` of a pattern, compiled once per process."""
    return Word(core)


AMBIGUOUS_PLATFORMS: Final = {
    "Signal": "Signal",
    "X": "X",
    "VK": "VKontakte",
    "Messenger": "Messenger",
}
# Each platform name as a word, compiled once (``re``'s own cache of 512 patterns turns
# over with the per-article patterns of the recognisers).
_PLATFORM_PATTERNS: Final = [(Word(re.escape(n)), c) for n, c in PLATFORMS.items()]
_AMBIGUOUS_PATTERNS: Final = [(Word(re.escape(n)), c) for n, c in AMBIGUOUS_PLATFORMS.items()]
#: A Latin-script acronym (a pattern).
ACRONYM: Final = r"[A-ZÀ-Ý][A-ZÀ-Ý0-9&]{1,9}"
_LONG_THEN_ACRONYM: Final = re.compile(r"\(\s*(" + ACRONYM + r")\s*\)")
_ACRONYM_THEN_LONG: Final = re.compile(
    r"(?<![\w-])(" + ACRONYM + r")\s*\(\s*([A-ZÀ-Ý][^()\n]{3,120}?)\s*\)"
)
# Words an acronym has no initial of ("Direction générale de la sécurité intérieure": DGSI).
_SMALL_WORDS: Final = frozenset(str.split("de du des la le les l' d' et en à au aux pour sur"))


@dataclass
class Span:
    """A candidate mention: where it is, what it names, and how much it weighs."""

    start: int
    end: int
    label: str
    canonical: str
    weight: int


def as_mentions(text: str, spans: list[Span]) -> list[Mention]:
    """Return the spans as mentions of the article text, in text order."""
    return [
        Mention(s.start, s.end, text[s.start : s.end], s.label, s.canonical)
        for s in sorted(spans, key=lambda s: s.start)
    ]


# Gazetteers --------------------------------------------------------------------------


_PATTERNS: dict[str, tuple[re.Pattern[str], dict[str, tuple[str, str]]]] = {}


def _alias_patterns(aliases: AliasData) -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    """The patterns of a set of alias files, made once per process and set of files."""
    known = _PATTERNS.get(aliases.digest)
    if known is None:
        known = _PATTERNS[aliases.digest] = _make_alias_patterns(aliases)
    return known


def _make_alias_patterns(aliases: AliasData) -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    """One pattern for every Latin-script alias-file name; name -> (label, entity key).

    Two-letter names (EI, IS, AQ) are in it too, but count only in a text that also
    names their entity in full."""
    names: dict[str, tuple[str, str]] = {}
    for entity in aliases.entities:
        group = any(source.startswith(GROUPS_SOURCE) for _n, source in entity.names)
        label = "group" if group else entity.kind
        for name, _source in entity.names:
            if len(name) < 2 or not _latin(name):
                continue
            names.setdefault(normalise(name), (label, entity.key))
    ordered = sorted(names, key=len, reverse=True)
    if not ordered:  # no alias files: a pattern that matches nothing (not the empty string)
        return re.compile(r"(?!)"), names
    body = "|".join(re.escape(n) for n in ordered)
    return re.compile(r"(?<![\w-])(?:" + body + r")(?![\w-])"), names


def _latin(name: str) -> bool:
    return all(not c.isalpha() or ord(c) < 0x250 for c in name)


def alias_and_platform_spans(
    plain: str,
    aliases: AliasData,
    cue: re.Pattern[str],
    searched: str | None = None,
) -> list[Span]:
    """Return the spans of alias-file names and of messaging services and platforms.

    ``cue`` is what must come just before an ambiguous platform name (in the text's
    language). ``searched`` is the text the alias names are looked for in, when it differs
    from ``plain`` character for character (English capitalises "al-" first): offsets hold.
    """
    spans: list[Span] = []
    pattern, names = _alias_patterns(aliases)
    full: dict[str, str] = {}  # entity key -> the first full name the text gives it
    short: list[tuple[re.Match[str], str, str]] = []
    for match in pattern.finditer(plain if searched is None else searched):
        label, key = names[match.group(0)]
        if len(match.group(0)) <= 2:
            short.append((match, label, key))
            continue
        full.setdefault(key, match.group(0))
        spans.append(Span(match.start(), match.end(), label, match.group(0), GAZETTEER_WEIGHT))
    for match, label, key in short:
        if key in full:
            spans.append(Span(match.start(), match.end(), label, full[key], GAZETTEER_WEIGHT))
    for platform, canonical in _PLATFORM_PATTERNS:
        for match in platform.finditer(plain):
            spans.append(Span(match.start(), match.end(), "platform", canonical, GAZETTEER_WEIGHT))
    for platform, canonical in _AMBIGUOUS_PATTERNS:
        for match in platform.finditer(plain):
            if cue.search(plain[max(0, match.start() - 30) : match.start()]):
                spans.append(
                    Span(match.start(), match.end(), "platform", canonical, GAZETTEER_WEIGHT)
                )
    return spans


# Overlaps ----------------------------------------------------------------------------


def without_overlaps(spans: list[Span]) -> list[Span]:
    """Keep, among overlapping spans, the gazetteer's, then the longest."""
    ordered = sorted(spans, key=lambda s: (-s.weight, -(s.end - s.start), s.start))
    kept: list[Span] = []
    for span in ordered:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def span_at(spans: list[Span], start: int) -> Span | None:
    """Return the span that covers the offset ``start``, if any."""
    return next((s for s in spans if s.start <= start < s.end), None)


def with_span(spans: list[Span], new: Span) -> list[Span]:
    """Put a span in, instead of those it overlaps."""
    kept = [s for s in spans if s.end <= new.start or s.start >= new.end]
    return sorted([*kept, new], key=lambda s: s.start)


# Acronyms in Latin script ------------------------------------------------------------


def with_acronyms(plain: str, spans: list[Span]) -> list[Span]:
    """Give acronyms explained in the text their long form, everywhere in the text."""
    expansions: dict[str, tuple[str, str]] = {}  # acronym -> (long form, label)
    for match in _LONG_THEN_ACRONYM.finditer(plain):
        acronym = match.group(1)
        long_span = _long_form_before(plain, spans, match.start(), acronym)
        if long_span is not None:
            expansions.setdefault(acronym, (long_span.canonical, long_span.label))
    for match in _ACRONYM_THEN_LONG.finditer(plain):
        acronym, long_form = match.group(1), match.group(2)
        if acronym in expansions or len(long_form.split()) < 2:
            continue
        if not _initials_fit(acronym, long_form) and not span_at(spans, match.start(2)):
            continue
        at = span_at(spans, match.start(1))
        label = at.label if at is not None else "organization"
        expansions[acronym] = (long_form, label)
        spans = with_span(
            spans, Span(match.start(2), match.end(2), label, long_form, GAZETTEER_WEIGHT)
        )
    for acronym, (long_form, label) in expansions.items():
        for match in whole_word(re.escape(acronym)).finditer(plain):
            spans = with_span(
                spans, Span(match.start(), match.end(), label, long_form, MODEL_WEIGHT)
            )
        for span in spans:
            if span.canonical == long_form and span.label != label:
                span.label = label
    return spans


def _long_form_before(plain: str, spans: list[Span], paren: int, acronym: str) -> Span | None:
    """Return the long form an acronym in parentheses at ``paren`` explains, or None."""
    end = paren
    while end > 0 and plain[end - 1] == " ":
        end -= 1
    for span in spans:
        if span.end == end and span.canonical != acronym:
            return span
    words = list(re.finditer(r"[\w'-]+", plain[max(0, end - 160) : end]))
    offset = max(0, end - 160)
    for count in range(1, min(len(words), 12) + 1):
        first = words[-count]
        candidate = plain[offset + first.start() : end]
        if first.group(0)[0].isupper() and _initials_fit(acronym, candidate):
            span = Span(offset + first.start(), end, "organization", candidate, GAZETTEER_WEIGHT)
            spans.append(span)
            return span
    return None


def _initials_fit(acronym: str, long_form: str) -> bool:
    """Tell whether the acronym's letters are the initials of the long form's words."""
    words = [w for w in re.split(r"[\s'-]+", long_form) if w and w.lower() not in _SMALL_WORDS]
    initials = "".join(anyascii(w[0]).upper() for w in words)
    letters = anyascii("".join(c for c in acronym if c.isalpha())).upper()
    return initials == letters


def one_label_per_name(spans: list[Span]) -> None:
    """A name given several labels in one article ("Hilla" a place twice, a person once)
    takes the label given most often; on a tie each span keeps its own. A gazetteer's
    label counts a hundred times: it wins over the model's and the rules' guesses, and a
    gazetteer span a cue relabelled in one place ("ФБР" a group after "группа") takes the
    label the article gives it elsewhere."""
    votes: dict[str, dict[str, int]] = {}
    for span in spans:
        labels = votes.setdefault(span.canonical, {})
        weight = 100 if span.weight == GAZETTEER_WEIGHT else 1
        labels[span.label] = labels.get(span.label, 0) + weight
    for span in spans:
        labels = votes[span.canonical]
        if len(labels) > 1:
            own = span.label
            span.label = max(labels, key=lambda k: (labels[k], k == own))


# Spelling variants -------------------------------------------------------------------


def _fold(name: str) -> str:
    folded = anyascii(name).lower().replace("-", " ").replace("'", " ")
    return " ".join(folded.split())


def merge_variants(spans: list[Span]) -> None:
    """Give every spelling variant one canonical name; a surname alone, the full name."""
    folded: dict[str, str] = {}  # each name folded once (an article repeats its names)

    def fold(name: str) -> str:
        found = folded.get(name)
        if found is None:
            found = folded[name] = _fold(name)
        return found

    best: dict[str, str] = {}
    for span in spans:
        key = fold(span.canonical)
        known = best.get(key)
        if known is None or _accents(span.canonical) > _accents(known):
            best[key] = span.canonical
    full_names = [best[fold(s.canonical)] for s in spans if s.label == "person"]
    for span in spans:
        span.canonical = best[fold(span.canonical)]
        if span.label == "person" and " " not in span.canonical.strip():
            surname = fold(span.canonical)
            fuller = [n for n in full_names if " " in n and fold(n).split()[-1] == surname]
            if len(set(fuller)) == 1:
                span.canonical = fuller[0]


def _accents(name: str) -> int:
    return sum(not c.isascii() for c in name)
