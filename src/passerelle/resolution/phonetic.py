"""Spelling folds and phonetic keys for romanised name parts (lower-case ASCII tokens).

- :func:`fold` removes differences that romanisation systems and languages make for the
  same sound, and nothing else: Tsarnaev / Tsarnayev / Tsarnaiev, Arkadiy / Arkadii,
  Zelenskyy / Zelenskyi, Sergey / Sergei / Sergej, Abou / Abu, Nooristani / Nuristani,
  Emmanuel / Emanuel, Aleksandr / Alexandr, Dzhokhar / Djokhar.
- :func:`skeleton` keeps the consonants only (digraphs merged): the key that meets
  names written without short vowels (Arabic) and vowel spellings that differ
  (Usama / Osama, Muhammad / Mohamed). Used for blocking and cross-script comparison.
"""

from __future__ import annotations

import re
from functools import lru_cache

_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"x", "ks"),
        (r"ck", "k"),
        (r"ph", "f"),
        (r"dzh|dj", "j"),
        (r"(?<=[aeiou])[yij]e", "e"),  # Tsarnayev, Tsarnaiev -> Tsarnaev
        (r"^ye", "e"),  # Yelena / Elena
        (r"oo|ou", "u"),  # Nooristani, Abou, Poutine
        (r"(?:iy|ii|yy|yi|ij|y)$", "i"),  # Arkadiy / Arkadii, Zelenskyy / Zelensky
        (r"(?:ei|ej|ey)$", "ei"),  # Sergei / Sergej / Sergey
        (r"(.)\1+", r"\1"),  # Emmanuel, Assad, Hanniball
    )
)

_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("shch", "s"),
    ("kh", "x"),
    ("ch", "x"),
    ("sh", "s"),
    ("zh", "j"),
    ("th", "t"),
    ("dh", "d"),
    ("gh", "g"),
)
_CONSONANTS = str.maketrans({"q": "k", "c": "k", "z": "s", "p": "b"})
_DROP = re.compile(r"[aeiouyw']")


@lru_cache(maxsize=262144)
def fold(token: str) -> str:
    """Return the spelling-folded form of a lower-case ASCII token."""
    if not token.isalpha():
        return token
    out = token
    for pattern, replacement in _FOLDS:
        out = pattern.sub(replacement, out)
    return out


@lru_cache(maxsize=262144)
def skeleton(token: str) -> str:
    """Return the consonant skeleton of a token (vowels, w and y dropped; digraphs merged)."""
    if not token.isalpha():
        return token
    out = fold(token)
    for digraph, single in _DIGRAPHS:
        out = out.replace(digraph, single)
    out = _DROP.sub("", out.translate(_CONSONANTS))
    return re.sub(r"(.)\1+", r"\1", out)
