"""Language of a document and of each paragraph, by lingua.

The detector is built once per process, on first use (its models loaded then), and
knows only the languages intake may meet: French, English and Russian (read in full) and
a few neighbours (German, Spanish, Italian, Ukrainian, Arabic) so that a paragraph in one
of those is not called French.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from lingua import LanguageDetector

# Languages intake reads; others are detected but only named.
SUPPORTED: Final = ("fr", "en", "ru")
_CODES: Final = ("fr", "en", "ru", "de", "es", "it", "uk", "ar")
# Shorter paragraphs (a byline, a dateline) take the document's language.
_MIN_LETTERS: Final = 20
_PARAGRAPH: Final = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]+)*")


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    """Return the detector, built on first use with the models of all its languages.

    Preloaded, not left to lingua's lazy loading: otherwise the first paragraph that needs
    a language's model (a Cyrillic text with no letter only Russian has) loads it then,
    and a second article pays what the first did not."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in _CODES]
    builder = LanguageDetectorBuilder.from_languages(*languages)
    return builder.with_preloaded_language_models().build()


# Of the languages the detector knows, Russian and Ukrainian are written in Cyrillic: a
# text mostly in Cyrillic (a Latin brand or name aside) with ы or э, which Ukrainian does
# not write, and none of the letters of Ukrainian and Belarusian that Russian does not
# write, is Russian without asking the detector (a fifth of a millisecond a paragraph).
_ONLY_RUSSIAN: Final = frozenset("ыэЫЭ")
_NOT_RUSSIAN: Final = frozenset("іїєґўІЇЄҐЎ")
_CYRILLIC_LETTER: Final = re.compile(r"[\u0410-\u044f\u0401\u0451]")
_MOSTLY: Final = 0.8


def detect(text: str) -> str:
    """Return the ISO 639-1 code of the text's language, or ``""`` if it cannot tell."""
    letters = sum(map(str.isalpha, text))
    if letters < 3:
        return ""
    if _russian_by_letters(text, letters):
        return "ru"
    found = detector().detect_language_of(text)
    return found.iso_code_639_1.name.lower() if found is not None else ""


def _russian_by_letters(text: str, letters: int) -> bool:
    """Mostly Cyrillic, with ы or э, and no letter Russian does not write."""
    chars = set(text)
    return (
        not chars.isdisjoint(_ONLY_RUSSIAN)
        and chars.isdisjoint(_NOT_RUSSIAN)
        and len(_CYRILLIC_LETTER.findall(text)) >= _MOSTLY * letters
    )


def languages(text: str, told: str = "") -> tuple[str, list[tuple[int, int, str]]]:
    """Return the text's detected language and (start, end, language) of each paragraph,
    short ones in the language ``told`` (else the detected one).

    Each paragraph long enough is detected once; when all of them agree, that is the
    text's language, and the whole text is not read again (on a long article the detector
    costs as much as all its paragraphs together). Paragraphs that disagree, or none long
    enough, and the whole text decides, as :func:`detect` would."""
    found = _paragraphs(text)
    seen = {lang for _start, _end, lang in found if lang}
    detected = seen.pop() if len(seen) == 1 else detect(text)
    default = told or detected
    return detected, [(start, end, lang or default) for start, end, lang in found]


def _paragraphs(text: str) -> list[tuple[int, int, str]]:
    """(start, end, language) of each paragraph, ``""`` for those too short to tell."""
    spans = []
    for match in _PARAGRAPH.finditer(text):
        paragraph = match.group(0)
        letters = sum(map(str.isalpha, paragraph))
        lang = detect(paragraph) if letters >= _MIN_LETTERS else ""
        spans.append((match.start(), match.end(), lang))
    return spans
