# ruff: noqa: RUF001, RUF002  (curly apostrophes, dashes and Cyrillic letters, on purpose)
"""Dates named in an article, resolved against its publication date.

Rules (French in full; English and Russian for the common forms):

- A day and month without a year is the most recent such day on or before the publication
  date ("le 20 décembre" in an article of 18 December 2017 is 2016-12-20); a month without
  a year likewise ("en mars"). "mars dernier"/"last March" is strictly before the
  publication month; "prochain"/"next"/"следующий" looks forward.
- A weekday alone ("lundi", "on Monday", "в понедельник") is the most recent such day on
  or before the publication date (press writes "a annoncé lundi" on the Monday itself);
  with "dernier"/"last"/"прошлый" it is strictly before.
- Granularity is kept: "2015" is a year, "mars 2011" a month, "15 mars 2011" a day.
- Ranges ("du 3 au 5 mars", "с 3 по 5 марта", "March 3-5") give one mention per end.
- Numeric dates: ISO (2017-12-15) everywhere; dd/mm/yyyy and dd.mm.yyyy in French and
  Russian; in English m/d/yyyy is read day-first or month-first only when one reading is
  impossible, otherwise the mention is kept with ``value`` "".
- Bare numbers are never dates: law and decree numbers (loi n° 78-17), scores, times
  (14 h 30), phone and page numbers are left alone; a year needs a preposition
  ("en 2015", "depuis 2014", "in 2015", "в 2015 году") or a range.
- Without a publication date, dates that need one (no year, relative, weekday) are still
  returned, with ``value`` "" so a reviewer sees them; absolute dates are resolved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

GRANULARITIES = ("year", "month", "day")


@dataclass(frozen=True)
class DateMention:
    """A date expression in the text and its ISO value ("" when it cannot be resolved)."""

    start: int
    end: int
    text: str
    value: str
    granularity: str


# A resolved piece of a match: (start, end, value, granularity).
_Piece = tuple[int, int, str, str]
_Handler = Callable[[re.Match[str], date | None], list[_Piece]]

# ---------------------------------------------------------------- resolution


def _iso_day(y: int, m: int, d: int) -> str:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return ""


def _past_day(m: int, d: int, pub: date | None) -> str:
    """Most recent m/d on or before ``pub`` (29 February looks back to a leap year)."""
    if pub is None:
        return ""
    for y in range(pub.year, pub.year - 8, -1):
        try:
            candidate = date(y, m, d)
        except ValueError:
            continue
        if candidate <= pub:
            return candidate.isoformat()
    return ""


def _past_month(m: int, pub: date | None, *, strict: bool = False) -> str:
    if pub is None:
        return ""
    y = pub.year if (m < pub.month or (m == pub.month and not strict)) else pub.year - 1
    return f"{y:04d}-{m:02d}"


def _next_month(m: int, pub: date | None) -> str:
    if pub is None:
        return ""
    y = pub.year if m > pub.month else pub.year + 1
    return f"{y:04d}-{m:02d}"


def _weekday(wd: int, pub: date | None, mode: str) -> str:
    """``mode``: "recent" (on or before), "last" (strictly before), "next" (strictly after)."""
    if pub is None:
        return ""
    if mode == "next":
        return (pub + timedelta(days=(wd - pub.weekday() - 1) % 7 + 1)).isoformat()
    back = (pub.weekday() - wd) % 7
    if mode == "last" and back == 0:
        back = 7
    return (pub - timedelta(days=back)).isoformat()


def _shift_days(n: int, pub: date | None) -> str:
    return "" if pub is None else (pub + timedelta(days=n)).isoformat()


def _shift_months(n: int, pub: date | None) -> str:
    if pub is None:
        return ""
    total = pub.year * 12 + pub.month - 1 + n
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def _shift_years(n: int, pub: date | None) -> str:
    return "" if pub is None else f"{pub.year + n:04d}"


def _day_month_year(m: int, d: int, y: str | None, pub: date | None) -> str:
    return _iso_day(int(y), m, d) if y else _past_day(m, d, pub)


def _day_number(s: str) -> int:
    return int(re.sub(r"\D", "", s))


# ---------------------------------------------------------------- vocabulary

_FR_MONTHS = {
    "janvier": 1, "janv.": 1, "février": 2, "fevrier": 2, "févr.": 2, "fév.": 2,
    "mars": 3, "avril": 4, "avr.": 4, "mai": 5, "juin": 6, "juillet": 7, "juil.": 7,
    "août": 8, "aout": 8, "septembre": 9, "sept.": 9, "octobre": 10, "oct.": 10,
    "novembre": 11, "nov.": 11, "décembre": 12, "decembre": 12, "déc.": 12,
}  # fmt: skip
_FR_WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5,
    "dimanche": 6,
}  # fmt: skip
_EN_MONTHS = {
    "January": 1, "Jan.": 1, "February": 2, "Feb.": 2, "March": 3, "Mar.": 3,
    "April": 4, "Apr.": 4, "May": 5, "June": 6, "Jun.": 6, "July": 7, "Jul.": 7,
    "August": 8, "Aug.": 8, "September": 9, "Sept.": 9, "Sep.": 9, "October": 10,
    "Oct.": 10, "November": 11, "Nov.": 11, "December": 12, "Dec.": 12,
}  # fmt: skip
_EN_WEEKDAYS = {
    "Monday": 0, "Tuesday": 1, "Wednesday": 2, "Thursday": 3, "Friday": 4,
    "Saturday": 5, "Sunday": 6,
}  # fmt: skip
_RU_MONTH_STEMS = (
    "январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр",
    "октябр", "ноябр", "декабр",
)  # fmt: skip
_RU_WEEKDAYS = {
    "понедельник": 0, "вторник": 1, "среду": 2, "среда": 2, "четверг": 3,
    "пятницу": 4, "пятница": 4, "субботу": 5, "суббота": 5, "воскресенье": 6,
}  # fmt: skip
_NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "quinze": 15, "vingt": 20,
}  # fmt: skip


def _alternation(words: Iterator[str] | list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _fr_month(s: str) -> int:
    return _FR_MONTHS[s.lower()]


def _ru_month(s: str) -> int:
    s = s.lower()
    if s in ("май", "мая", "мае"):
        return 5
    return next(
        i for i, stem in enumerate(_RU_MONTH_STEMS, 1) if stem != "ма" and s.startswith(stem)
    )


def _en_month(s: str) -> int:
    return _EN_MONTHS[s]


_B = r"(?<![\w\d])"  # left word boundary that also refuses a preceding digit
_E = r"(?![\w\d])"
_YEAR = r"(?:1[89]\d\d|20\d\d)(?!\d)"
_DAY = r"(?:1er|[12]\d|3[01]|0?[1-9])(?!\d)"

# ---------------------------------------------------------------- grammars


@dataclass(frozen=True)
class _Grammar:
    rules: tuple[tuple[re.Pattern[str], _Handler], ...]


def _numeric_rules(day_first: bool) -> list[tuple[str, _Handler]]:
    def iso(m: re.Match[str], pub: date | None) -> list[_Piece]:
        value = _iso_day(int(m["y"]), int(m["m"]), int(m["d"]))
        return [(m.start(), m.end(), value, "day")] if value else []

    def numeric(m: re.Match[str], pub: date | None) -> list[_Piece]:
        a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
        if day_first:
            value = _iso_day(y, b, a)
            return [(m.start(), m.end(), value, "day")] if value else []
        month_first, day_first_v = _iso_day(y, a, b), _iso_day(y, b, a)
        if month_first and day_first_v and month_first != day_first_v:
            return [(m.start(), m.end(), "", "day")]  # 03/04/2017: ambiguous, left to review
        value = month_first or day_first_v
        return [(m.start(), m.end(), value, "day")] if value else []

    sep = r"[/.]" if day_first else r"/"
    return [
        (rf"(?<![\d./-])(?P<y>{_YEAR})-(?P<m>\d\d)-(?P<d>\d\d)(?![\d-])", iso),
        (
            rf"(?<![\d./-])(?P<a>\d{{1,2}})({sep})(?P<b>\d{{1,2}})\2(?P<y>{_YEAR})(?![\d/]|\.\d)",
            numeric,
        ),
    ]


def _fr_grammar() -> _Grammar:
    month = rf"(?:{_alternation(list(_FR_MONTHS))})(?![\w])"
    weekday = rf"(?:{_alternation(list(_FR_WEEKDAYS))}){_E}"

    def dmy(m: re.Match[str], pub: date | None) -> list[_Piece]:
        value = _day_month_year(_fr_month(m["m"]), _day_number(m["d"]), m["y"], pub)
        return [(m.start(), m.end(), value, "day")]

    def day_range(m: re.Match[str], pub: date | None) -> list[_Piece]:
        return _range(m, pub, _fr_month)

    def month_year(m: re.Match[str], pub: date | None) -> list[_Piece]:
        return [(m.start(), m.end(), f"{int(m['y']):04d}-{_fr_month(m['m']):02d}", "month")]

    def month_rel(m: re.Match[str], pub: date | None) -> list[_Piece]:
        mo, rel = _fr_month(m["m"]), (m["rel"] or "").lower()
        if rel == "prochain":
            value = _next_month(mo, pub)
        else:
            value = _past_month(mo, pub, strict=rel == "dernier")
        return [(m.start("m"), m.end(), value, "month")]

    def month_range(m: re.Match[str], pub: date | None) -> list[_Piece]:
        m1, m2 = _fr_month(m["m1"]), _fr_month(m["m2"])
        y2 = int(m["y2"])
        y1 = int(m["y1"]) if m["y1"] else (y2 if m1 <= m2 else y2 - 1)
        return [
            (m.start("m1"), m.end("y1") if m["y1"] else m.end("m1"), f"{y1:04d}-{m1:02d}", "month"),
            (m.start("m2"), m.end(), f"{y2:04d}-{m2:02d}", "month"),
        ]

    def year(m: re.Match[str], pub: date | None) -> list[_Piece]:
        return [(m.start("y"), m.end("y"), m["y"], "year")]

    def year_range(m: re.Match[str], pub: date | None) -> list[_Piece]:
        return [
            (m.start("y1"), m.end("y1"), m["y1"], "year"),
            (m.start("y2"), m.end("y2"), m["y2"], "year"),
        ]

    def wd(m: re.Match[str], pub: date | None) -> list[_Piece]:
        rel = (m["rel"] or "").lower()
        mode = {"dernier": "last", "prochain": "next"}.get(rel, "recent")
        value = _weekday(_FR_WEEKDAYS[m["w"].lower()], pub, mode)
        return [(m.start(), m.end(), value, "day")]

    def rel_day(m: re.Match[str], pub: date | None) -> list[_Piece]:
        word = re.sub(r"\s+", " ", m[0].lower().replace("’", "'"))
        offset = {
            "avant-hier": -2, "hier": -1, "aujourd'hui": 0, "ce matin": 0, "ce soir": 0,
            "cet après-midi": 0, "demain": 1, "après-demain": 2,
        }[word]  # fmt: skip
        return [(m.start(), m.end(), _shift_days(offset, pub), "day")]

    def rel_period(m: re.Match[str], pub: date | None) -> list[_Piece]:
        word = re.sub(r"\s+", " ", m[0].lower().replace("’", "'"))
        if "mois" in word:
            n = -1 if "dernier" in word else (1 if "prochain" in word else 0)
            return [(m.start(), m.end(), _shift_months(n, pub), "month")]
        n = -1 if ("dernière" in word or "dernier" in word or "passé" in word) else 0
        n = 1 if "prochain" in word else n
        return [(m.start(), m.end(), _shift_years(n, pub), "year")]

    def ago(m: re.Match[str], pub: date | None) -> list[_Piece]:
        raw = m["n"].lower()
        n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
        unit = m["u"].lower()
        if unit.startswith("jour"):
            return [(m.start(), m.end(), _shift_days(-n, pub), "day")]
        if unit == "mois":
            return [(m.start(), m.end(), _shift_months(-n, pub), "month")]
        return [(m.start(), m.end(), _shift_years(-n, pub), "year")]

    year_preps = (
        r"en|depuis|dès|avant|après|jusqu['’]en|d['’]ici|fin|début|mi-|courant|"
        r"l['’]année|l['’]an|année|printemps|été|automne|hiver"
    )
    numbers = _alternation(list(_NUMBER_WORDS))
    rules: list[tuple[str, _Handler]] = [
        *_numeric_rules(day_first=True),
        (
            rf"{_B}(?:du|entre\s+le|les)\s+(?P<d1>{_DAY})(?:\s+(?P<m1>{month})(?:\s+(?P<y1>{_YEAR}))?)?"
            rf"\s+(?:au|et\s+le|et)\s+(?P<d2>{_DAY})\s+(?P<m2>{month})(?:\s+(?P<y2>{_YEAR}))?",
            day_range,
        ),
        (rf"{_B}(?:{weekday}\s+)?(?P<d>{_DAY})\s+(?P<m>{month})(?:\s+(?P<y>{_YEAR}))?", dmy),
        (
            rf"{_B}(?:de|entre)\s+(?P<m1>{month})(?:\s+(?P<y1>{_YEAR}))?\s+(?:à|et)\s+"
            rf"(?P<m2>{month})\s+(?P<y2>{_YEAR})",
            month_range,
        ),
        (rf"{_B}(?P<m>{month})\s+(?P<y>{_YEAR})", month_year),
        (rf"{_B}(?P<m>{month})\s+(?P<rel>dernier|prochain){_E}", month_rel),
        (
            rf"{_B}(?:en|depuis|dès|début|fin|mi-|courant)\s+(?P<m>{month})(?!\s*\d)(?P<rel>)",
            month_rel,
        ),
        (rf"{_B}(?:de|entre)\s+(?P<y1>{_YEAR})\s+(?:à|et)\s+(?P<y2>{_YEAR})", year_range),
        (rf"{_B}(?P<y1>{_YEAR})\s*[-–]\s*(?P<y2>{_YEAR})", year_range),
        (rf"{_B}(?:{year_preps})\s+(?P<y>{_YEAR})", year),
        (rf"{_B}(?:ce\s+)?(?P<w>{weekday})(?:\s+(?P<rel>dernier|prochain){_E})?", wd),
        (
            rf"{_B}(?:avant-hier|après-demain|hier|aujourd['’]hui|demain|ce\s+matin|ce\s+soir|"
            rf"cet\s+après-midi){_E}",
            rel_day,
        ),
        (
            rf"{_B}(?:l['’]an\s+(?:dernier|passé|prochain)|l['’]année\s+(?:dernière|passée|"
            rf"prochaine)|cette\s+année|le\s+mois\s+(?:dernier|prochain)|ce\s+mois-ci){_E}",
            rel_period,
        ),
        (rf"{_B}il\s+y\s+a\s+(?P<n>\d{{1,2}}|{numbers})\s+(?P<u>jours?|mois|ans|années?){_E}", ago),
    ]
    return _compile(rules)


def _range(m: re.Match[str], pub: date | None, month_of: Callable[[str], int]) -> list[_Piece]:
    """Both ends of "du 3 au 5 mars [2017]": the first end borrows month and year."""
    m2 = month_of(m["m2"])
    d1, d2 = _day_number(m["d1"]), _day_number(m["d2"])
    end_value = _day_month_year(m2, d2, m["y2"], pub)
    m1 = month_of(m["m1"]) if m["m1"] else m2
    if m["y1"]:
        start_value = _iso_day(int(m["y1"]), m1, d1)
    elif end_value:
        y2 = int(end_value[:4])
        start_value = _iso_day(y2 if m1 <= m2 else y2 - 1, m1, d1)
    else:
        start_value = ""
    first_end = m.end("y1") if m["y1"] else (m.end("m1") if m["m1"] else m.end("d1"))
    return [
        (m.start("d1"), first_end, start_value, "day"),
        (m.start("d2"), m.end(), end_value, "day"),
    ]


def _en_grammar() -> _Grammar:
    month = rf"(?:{_alternation(list(_EN_MONTHS))})(?![\w])"
    weekday = rf"(?:{_alternation(list(_EN_WEEKDAYS))}){_E}"
    day = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d)"

    def md(m: re.Match[str], pub: date | None) -> list[_Piece]:
        value = _day_month_year(_en_month(m["m"]), _day_number(m["d"]), m["y"], pub)
        return [(m.start(), m.end(), value, "day")]

    def day_range(m: re.Match[str], pub: date | None) -> list[_Piece]:
        return _range(m, pub, _en_month)

    def month_year(m: re.Match[str], pub: date | None) -> list[_Piece]:
        return [(m.start(), m.end(), f"{int(m['y']):04d}-{_en_month(m['m']):02d}", "month")]

    def month_rel(m: re.Match[str], pub: date | None) -> list[_Piece]:
        mo, rel = _en_month(m["m"]), (m["rel"] or "").lower()
        value = (
            _next_month(mo, pub) if rel == "next" else _past_month(mo, pub, strict=rel == "last")
        )
        return [(m.start(), m.end(), value, "month")]

    def year(m: re.Match[str], pub: date | None) -> list[_Piece]:
        return [(m.start("y"), m.end("y"), m["y"], "year")]

    def wd(m: re.Match[str], pub: date | None) -> list[_Piece]:
        rel = (m["rel"] or "").lower()
        mode = {"last": "last", "next": "next"}.get(rel, "recent")
        start = m.start() if rel in ("last", "next", "this") else m.start("w")
        return [(start, m.end(), _weekday(_EN_WEEKDAYS[m["w"]], pub, mode), "day")]

    def rel_day(m: re.Match[str], pub: date | None) -> list[_Piece]:
        word = re.sub(r"\s+", " ", m[0].lower())
        offset = {"the day before yesterday": -2, "yesterday": -1, "today": 0, "tomorrow": 1}
        return [(m.start(), m.end(), _shift_days(offset[word], pub), "day")]

    def rel_period(m: re.Match[str], pub: date | None) -> list[_Piece]:
        rel, unit = m["rel"].lower(), m["u"].lower()
        n = {"last": -1, "this": 0, "next": 1}[rel]
        if unit == "month":
            return [(m.start(), m.end(), _shift_months(n, pub), "month")]
        return [(m.start(), m.end(), _shift_years(n, pub), "year")]

    rules: list[tuple[str, _Handler]] = [
        *_numeric_rules(day_first=False),
        (
            rf"{_B}(?P<m1>{month})\s+(?P<d1>{day})\s*(?:-|–|to|and|through)\s*"
            rf"(?P<d2>{day})(?:,?\s+(?P<y2>{_YEAR}))?",
            lambda m, pub: _en_span_range(m, pub),
        ),
        (
            rf"{_B}(?:from|between)\s+(?P<d1>{day})(?:\s+(?P<m1>{month}))?\s+(?:to|and)\s+"
            rf"(?P<d2>{day})\s+(?P<m2>{month})(?:,?\s+(?P<y2>{_YEAR}))?(?P<y1>(?!))?",
            day_range,
        ),
        (rf"{_B}(?:{weekday},?\s+)?(?P<m>{month})\s+(?P<d>{day})(?:,?\s+(?P<y>{_YEAR}))?", md),
        (
            rf"{_B}(?:{weekday},?\s+)?(?P<d>{day})\s+(?:of\s+)?(?P<m>{month})(?:,?\s+(?P<y>{_YEAR}))?",
            md,
        ),
        (rf"{_B}(?P<m>{month}),?\s+(?P<y>{_YEAR})", month_year),
        (rf"{_B}(?P<rel>[Ll]ast|[Nn]ext)\s+(?P<m>{month})", month_rel),
        (rf"{_B}(?:in|since|until|early|late|mid-)\s+(?P<m>{month})(?!\s*\d)(?P<rel>)", month_rel),
        (rf"{_B}(?:in|since|by|until|before|after|during|early|late|mid-)\s+(?P<y>{_YEAR})", year),
        (rf"{_B}(?:(?P<rel>[Ll]ast|[Nn]ext|[Tt]his)\s+)?(?P<w>{weekday})", wd),
        (r"(?i)\b(?:the\s+day\s+before\s+yesterday|yesterday|today|tomorrow)\b", rel_day),
        (r"(?i)\b(?P<rel>last|this|next)\s+(?P<u>year|month)\b", rel_period),
    ]
    return _compile(rules, flags=0)


def _en_span_range(m: re.Match[str], pub: date | None) -> list[_Piece]:
    """ "March 3-5, 2017": both ends share the month."""
    mo = _en_month(m["m1"])
    d1, d2 = _day_number(m["d1"]), _day_number(m["d2"])
    end_value = _day_month_year(mo, d2, m["y2"], pub)
    start_value = _iso_day(int(end_value[:4]), mo, d1) if end_value else ""
    return [
        (m.start(), m.end("d1"), start_value, "day"),
        (m.start("d2"), m.end(), end_value, "day"),
    ]


def _ru_grammar() -> _Grammar:
    stems = "|".join(s for s in _RU_MONTH_STEMS if s != "ма")
    month_gen = rf"(?:(?:{stems})[яа]|мая|марта|августа)(?!\w)"
    month_any = rf"(?:(?:{stems})\w*|ма[йяе])(?!\w)"
    weekday = rf"(?:{_alternation(list(_RU_WEEKDAYS))})(?!\w)"
    year_tail = r"(?:\s*(?:года|году|год|г\.))?"

    def dmy(m: re.Match[str], pub: date | None) -> list[_Piece]:
        value = _day_month_year(_ru_month(m["m"]), _day_number(m["d"]), m["y"], pub)
        return [(m.start(), m.end(), value, "day")]

    def day_range(m: re.Match[str], pub: date | None) -> list[_Piece]:
        return _range(m, pub, _ru_month)

    def month_year(m: re.Match[str], pub: date | None) -> list[_Piece]:
        return [(m.start(), m.end(), f"{int(m['y']):04d}-{_ru_month(m['m']):02d}", "month")]

    def year(m: re.Match[str], pub: date | None) -> list[_Piece]:
        return [(m.start("y"), m.end(), m["y"], "year")]

    def wd(m: re.Match[str], pub: date | None) -> list[_Piece]:
        rel = (m["rel"] or "").lower()
        mode = (
            "last"
            if rel.startswith("прошл")
            else ("next" if rel.startswith("следующ") else "recent")
        )
        value = _weekday(_RU_WEEKDAYS[m["w"].lower()], pub, mode)
        return [(m.start(), m.end(), value, "day")]

    def rel_day(m: re.Match[str], pub: date | None) -> list[_Piece]:
        offset = {"позавчера": -2, "вчера": -1, "сегодня": 0, "завтра": 1, "послезавтра": 2}
        return [(m.start(), m.end(), _shift_days(offset[m[0].lower()], pub), "day")]

    def rel_period(m: re.Match[str], pub: date | None) -> list[_Piece]:
        rel, unit = m["rel"].lower(), m["u"].lower()
        n = -1 if rel.startswith("прошл") else (1 if rel.startswith("следующ") else 0)
        if unit.startswith("месяц"):
            return [(m.start(), m.end(), _shift_months(n, pub), "month")]
        return [(m.start(), m.end(), _shift_years(n, pub), "year")]

    rules: list[tuple[str, _Handler]] = [
        *_numeric_rules(day_first=True),
        (
            rf"{_B}с\s+(?P<d1>{_DAY})(?:\s+(?P<m1>{month_gen})(?:\s+(?P<y1>{_YEAR}))?)?\s+по\s+"
            rf"(?P<d2>{_DAY})\s+(?P<m2>{month_gen})(?:\s+(?P<y2>{_YEAR}){year_tail})?",
            day_range,
        ),
        (rf"{_B}(?P<d>{_DAY})\s+(?P<m>{month_gen})(?:\s+(?P<y>{_YEAR}){year_tail})?", dmy),
        (rf"{_B}(?P<m>{month_any})\s+(?P<y>{_YEAR}){year_tail}", month_year),
        (rf"{_B}(?:в|с|до|после|к|по)\s+(?P<y>{_YEAR}){year_tail}", year),
        (rf"{_B}(?P<y>{_YEAR})\s*(?:года|году|год|г\.)", year),
        (rf"{_B}(?:в|во)\s+(?:(?P<rel>прошл\w+|следующ\w+|эт\w+)\s+)?(?P<w>{weekday})", wd),
        (r"(?i)(?<!\w)(?:позавчера|послезавтра|вчера|сегодня|завтра)(?!\w)", rel_day),
        (r"(?i)(?<!\w)в\s+(?P<rel>прошлом|этом|следующем)\s+(?P<u>году|месяце)(?!\w)", rel_period),
    ]
    return _compile(rules)


def _compile(rules: list[tuple[str, _Handler]], flags: int = re.IGNORECASE) -> _Grammar:
    return _Grammar(tuple((re.compile(p, flags), h) for p, h in rules))


_GRAMMARS: dict[str, _Grammar] = {"fr": _fr_grammar(), "en": _en_grammar(), "ru": _ru_grammar()}

# A number right after these is an identifier (law, decree, article, page, phone), not a date.
_IDENTIFIER_BEFORE = re.compile(
    r"(?:\bn°|\bnº|\bno\.?|№|\bnuméro|\bloi|\bdécret|\barrêté|\bordonnance|\barticle|\bart\.|"
    r"\bpage|\bp\.|\bpp\.|\btél\.?|\btéléphone|\bphone|\bстатья|\bстр\.)\s*$",
    re.IGNORECASE,
)

# ---------------------------------------------------------------- entry point


def find_dates(text: str, lang: str, published: date | None) -> list[DateMention]:
    """Return the date expressions in ``text``, resolved against ``published``."""
    grammar = _GRAMMARS.get(lang[:2].lower(), _GRAMMARS["fr"])
    claims: list[tuple[int, int, list[_Piece]]] = []
    for pattern, handler in grammar.rules:
        for match in pattern.finditer(text):
            if match[0][0].isdigit() and _IDENTIFIER_BEFORE.search(
                text, max(0, match.start() - 20), match.start()
            ):
                continue
            pieces = handler(match, published)
            if pieces:
                claims.append((match.start(), match.end(), pieces))
    # Longest claims first; a claim overlapping a kept one is dropped.
    claims.sort(key=lambda c: (c[0] - c[1], c[0]))
    kept: list[tuple[int, int, list[_Piece]]] = []
    for claim in claims:
        if all(claim[1] <= k[0] or claim[0] >= k[1] for k in kept):
            kept.append(claim)
    pieces = sorted(p for claim in kept for p in claim[2])
    return [DateMention(s, e, text[s:e], value, gran) for s, e, value, gran in pieces]
