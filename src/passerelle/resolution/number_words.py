"""Number words read as numbers: Forty-Four = 44, First = 1st = 1."""

from __future__ import annotations

import re

_NUMBERS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS_WORDS = [
    "_",
    "_",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
]
_TENS = {w: 10 * i for i, w in enumerate(_TENS_WORDS) if i >= 2}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}


def read_numbers(words: list[str]) -> list[str]:
    """Return words with number words, ordinals and "forty four" read as digits."""
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        ordinal = re.fullmatch(r"(\d+)(?:st|nd|rd|th)", word)
        if ordinal:
            out.append(ordinal.group(1))
        elif word in _ORDINALS:
            out.append(str(_ORDINALS[word]))
        elif word in _TENS:
            value = _TENS[word]
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if nxt in _NUMBERS and 0 < _NUMBERS[nxt] < 10:
                value += _NUMBERS[nxt]
                i += 1
            elif nxt.isdigit() and len(nxt) == 1 and nxt != "0":
                value += int(nxt)
                i += 1
            out.append(str(value))
        elif word in _NUMBERS:
            out.append(str(_NUMBERS[word]))
        else:
            out.append(word)
        i += 1
    return out
