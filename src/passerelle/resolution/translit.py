# ruff: noqa: RUF001, RUF002  (Cyrillic and Arabic letters that look like Latin ones, on purpose)
"""Romanisation by script: names in Cyrillic, Arabic and Latin brought to one Latin form.

- Cyrillic: our own table, the way the press and border systems write Russian names
  (ICAO 9303 / BGN without diacritics: Царнаев -> tsarnaev, Щукин -> shchukin,
  Юрий -> yuriy), with the Ukrainian letters (і ї є ґ, and г -> h, и -> y) when a name
  is Ukrainian; ъ and ь are dropped.
- Arabic (and Persian/Urdu letters): a consonantal romanisation (خ -> kh, ش -> sh,
  ع as a vowel, long vowels ا و ي -> a w y); short vowels are not written in Arabic, so
  the comparison of Arabic with Latin names goes through consonant skeletons
  (:func:`passerelle.resolution.phonetic.skeleton`).
- Latin with diacritics, and every other script (Greek, Armenian, Georgian, Hebrew,
  CJK, Kana, Khmer...): anyascii (ISC licence, table-driven, no native code).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from anyascii import anyascii

_SCRIPTS = ("LATIN", "CYRILLIC", "ARABIC")

# Russian romanisation as in passports and the press (ICAO 9303 style, e -> e, not ye).
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
    # Ukrainian, Belarusian, Serbian, Macedonian, Kazakh letters
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u", "ђ": "dj", "ј": "j", "љ": "lj",
    "њ": "nj", "ћ": "c", "џ": "dz", "ѓ": "gj", "ќ": "kj", "ѕ": "dz", "ә": "a", "ғ": "g",
    "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h",
}  # fmt: skip
_UKRAINIAN_MARKS = frozenset("іїєґ")
_UKRAINIAN = {"г": "h", "и": "y", "й": "i"}

# Arabic script (Arabic, Persian, Urdu letters) to a consonantal Latin form.
_ARABIC = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ء": "", "ؤ": "u", "ئ": "i",
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh",
    "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z",
    "ع": "a", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n",
    "ه": "h", "ة": "a", "و": "w", "ي": "y", "ى": "a",
    "پ": "p", "چ": "ch", "ژ": "zh", "گ": "g", "ک": "k", "ی": "y", "ے": "e", "ہ": "h",
    "ھ": "h", "ۀ": "h", "ٹ": "t", "ڈ": "d", "ڑ": "r", "ں": "n", "ـ": "",
    "ځ": "z", "څ": "ts", "ښ": "sh", "ږ": "zh", "ډ": "d", "ټ": "t", "ړ": "r", "ڼ": "n",
    "ۍ": "y", "ې": "e",
}  # fmt: skip


def script_of(name: str) -> str:
    """Return the main script of a name (most of its letters): latin, cyrillic, arabic, other."""
    counts: dict[str, int] = {}
    for char in name:
        if char.isalpha():
            label = unicodedata.name(char, "")
            script = next((s.lower() for s in _SCRIPTS if label.startswith(s)), "other")
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return "other"
    return max(counts, key=lambda s: (counts[s], s == "latin"))


def _cyrillic(text: str) -> str:
    lower = text.lower()
    ukrainian = any(c in _UKRAINIAN_MARKS for c in lower)
    out = []
    for char in lower:
        if ukrainian and char in _UKRAINIAN:
            out.append(_UKRAINIAN[char])
        elif char in _CYRILLIC:
            out.append(_CYRILLIC[char])
        else:
            out.append(char)
    return "".join(out)


def _arabic(text: str) -> str:
    out = []
    for char in text:
        if char in _ARABIC:
            out.append(_ARABIC[char])
        elif unicodedata.category(char) == "Mn":  # harakat, shadda, sukun
            continue
        else:
            out.append(char)
    return "".join(out)


@lru_cache(maxsize=65536)
def to_latin(name: str) -> str:
    """Romanise a name, script by script, keeping spaces and punctuation; lower case."""
    text = unicodedata.normalize("NFC", name)
    if any("\u0400" <= c <= "\u04ff" for c in text):
        text = _cyrillic(text)
    if any("\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f" for c in text):
        text = _arabic(text)
    return anyascii(text).lower()
