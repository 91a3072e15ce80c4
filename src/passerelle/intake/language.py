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


def detect(text: str) -> str:
    """Return the ISO 639-1 code of the text's language, or ``""`` if it cannot tell."""
    if sum(map(str.isalpha, text)) < 3:
        return ""
    found = detector().detect_language_of(text)
    return found.iso_code_639_1.name.lower() if found is not None else ""


def paragraph_languages(text: str, default: str = "") -> list[tuple[int, int, str]]:
    """Return (start, end, language) of each paragraph; short ones get ``default``."""
    spans = []
    for match in _PARAGRAPH.finditer(text):
        paragraph = match.group(0)
        letters = sum(map(str.isalpha, paragraph))
        lang = detect(paragraph) if letters >= _MIN_LETTERS else ""
        spans.append((match.start(), match.end(), lang or default))
    return spans
