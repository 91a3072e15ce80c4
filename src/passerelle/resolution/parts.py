"""Name parts: a name cut into comparable parts, each with its role.

Persons: titles dropped (Mr, Dr, President, Shaikh...), particles dropped for the
comparison (al-/el-/ad-, bin/ben/ibn/bint, de/van/von...), abu/abou kept as a part,
Abd compounds split (Abdulkhaliq = Abd al-Khaliq = Abd Khaliq), patronymics marked
(-ovich, -evna, -ovych...: optional when one side lacks them), initials marked,
"FAMILY, Given" reordered with the family name known.
Organisations: legal forms taken out and reduced to a type (Aktiengesellschaft = AG,
OAO = Open Joint Stock Company, Sp. z o.o., OOO...), articles and linking words dropped,
country and region words optional, dotted acronyms joined (A.B.C. = ABC), number words
read (Forty-Four = 44, First = 1st = 1), abbreviations expanded (Int'l).
Both: camelCase split (VladimirPutin), digits inside words read as letters (Ig0r Sech1n),
parenthesised parts optional, any script romanised first (:mod:`translit`).

The words that are no name part are listed in :mod:`words`, legal forms in
:mod:`legal_forms`, number words in :mod:`number_words`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from passerelle.resolution.legal_forms import take_legal_forms
from passerelle.resolution.number_words import read_numbers
from passerelle.resolution.phonetic import fold
from passerelle.resolution.translit import script_of, to_latin
from passerelle.resolution.words import (
    ABBREVIATIONS,
    ORG_STOPWORDS,
    PARTICLES,
    PLACES,
    TITLES,
)

# The kinds of named thing resolution compares.
Kind = Literal["person", "organization", "location"]

_LEET = str.maketrans("013456789", "oieasgtbg")
PATRONYMIC = re.compile(
    r"(ovich|evich|ovych|evych|ovitch|evitch|ovic|evic|ovna|evna|ivna|ichna|oglu|ogly|qizi|kyzy)$"
)
_ABD = re.compile(r"^abd(?:ul|ol|el|al|il|ur|ar|ir|us|as|un|an|ud|ad|u)?(?=[a-z]{3})")
_ABD_WORDS = frozenset(
    ["abd", "abdu", "abdul", "abdel", "abdal", "abdol", "abdil", "abdur", "abdus"]
)
_DOTTED = re.compile(r"(?<![\w.])((?:[^\W\d_]\.\s?){2,})")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])|(?<=[a-z]{3})(?=[A-Z]{2,}\b)")
_PARENS = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class Part:
    """One comparable part of a name."""

    text: str  # folded form, compared
    raw: str  # romanised form, shown in explanations
    role: str  # name | initial | patronymic | number | abu
    optional: bool = False  # in parentheses, a place word: no penalty when unmatched


@dataclass(frozen=True)
class Parsed:
    """A name cut into parts."""

    original: str
    parts: tuple[Part, ...]
    legal: frozenset[str]  # legal form types found (organisations)
    script: str
    family: str | None  # folded family name when known (comma order) or presumed (last)


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", text) if w]


def _prepare(name: str, kind: str) -> str:
    text = unicodedata.normalize("NFC", name)
    text = _CAMEL.sub(" ", text)
    text = _DOTTED.sub(lambda m: re.sub(r"[.\s]", "", m.group(1)) + " ", text)
    text = text.replace("%", " percent ").replace("&", " and ")
    text = re.sub("['\u2019`\u02bc\u02bb\u00b4]", "", text)  # Qa'ida, Int'l, 'Ndrangheta
    del kind
    return text


def _split_words(segment: str, from_arabic: bool) -> list[str]:
    out: list[str] = []
    for word in _words(to_latin(segment)):
        if re.search(r"[a-z]\d|\d[a-z]", word) and not re.fullmatch(r"\d+(?:st|nd|rd|th)", word):
            word = word.translate(_LEET)  # Ig0r Sech1n
        word = ABBREVIATIONS.get(word, word)
        if word in _ABD_WORDS:
            out.append("abd")
            continue
        abd = _ABD.match(word)
        if abd and word != "abdu":
            rest = word[abd.end() :]
            if from_arabic and rest.startswith("al") and len(rest) > 4:
                rest = rest[2:]
            out.extend(("abd", rest))
            continue
        if from_arabic and word.startswith("al") and len(word) > 4:
            out.extend(("al", word[2:]))
            continue
        out.append(word)
    return out


@lru_cache(maxsize=65536)
def parse(name: str, kind: str = "person") -> Parsed:
    """Cut a name into parts (see the module's doc)."""
    script = script_of(name)
    text = _prepare(name, kind)
    optional_text = " ".join(_PARENS.findall(text))
    text = _PARENS.sub(" ", text)
    family_words: list[str] = []
    person = kind == "person"
    if person and text.count(",") == 1:
        family_text, given_text = text.split(",")
        family_words = _split_words(family_text, script == "arabic")
        text = given_text + " " + family_text
    from_arabic = script == "arabic"
    words = _split_words(text, from_arabic)
    optional_words = _split_words(optional_text, from_arabic)
    words = read_numbers(words)
    optional_words = read_numbers(optional_words)
    legal: set[str] = set()
    words, legal = take_legal_forms(words, person)
    optional_words, legal_optional = take_legal_forms(optional_words, person)
    legal |= legal_optional
    parts = _parts(words, optional_words, person, script)
    return Parsed(name, tuple(parts), frozenset(legal), script, _family(family_words, parts))


def _parts(words: list[str], optional_words: list[str], person: bool, script: str) -> list[Part]:
    """The parts of a name's words, each with its role (words that are no part left out)."""
    parts: list[Part] = []
    seen: set[str] = set()
    for word, optional in [(w, False) for w in words] + [(w, True) for w in optional_words]:
        if person and (word in TITLES or word in PARTICLES):
            continue
        if not person and word in ORG_STOPWORDS:
            continue
        folded = fold(word)
        if folded in seen:  # "Sergey Sergey Shoigu"
            continue
        seen.add(folded)
        if word.isdigit():
            role = "number"
        elif person and len(word) == 1:
            role = "initial"
        elif (
            person and script == "latin" and 1 < len(word) <= 3 and not re.search(r"[aeiouy]", word)
        ):
            for letter in word:  # "JC" Juncker: initials written together
                if letter not in seen:
                    seen.add(letter)
                    parts.append(Part(letter, letter, "initial", optional))
            continue
        elif person and PATRONYMIC.search(word) and len(word) > 6:
            role = "patronymic"
        elif word == "abu":
            role = "abu"
        else:
            role = "name"
        place = not person and word in PLACES
        parts.append(Part(folded, word, role, optional or place))
    return parts


def _family(family_words: list[str], parts: list[Part]) -> str | None:
    """The folded family name: the last word before the comma of "FAMILY, Given", else the
    last of two or more name parts."""
    if family_words:
        family_folded = [fold(w) for w in family_words if w not in PARTICLES]
        return family_folded[-1] if family_folded else None
    names = [p.text for p in parts if p.role == "name" and not p.optional]
    return names[-1] if len(names) > 1 else None


def acronym_of(parsed: Parsed) -> str:
    """Return the acronym of a name of two or more name parts ("" otherwise)."""
    core = [p for p in parsed.parts if not p.optional and p.role in ("name", "number")]
    return "".join(p.raw[0] for p in core) if len(core) >= 2 else ""
