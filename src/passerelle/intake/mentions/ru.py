# ruff: noqa: RUF001, RUF002, RUF003  (Cyrillic letters, on purpose)
"""Russian entities: natasha (NewsNERTagger, NewsMorphTagger, offline), then press fixes.

natasha reads the length-preserving normalised text (see :mod:`typography`), so its
offsets are offsets into the article text. PER, ORG and LOC become person, organization
and location; the canonical name is natasha's nominative (``Путина`` gives ``Путин``),
for an organisation only up to its head noun (``Федеральной службы безопасности`` gives
``Федеральная служба безопасности``, not ``... безопасность``). Then, as in
:mod:`.fr` (with the span helpers of :mod:`.base`):

- gazetteers win over the model: the Cyrillic names of the alias files, matched with
  case endings (``Исламского государства``, ``ИГИЛ``); groups become ``group``, with the
  file's name as canonical; ``ФСБ России`` is one mention, canonical ``ФСБ``; messaging
  services and platforms in Latin or Cyrillic spelling (``в Телеграме``) are ``platform``;
- seats of power speak for their occupants (``Кремль``, ``Белый дом``, ``Пентагон``,
  ``Лубянка``...): organisations, except after a preposition of place (``в Кремле``);
- titles (``г-н``, ``президент``...) and quotation marks are stripped from spans; a name
  after a group cue (``террористическая организация «X»``, ``ЧВК «Вагнер»``) is a group;
- acronyms explained in the text, ``Федеральная служба безопасности (ФСБ)``, give every
  mention of the acronym the long form;
- a surname alone takes the full name of a person named earlier.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from passerelle.intake.mentions.base import (
    AMBIGUOUS_PLATFORMS,
    GAZETTEER_WEIGHT,
    GROUPS_SOURCE,
    MODEL_WEIGHT,
    NER_LABELS,
    PLATFORMS,
    Span,
    as_mentions,
    merge_variants,
    one_label_per_name,
    span_at,
    whole_word,
    with_span,
    without_overlaps,
)
from passerelle.intake.mentions.ru_names import (
    platform_compound,
    same_names,
    whole_body,
)
from passerelle.intake.model import Mention
from passerelle.intake.typography import normalise
from passerelle.resolution.aliases import AliasData

_W: Final = r"[а-яёА-ЯЁ]"

# Platforms in Cyrillic, with their case endings (pattern -> canonical name).
CYRILLIC_PLATFORMS: Final = {
    r"[Тт]елеграмм?" + _W + r"{0,3}": "Telegram",
    r"[Вв]атс[аа]пп?" + _W + r"{0,3}": "WhatsApp",
    r"[Вв]отсапп?" + _W + r"{0,3}": "WhatsApp",
    r"ВКонтакте|Вконтакте": "VKontakte",
    r"Фейсбук" + _W + r"{0,3}": "Facebook",
    r"Инстаграм" + _W + r"{0,3}": "Instagram",
    r"Твиттер" + _W + r"{0,3}": "Twitter",
    r"Ютуб" + _W + r"{0,3}|ЮТуб" + _W + r"{0,3}": "YouTube",
    r"Тик[Тт]ок" + _W + r"{0,3}": "TikTok",
    r"Вайбер" + _W + r"{0,3}": "Viber",
    r"Рутуб" + _W + r"{0,3}": "Rutube",
    r"Одноклассник" + _W + r"{0,3}": "Odnoklassniki",
}
_PLATFORM_CUE: Final = re.compile(
    r"(мессенджер\w*|приложени\w*|соцсет\w*|сет\w*|платформ\w*|канал\w*|аккаунт\w*|через|в)"
    r"\s+$",
    re.I,
)
# Seats of power that speak for their occupants (pattern -> canonical name).
SEATS: Final = {
    r"Кремл" + _W + r"{0,2}": "Кремль",
    r"Бел" + _W + r"{2,3} дом" + _W + r"{0,2}": "Белый дом",
    r"Елисейск" + _W + r"{2,3} двор" + _W + r"{0,3}": "Елисейский дворец",
    r"Даунинг-стрит": "Даунинг-стрит",
    r"Пентагон" + _W + r"{0,2}": "Пентагон",
    r"Лубянк" + _W + r"{0,2}": "Лубянка",
    r"Смольн" + _W + r"{1,2}": "Смольный",
}
_LOCATIVE: Final = re.compile(
    r"(?:^|[\s«(])(?:в|во|из|у|к|ко|около|возле|перед|над|под|за|до|на|от)\s+$", re.I
)
_TITLE: Final = re.compile(
    r"^(?:г-н|г-жа|г\.|господин\w*|госпож\w*|президент\w*|премьер\w*|министр\w*|"
    r"генерал\w*|полковник\w*|директор\w*|глав\w*|руководител\w*|пресс-секретар\w*|"
    r"представител\w*|спикер\w*|депутат\w*|посол|посла|послу|судь\w*|мэр\w*|"
    r"губернатор\w*|лидер\w*|главарь|главар\w*|эксперт\w*|журналист\w*)\s+",
    re.I,
)
_EDGE: Final = " \t\n.,;:!?«»\"\u201c\u201d\u201e'()[]\u2014\u2013-\u2026/"
_GROUP_CUE: Final = re.compile(
    r"(?:группировк\w*|организаци\w*|движени\w*|ЧВК|формировани\w*|ячейк\w*|"
    r"батальон\w*|бригад\w*|отряд\w*)\s*(?:[«\"\u201e\u201c]\s*)?$",
    re.I,
)
_ACRONYM: Final = r"[А-ЯЁA-Z][А-ЯЁA-Z0-9]{1,7}"
_LONG_THEN_ACRONYM: Final = re.compile(r"\(\s*(" + _ACRONYM + r")\s*\)")
# "ФСБ России", "СВР РФ": one mention, the acronym is the name.
_OF_RUSSIA: Final = r"(?:\s+(?:России|РФ|Российской Федерации))"
_FUNCTION_WORDS: Final = frozenset(
    str.split(
        "По Но Для Это Этот Эта Эти Он Она Они Оно После До При Как Так Если Вчера Сегодня "
        "Завтра Понедельник Вторник Среда Четверг Пятница Суббота Воскресенье Господин "
        "ЧВК"  # "частная военная компания": the name follows it
        " СМИ КПП СИЗО Интернет Интернета Интернете Запад Запада Западе Западом"  # common nouns
    )
)
# A code of law names its country as part of its title: "ст. 275 УК РФ".
_CODE_OF: Final = re.compile(r"(?<![\w-])(?:УК|УПК|КоАП|ГК|НК|АПК)\s+$")
# A people in the plural ("Иорданцы", "Британцев"): no place.
_PEOPLE: Final = re.compile(r"[А-ЯЁ][а-яё]+(?:цы|цев)")
# A name right after a building's kind: "в СИЗО «Лефортово»".
_BUILDING_BEFORE: Final = re.compile(
    r"(?i:СИЗО|мечет\w*|тюрьм\w*|колони\w*|аэропорт\w*|больниц\w*|госпитал\w*|"
    r"вокзал\w*|стадион\w*)\s*«?\s*$"
)
# Buildings and sites named for themselves: places ("СИЗО «Лефортово»", "мечеть Аль-Акса").
_BUILDING: Final = re.compile(
    r"(?i:СИЗО|мечет|церк[оо]в|собор|храм|тюрьм|колони|аэропорт|больниц|госпитал|вокзал|"
    r"стадион)"
)


@dataclass(frozen=True)
class Models:
    """natasha's models, which the Russian fact reader shares."""

    segmenter: Any
    ner: Any
    morph: Any
    vocab: Any


@lru_cache(maxsize=1)
def models() -> Models:
    """Return natasha's segmenter, taggers and vocabulary, loaded once on first use.

    The process's BLAS (OpenBLAS, numpy's) is held to one thread then: natasha multiplies
    small matrices, where a second thread gains a tenth of the wall time and spins the
    rest, so that reading an article cost twice the CPU (measured on the press set: 0.88
    against 0.48 CPU s for the 15 Russian articles; docs/benchmarks.md)."""
    from natasha import NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    embedding = NewsEmbedding()
    return Models(Segmenter(), NewsNERTagger(embedding), NewsMorphTagger(embedding), _vocab())


def _vocab() -> Any:
    """Return natasha's vocabulary, its pymorphy2 dictionary named by path.

    Left to find the dictionary itself, pymorphy2 looks it up through ``pkg_resources``,
    which setuptools 83 and later (what misp-stix requires) no longer have; the path of
    the installed ``pymorphy2-dicts-ru`` package is what that lookup would have found.
    """
    import pymorphy2_dicts_ru
    from natasha import MorphVocab
    from natasha.morph.vocab import MorphForm
    from pymorphy2 import MorphAnalyzer

    class Vocab(MorphVocab):  # type: ignore[misc]
        def __init__(self) -> None:
            MorphAnalyzer.__init__(self, path=pymorphy2_dicts_ru.get_path(), result_type=MorphForm)

    return Vocab()


def parse(text: str) -> Any:
    """Return natasha's Doc of the normalised text: segmented, NER-tagged, and
    morph-tagged in the sentences a name of it touches (what the recogniser reads).

    natasha's own ``Doc.tag_ner`` tokenises the text a second time (its tagger takes a
    text); here the tagger reads the Doc's tokens, the same razdel tokens, and its tags
    become spans on their offsets: the same spans. The morphology of the other sentences
    is left to whoever reads them (:func:`tag_morph`; the fact reader tags those with a
    trigger word): a sentence is tagged alone, so its tags do not depend on which others
    are tagged with it."""
    from natasha import Doc

    loaded = models()
    doc = Doc(normalise(text))
    doc.segment(loaded.segmenter)
    _tag_ner(doc, loaded.ner)
    named = [
        k
        for k, sent in enumerate(doc.sents)
        if any(span.start < sent.stop and span.stop > sent.start for span in doc.spans)
    ]
    tag_morph(doc, named)
    return doc


def _tag_ner(doc: Any, tagger: Any) -> None:
    """natasha's NER over the Doc's tokens: its spans, their tokens and sentences."""
    from natasha.doc import DocSpan
    from slovnet.bio import bio_spans

    words = [token.text for token in doc.tokens]
    if not doc.text.strip() or not words:
        doc.spans = []
        return
    infer = tagger.infer
    tags = next(iter(infer.decoder(infer.process(infer.encoder([words])))))
    doc.spans = [
        DocSpan(span.start, span.stop, span.type, doc.text[span.start : span.stop])
        for span in bio_spans(doc.tokens, tags)
    ]
    doc.envelop_span_tokens()
    doc.envelop_sent_spans()


def tag_morph(doc: Any, indexes: Sequence[int]) -> None:
    """Morph-tag the Doc's sentences at ``indexes`` that are not tagged yet."""
    sents = [doc.sents[k] for k in indexes if doc.sents[k].tokens]
    sents = [sent for sent in sents if sent.tokens[0].pos is None]
    if not sents:
        return
    words = [[token.text for token in sent.tokens] for sent in sents]
    for sent, markup in zip(sents, models().morph.map(words), strict=True):
        for token, tagged in zip(sent.tokens, markup.tokens, strict=True):
            token.pos, token.feats = tagged.pos, tagged.feats


def sentences(doc: Any) -> list[tuple[int, int]]:
    """Return the (start, end) of each sentence of a parsed Doc."""
    return [(s.start, s.stop) for s in doc.sents]


def extract(text: str, aliases: AliasData, doc: Any | None = None) -> list[Mention]:
    """Return the entity mentions of a Russian article text, in text order."""
    doc = doc if doc is not None else parse(text)
    plain: str = doc.text
    spans = _trimmed_spans(plain, _gazetteer_spans(plain, aliases))
    # the gazetteer's spans that win below (over the model's, whatever their names): a
    # model span under one, or with no name left once trimmed, is not inflected for
    # nothing (trimming moves a span's ends by the text alone)
    held = without_overlaps(spans)
    vocab = models().vocab
    for ent in doc.spans:
        label = NER_LABELS.get(ent.type)
        if label is None:
            continue
        for start, end in _split_parentheses(plain, ent.start, ent.stop):
            bare = _trimmed(plain, Span(start, end, label, "", MODEL_WEIGHT))
            if bare is None or any(bare.start < k.end and bare.end > k.start for k in held):
                continue
            name = _nominative(ent, vocab, start, end)
            spans.extend(_trimmed_spans(plain, [Span(start, end, label, name, MODEL_WEIGHT)]))
    spans = without_overlaps(spans)
    spans = [platform_compound(plain, whole_body(plain, s)) for s in spans]
    spans = without_overlaps(spans)
    spans = [
        s
        for s in spans
        if not _PEOPLE.fullmatch(plain[s.start : s.end])
        and not _CODE_OF.search(plain, max(0, s.start - 8), s.start)
    ]
    spans = _with_acronyms(plain, spans)
    for span in spans:
        _relabel(plain, span)
    merge_variants(spans)
    same_names(plain, spans)
    one_label_per_name(spans)
    return as_mentions(text, spans)


# natasha spans -----------------------------------------------------------------------


def _split_parentheses(plain: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``Федеральная служба безопасности (ФСБ)`` into its two names."""
    piece = plain[start:end]
    match = re.search(r"\(\s*([^()]+?)\s*\)\s*$", piece)
    if match is None or match.start() == 0:
        return [(start, end)]
    return [(start, start + match.start()), (start + match.start(1), start + match.end(1))]


def _nominative(ent: Any, vocab: Any, start: int, end: int) -> str:
    """natasha's normal form of the part [start, end) of a span; for an organisation,
    only the words up to the head noun change (the genitive complement stays)."""
    written = [t for t in ent.tokens if t.start >= start and t.stop <= end]
    if not written:
        return ""
    if len(written) != len(ent.tokens):
        return " ".join(_lemma(t, vocab) if t.pos == "PROPN" else t.text for t in written)
    normal = _normal(ent, vocab) or ent.text
    if ent.type != "ORG":
        return normal
    words, originals = normal.split(), [t.text for t in written]
    if len(words) != len(originals):
        return normal
    head = next((i for i, t in enumerate(written) if t.pos in ("NOUN", "PROPN")), len(words))
    return " ".join(words[: head + 1] + originals[head + 1 :])


# natasha's normal forms of spans, by their words, tags and spacing: pymorphy's
# inflection is slow, and a name comes back (in an article, and from one to the next).
# Per process, like pymorphy's own cache of word analyses; emptied when full.
_NORMALS: dict[tuple[Any, ...], str] = {}
_NORMALS_HELD: Final = 20_000


def _normal(ent: Any, vocab: Any) -> str:
    """natasha's normal form of a span (what ``ent.normalize`` gives), computed once per
    process for the same words with the same tags."""
    if ent.tokens and all((t.feats or {}).get("Case") == "Nom" for t in ent.tokens):
        # every word nominative already: its own normal form (natasha's inflection
        # gives it back; 110 of the press set's 356 spans, all 110 alike), not inflected
        return str(ent.text)
    first = ent.tokens[0].start if ent.tokens else 0
    key = (ent.type, tuple(_token_key(t, first) for t in ent.tokens))
    normal = _NORMALS.get(key)
    if normal is None:
        if len(_NORMALS) >= _NORMALS_HELD:
            _NORMALS.clear()
        ent.normalize(vocab)
        normal = _NORMALS[key] = str(ent.normal or "")
    return normal


def _token_key(token: Any, first: int) -> tuple[Any, ...]:
    feats = tuple(sorted((token.feats or {}).items()))
    at = (token.start - first, token.stop - first)
    return (token.text, token.pos, feats, token.id, token.head_id, *at)


def _lemma(token: Any, vocab: Any) -> str:
    token.lemmatize(vocab)
    lemma = str(token.lemma or token.text)
    return lemma[:1].upper() + lemma[1:] if token.text[:1].isupper() else lemma


# Gazetteers --------------------------------------------------------------------------


def _inflected(name: str) -> str:
    """A pattern for a Cyrillic name with case endings on each word (acronyms as is)."""
    parts = []
    for word in name.split():
        if word.isupper() or len(word) <= 3 or not re.fullmatch(_W + r"+(?:-" + _W + r"+)*", word):
            parts.append(re.escape(word))
            continue
        stem = word.rstrip("аеёиоуыэюяйь")
        if len(stem) < 3:
            stem = word[:3]
        parts.append(re.escape(stem) + _W + r"{0,3}")
    return r"\s+".join(parts)


_PATTERNS: dict[str, tuple[re.Pattern[str], list[tuple[str, str]]]] = {}


def _alias_patterns(aliases: AliasData) -> tuple[re.Pattern[str], list[tuple[str, str]]]:
    """The pattern of a set of alias files, made once per process and set of files."""
    known = _PATTERNS.get(aliases.digest)
    if known is None:
        known = _PATTERNS[aliases.digest] = _make_alias_patterns(aliases)
    return known


def _make_alias_patterns(aliases: AliasData) -> tuple[re.Pattern[str], list[tuple[str, str]]]:
    """One pattern (a group per Cyrillic alias-file name); group -> (label, canonical)."""
    names: dict[str, tuple[str, str]] = {}
    for entity in aliases.entities:
        group = any(source.startswith(GROUPS_SOURCE) for _n, source in entity.names)
        label = "group" if group else entity.kind
        for name, _source in entity.names:
            if len(name) < 2 or not re.search(_W, name):
                continue
            canonical = re.sub(_OF_RUSSIA + "$", "", name)
            names.setdefault(normalise(name), (label, canonical))
    ordered = sorted(names, key=len, reverse=True)
    body = "|".join(f"({_inflected(n)}{_OF_RUSSIA if n.isupper() else ''}?)" for n in ordered)
    # the look-behind first: tried at each position, it fails at once inside a word, where
    # the alternation of inflected names would be tried in full (four times slower)
    return re.compile(r"(?<![\w-])(?:" + body + r")(?![\w-])"), [names[n] for n in ordered]


def _gazetteer_spans(plain: str, aliases: AliasData) -> list[Span]:
    spans: list[Span] = []
    pattern, groups = _alias_patterns(aliases)
    for match in pattern.finditer(plain):
        index = match.lastindex
        if index is None:
            continue
        label, canonical = groups[index - 1]
        spans.append(Span(match.start(), match.end(), label, canonical, GAZETTEER_WEIGHT))
    for name, canonical in PLATFORMS.items():
        for found in whole_word(re.escape(name)).finditer(plain):
            spans.append(Span(found.start(), found.end(), "platform", canonical, GAZETTEER_WEIGHT))
    for name, canonical in CYRILLIC_PLATFORMS.items():
        for found in whole_word(name).finditer(plain):
            spans.append(Span(found.start(), found.end(), "platform", canonical, GAZETTEER_WEIGHT))
    for name, canonical in AMBIGUOUS_PLATFORMS.items():
        for found in whole_word(re.escape(name)).finditer(plain):
            if _PLATFORM_CUE.search(plain[max(0, found.start() - 30) : found.start()]):
                spans.append(
                    Span(found.start(), found.end(), "platform", canonical, GAZETTEER_WEIGHT)
                )
    for name, canonical in SEATS.items():
        for found in whole_word(name).finditer(plain):
            spans.append(
                Span(found.start(), found.end(), "organization", canonical, GAZETTEER_WEIGHT)
            )
    return spans


# Cleaning spans ----------------------------------------------------------------------


def _trimmed_spans(plain: str, spans: list[Span]) -> list[Span]:
    """The spans trimmed, those with no name left dropped."""
    return [s for s in (_trimmed(plain, s) for s in spans) if s is not None]


def _trimmed(plain: str, span: Span) -> Span | None:
    """Strip titles and quotation marks from a span; None if no name is left."""
    start, end = span.start, span.end
    while True:
        piece = plain[start:end]
        stripped = len(piece) - len(piece.lstrip(_EDGE))
        match = _TITLE.match(piece[stripped:])
        step = stripped + (match.end() if match else 0)
        if step == 0 or step >= len(piece):
            break
        start += step
    piece = plain[start:end]
    end -= len(piece) - len(piece.rstrip(_EDGE))
    word = plain[start:end]
    if end - start < 2 or not word[0].isupper() or "\n" in word or word in _FUNCTION_WORDS:
        return None
    canonical = span.canonical
    if start != span.start or end != span.end or not canonical:
        canonical = _TITLE.sub("", canonical).strip(_EDGE) if canonical else word
        if span.weight == MODEL_WEIGHT and len(canonical.split()) != len(word.split()):
            canonical = word
    return Span(start, end, span.label, canonical or word, span.weight)


def _with_acronyms(plain: str, spans: list[Span]) -> list[Span]:
    """Give acronyms explained in the text, ``long form (ACRONYM)``, the long form."""
    expansions: dict[str, tuple[str, str]] = {}
    for match in _LONG_THEN_ACRONYM.finditer(plain):
        end = match.start()
        while end > 0 and plain[end - 1] == " ":
            end -= 1
        long_span = next((s for s in spans if s.end == end), None)
        if long_span is None or long_span.canonical == match.group(1):
            continue
        expansions.setdefault(match.group(1), (long_span.canonical, long_span.label))
    for acronym, (long_form, label) in expansions.items():
        for match in whole_word(re.escape(acronym) + _OF_RUSSIA + "?").finditer(plain):
            at = span_at(spans, match.start())
            weight = at.weight if at is not None else MODEL_WEIGHT
            spans = with_span(spans, Span(match.start(), match.end(), label, long_form, weight))
    return spans


def _relabel(plain: str, span: Span) -> None:
    """Metonymy's place exception, group cues, and acronyms read as persons."""
    before = plain[max(0, span.start - 40) : span.start]
    if _BUILDING.match(span.canonical) or _BUILDING_BEFORE.search(before):
        span.label = "location"
    elif span.canonical in SEATS.values():
        span.label = "location" if _LOCATIVE.search(before) else "organization"
    elif span.label in ("organization", "person", "location") and _GROUP_CUE.search(before):
        span.label = "group"
    elif span.label == "person" and re.fullmatch(_ACRONYM, plain[span.start : span.end]):
        span.label = "organization"
