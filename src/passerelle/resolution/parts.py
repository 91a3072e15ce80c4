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
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from passerelle.resolution.phonetic import fold
from passerelle.resolution.translit import script_of, to_latin

TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "president",
        "presidente",
        "presiden",
        "prasident",
        "praesident",
        "predsjednik",
        "presedintele",
        "prezident",
        "shaikh",
        "sheikh",
        "shaykh",
        "sheik",
        "monsieur",
        "madame",
        "mme",
        "mlle",
        "sir",
        "general",
        "gen",
        "colonel",
        "col",
        "emir",
        "mullah",
        "mulla",
        "maulvi",
        "mawlawi",
        "mufti",
        "imam",
        "king",
        "queen",
        "prince",
        "herr",
        "frau",
        "doctor",
        "lord",
    ]
)
PARTICLES = frozenset(
    [
        "al",
        "el",
        "ul",
        "ad",
        "ar",
        "as",
        "at",
        "ash",
        "an",
        "az",
        "bin",
        "ben",
        "ibn",
        "bint",
        "bn",
        "abn",
        "ould",
        "wuld",
        "de",
        "da",
        "das",
        "do",
        "dos",
        "du",
        "del",
        "della",
        "di",
        "la",
        "le",
        "van",
        "von",
        "der",
        "den",
        "ter",
        "y",
        "zu",
    ]
)
ORG_STOPWORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "for",
        "in",
        "on",
        "at",
        "a",
        "an",
        "al",
        "el",
        "le",
        "la",
        "les",
        "der",
        "die",
        "das",
        "de",
        "du",
        "des",
    ]
)
ABBREVIATIONS = {
    "intl": "international",
    "natl": "national",
    "mfg": "manufacturing",
    "assn": "association",
    "univ": "university",
    "bros": "brothers",
    "dept": "department",
    "abou": "abu",
    "abw": "abu",
}
PLACES = frozenset(
    [
        "europe",
        "european",
        "asia",
        "africa",
        "america",
        "americas",
        "international",
        "usa",
        "us",
        "uk",
        "gb",
        "china",
        "russia",
        "india",
        "germany",
        "deutschland",
        "france",
        "schweiz",
        "suisse",
        "switzerland",
        "italia",
        "italy",
        "espana",
        "spain",
        "nederland",
        "netherlands",
        "polska",
        "poland",
        "turkey",
        "turkiye",
        "japan",
        "korea",
        "iran",
        "iraq",
        "syria",
        "ukraine",
        "belarus",
        "kazakhstan",
        "uae",
        "dubai",
        "hong",
        "kong",
        "singapore",
        "cyprus",
        "malta",
        "panama",
        "canada",
        "australia",
        "brasil",
        "brazil",
        "mexico",
        "austria",
        "osterreich",
        "belgium",
        "sweden",
        "norway",
        "denmark",
        "finland",
    ]
)
PLACES = PLACES - {"international"}

# legal form (as a token sequence) -> type; types in one family are compatible
_CANON = {
    "aktiengesellschaft": "ag",
    "joint stock company": "jsc",
    "ao": "jsc",
    "aktsionernoe obshchestvo": "jsc",
    "open joint stock company": "ojsc",
    "oao": "ojsc",
    "otkrytoe aktsionernoe obshchestvo": "ojsc",
    "public joint stock company": "pjsc",
    "pao": "pjsc",
    "publichnoe aktsionernoe obshchestvo": "pjsc",
    "closed joint stock company": "cjsc",
    "zao": "cjsc",
    "societe anonyme": "sa",
    "public limited company": "plc",
    "gesellschaft mit beschrankter haftung": "gmbh",
    "limited liability company": "llc",
    "ooo": "llc",
    "obshchestvo s ogranichennoi otvetstvennostyu": "llc",
    "tov": "llc",
    "s r l": "srl",
    "societatea cu raspundere limitata": "srl",
    "societa a responsabilita limitata": "srl",
    "sp z oo": "spzoo",
    "sp z o o": "spzoo",
    "besloten vennootschap": "bv",
    "limited": "ltd",
    "proprietary limited": "ptyltd",
    "pty ltd": "ptyltd",
    "private limited": "pvtltd",
    "avtonomnaya nekommercheskaya organizatsiya": "ano",
    "company": "co",
    "corporation": "corp",
    "incorporated": "inc",
}
_LEGAL_FORMS: dict[tuple[str, ...], str] = {}
_LEGAL_FAMILY: dict[str, str] = {}
for _family, _forms in {
    "stock": (
        "ag;aktiengesellschaft;jsc;joint stock company;ojsc;open joint stock company;oao;"
        "ao;aktsionernoe obshchestvo;otkrytoe aktsionernoe obshchestvo;pao;pjsc;"
        "public joint stock company;publichnoe aktsionernoe obshchestvo;cjsc;zao;"
        "closed joint stock company;sa;societe anonyme;plc;public limited company;nv;spa;"
        "ab;oyj;as;asa;kgaa;se;bhd;berhad;tbk"
    ),
    "limited": (
        "gmbh;gesellschaft mit beschrankter haftung;llc;limited liability company;ooo;"
        "obshchestvo s ogranichennoi otvetstvennostyu;tov;srl;sarl;s r l;"
        "societatea cu raspundere limitata;societa a responsabilita limitata;spzoo;sp z oo;"
        "sp z o o;bv;besloten vennootschap;ltd;limited;pty;pty ltd;proprietary limited;"
        "llp;lp;fze;fzco;fzc;fzllc;doo;sro;kft;eood;ood;sdn bhd;sdn;pvt;private limited;"
        "pte;pte ltd;lda;limitada;ltda;kg;ohg;gbr;ug"
    ),
    "any": "co;company;corp;corporation;inc;incorporated;group;holding;enterprise;firm",
    "nonprofit": (
        "ano;avtonomnaya nekommercheskaya organizatsiya;ngo;foundation;fondation;stiftung;"
        "ev;association;trust"
    ),
}.items():
    for _form in _forms.split(";"):
        _canon = _CANON.get(_form, _form.replace(" ", ""))
        _LEGAL_FORMS[tuple(_form.split())] = _canon
        _LEGAL_FAMILY[_canon] = _family
_PERSON_LEGAL = frozenset(
    ["llc", "ltd", "limited", "inc", "gmbh", "sa", "ag", "plc", "corp", "ooo", "jsc"]
)
_LEGAL_MAX = max(len(k) for k in _LEGAL_FORMS)
# words that also name the thing (Trust, Foundation, Group...) are kept as name parts too
_ALSO_NAME = frozenset(
    ["trust", "foundation", "fondation", "stiftung", "association", "group", "holding"]
)

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


def _read_numbers(words: list[str]) -> list[str]:
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


def _legal(words: list[str], person: bool) -> tuple[list[str], set[str]]:
    """Take legal forms out (for persons only the unambiguous ones: Nicolas Maduro SA)."""
    kept: list[str] = []
    found: set[str] = set()
    i = 0
    while i < len(words):
        for size in range(min(_LEGAL_MAX, len(words) - i), 0, -1):
            form = _LEGAL_FORMS.get(tuple(words[i : i + size]))
            if form is not None and (not person or form in _PERSON_LEGAL):
                found.add(form)
                if size == 1 and form in _ALSO_NAME:
                    kept.append(words[i])
                i += size
                break
        else:
            fuzzy = _fuzzy_legal(words, i)
            if fuzzy is not None and not person:
                found.add(fuzzy[0])
                i += fuzzy[1]
                continue
            kept.append(words[i])
            i += 1
    return kept, found


def _near(form: str, joined: str) -> bool:
    return Levenshtein.distance(joined, form, score_cutoff=1) <= 1


def _fuzzy_legal(words: list[str], i: int) -> tuple[str, int] | None:
    """A long legal form with one letter wrong or missing (Aktiengeselschaft)."""
    for size in range(min(_LEGAL_MAX, len(words) - i), 0, -1):
        joined = "".join(words[i : i + size])
        if len(joined) < 9:
            continue
        for form_words, form in _LEGAL_FORMS.items():
            if len(form_words) == size and _near("".join(form_words), joined):
                return form, size
    return None


def legal_family(form: str) -> str:
    """Return the family of a legal form type: stock, limited, any, nonprofit."""
    return _LEGAL_FAMILY.get(form, "any")


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
    words = _read_numbers(words)
    optional_words = _read_numbers(optional_words)
    legal: set[str] = set()
    words, legal = _legal(words, person)
    optional_words, legal_optional = _legal(optional_words, person)
    legal |= legal_optional
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
    family: str | None = None
    if family_words:
        family_folded = [fold(w) for w in family_words if w not in PARTICLES]
        family = family_folded[-1] if family_folded else None
    else:
        names = [p.text for p in parts if p.role == "name" and not p.optional]
        family = names[-1] if len(names) > 1 else None
    return Parsed(name, tuple(parts), frozenset(legal), script, family)
