# ruff: noqa: RUF001  (Cyrillic letters, on purpose)
"""Russian names across an article: a body's name natasha cut short made whole, other
forms of one name merged, one label per name (used by
:mod:`passerelle.intake.mentions.ru`)."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Final

from passerelle.intake.mentions.base import PLATFORMS, Span

# Long forms of countries, named as their short form ("в Соединенных Штатах" is США).
COUNTRY_FORMS: Final = (
    (
        "США",
        "Соединенные Штаты",
        "Соединённые Штаты",
        "Соединенные Штаты Америки",
        "Соединенные Штаты Америка",  # natasha's normal form of "Штатов Америки"
    ),
    ("Россия", "Российская Федерация", "РФ"),
)
# What natasha leaves after a body's name that belongs to it (see whole_body).
BODY_TAIL: Final = re.compile(
    r"(?P<remit>\s+по(?:\s+[а-яё]+){1,3}(?=[\s,.;:)»]))"
    r"|(?P<country>\s+(?:России|РФ)(?![\w-]))"
    r"|(?P<campus>[\s\u00a0]+[—–][\s\u00a0]+[А-ЯЁ][а-яё]+(?:[\s-][А-ЯЁ][а-яё]+)?)"
    r"|(?P<place>\s+[А-ЯЁ][а-яё]+(?![\w-]))"
)
# A body's name ending in a region's kind goes on with the region's name ("Университет
# штата Массачусетс", "Суд города Москвы").
REGION_END: Final = re.compile(r"(?:штата|области|края|округа|города|республики)$")
REMIT_BODY: Final = re.compile(r"(?:Комитет|Комисси|Совет|Управлени|Департамент)")
CAMPUS_BODY: Final = re.compile(r"(?:Университет|Институт|Академи)")
# Case endings a foreign surname takes when natasha leaves it uninflected ("Чеффица").
CASE_ENDINGS: Final = (
    "ом",
    "ым",
    "ой",
    "ею",
    "ей",
    "ах",
    "ам",
    "ов",
    "ых",
    "а",
    "у",
    "е",
    "ы",
    "ю",
)


def whole_body(plain: str, span: Span) -> Span:
    """A body's name that natasha cut short, made whole: its remit ("Комитет Палаты
    представителей по внутренней безопасности"), its country ("Следственный комитет
    России"), a university's campus ("Университет штата Массачусетс — Дартмут")."""
    if span.label != "organization":
        return span
    tail = BODY_TAIL.match(plain, span.end)
    if tail is None or not (tail["remit"] is None or REMIT_BODY.match(span.canonical)):
        return span
    if tail["campus"] and not CAMPUS_BODY.match(span.canonical):
        return span
    if tail["place"] and not REGION_END.search(plain[span.start : span.end]):
        return span
    end = tail.end()
    return Span(span.start, end, span.label, span.canonical + plain[span.end : end], span.weight)


def platform_compound(plain: str, span: Span) -> Span:
    """A compound on a platform's name is that platform: "в своём Telegram-канале"."""
    word = plain[span.start : span.end]
    name, dash, rest = word.partition("-")
    if dash and rest.islower() and name in PLATFORMS:
        return Span(span.start, span.start + len(name), "platform", PLATFORMS[name], span.weight)
    return span


def same_names(plain: str, spans: list[Span]) -> None:
    """Names the article gives one entity in other forms: a country's long form (the
    short one's canonical, when the article uses it), a Latin transcription in brackets
    right after a name ("Франсуа Мулен (François Molins)"), a surname in a case natasha
    left uninflected ("Чеффица" for Чеффиц)."""
    for forms in COUNTRY_FORMS:
        used = [s.canonical for s in spans if s.canonical in forms]
        if len(set(used)) > 1:
            first = min(used, key=forms.index)  # the short form when the text uses it
            for span in spans:
                if span.canonical in forms:
                    span.canonical, span.label = first, "location"
    ordered = sorted(spans, key=lambda s: s.start)
    for before, span in pairwise(ordered):
        between = plain[before.end : span.start]
        latin = not re.search(r"[а-яёА-ЯЁ]", plain[span.start : span.end])
        if between.strip() == "(" and latin and re.search(r"[а-яёА-ЯЁ]", before.canonical):
            span.canonical, span.label = before.canonical, before.label
    bodies = {s.canonical for s in spans if s.label == "organization"}
    for span in spans:
        longer = [b for b in bodies if b.startswith(span.canonical + " ")]
        if span.label == "organization" and longer:
            span.canonical = max(longer, key=len)  # "Университет штата" cut short
    surnames_alone(spans)


def surnames_alone(spans: list[Span]) -> list[Span]:
    """A surname alone is the person of that surname named first ("Царнаев" after
    "Тамерлан Царнаев" and "Джохар Царнаев"), in any case natasha left it ("Чеффица");
    in the plural ("Царнаевы", "Царнаевых") it names a family: no mention (removed)."""
    surnames: dict[str, str] = {}
    for span in sorted(spans, key=lambda s: s.start):
        if span.label == "person" and " " in span.canonical:
            surnames.setdefault(span.canonical.split()[-1], span.canonical)
    family = []
    for span in spans:
        if span.label != "person" or " " in span.canonical:
            continue
        if span.canonical in surnames:
            span.canonical = surnames[span.canonical]
            continue
        for ending in CASE_ENDINGS:
            stem = span.canonical.removesuffix(ending)
            if stem != span.canonical and stem in surnames:
                if ending in ("ы", "ых"):
                    family.append(span)
                span.canonical = surnames[stem]
                break
    for span in family:
        spans.remove(span)
    return spans
