# ruff: noqa: RUF001, RUF002  (Cyrillic letters, on purpose)
"""Russian dates: "15 декабря 2017 года", "с 3 по 5 марта", "в марте 2011 года", "во
вторник", "вчера", "в прошлом году", "в 2015 году", 15.12.2017 (day first)."""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from passerelle.intake.dates.base import (
    DAY,
    WORD_START,
    YEAR,
    Grammar,
    Handler,
    Piece,
    alternation,
    compile_grammar,
    day_month_year,
    day_number,
    day_of_weekday,
    day_range,
    numeric_rules,
    past_month,
    shift_days,
    shift_months,
    shift_years,
)

# A short name keeps the rules below readable.
_B: Final = WORD_START

_MONTH_STEMS = (
    "январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр",
    "октябр", "ноябр", "декабр",
)  # fmt: skip
_WEEKDAYS = {
    "понедельник": 0, "вторник": 1, "среду": 2, "среда": 2, "четверг": 3,
    "пятницу": 4, "пятница": 4, "субботу": 5, "суббота": 5, "воскресенье": 6,
}  # fmt: skip


def _month(s: str) -> int:
    s = s.lower()
    if s in ("май", "мая", "мае"):
        return 5
    return next(i for i, stem in enumerate(_MONTH_STEMS, 1) if stem != "ма" and s.startswith(stem))


def _dmy(m: re.Match[str], pub: date | None) -> list[Piece]:
    value = day_month_year(_month(m["m"]), day_number(m["d"]), m["y"], pub)
    return [(m.start(), m.end(), value, "day")]


def _day_range(m: re.Match[str], pub: date | None) -> list[Piece]:
    return day_range(m, pub, _month)


def _month_year(m: re.Match[str], pub: date | None) -> list[Piece]:
    return [(m.start(), m.end(), f"{int(m['y']):04d}-{_month(m['m']):02d}", "month")]


def _year(m: re.Match[str], pub: date | None) -> list[Piece]:
    return [(m.start("y"), m.end(), m["y"], "year")]


def _month_alone(m: re.Match[str], pub: date | None) -> list[Piece]:
    """ "в августе", "в конце ноября": the most recent such month; "с января этого
    года": that month of the year named."""
    month, rel = _month(m["m"]), (m["rel"] or "").lower()
    if rel:
        year = shift_years(-1 if rel.startswith("прошл") else 0, pub)
        value = f"{year}-{month:02d}" if year else ""
    else:
        value = past_month(month, pub)
    return [(m.start(), m.end(), value, "month")]


def _wd(m: re.Match[str], pub: date | None) -> list[Piece]:
    rel = (m["rel"] or "").lower()
    mode = (
        "last" if rel.startswith("прошл") else ("next" if rel.startswith("следующ") else "recent")
    )
    value = day_of_weekday(_WEEKDAYS[m["w"].lower()], pub, mode)
    return [(m.start(), m.end(), value, "day")]


def _rel_day(m: re.Match[str], pub: date | None) -> list[Piece]:
    offset = {"позавчера": -2, "вчера": -1, "сегодня": 0, "завтра": 1, "послезавтра": 2}
    return [(m.start(), m.end(), shift_days(offset[m[0].lower()], pub), "day")]


def _rel_period(m: re.Match[str], pub: date | None) -> list[Piece]:
    rel, unit = m["rel"].lower(), m["u"].lower()
    n = -1 if rel.startswith("прошл") else (1 if rel.startswith("следующ") else 0)
    if unit.startswith("месяц"):
        return [(m.start(), m.end(), shift_months(n, pub), "month")]
    return [(m.start(), m.end(), shift_years(n, pub), "year")]


def _grammar() -> Grammar:
    stems = "|".join(s for s in _MONTH_STEMS if s != "ма")
    month_gen = rf"(?:(?:{stems})[яа]|мая|марта|августа)(?!\w)"
    month_any = rf"(?:(?:{stems})\w*|ма[йяе])(?!\w)"
    weekday = rf"(?:{alternation(list(_WEEKDAYS))})(?!\w)"
    month_prep = rf"(?:(?:{stems})е|мае)(?!\w)"
    this_year = r"(?:\s+(?P<rel>этого|прошлого)\s+года)?"
    year_tail = r"(?:\s*(?:года|году|год|г\.))?"
    rules: list[tuple[str, Handler]] = [
        *numeric_rules(day_first=True),
        (
            rf"{_B}с\s+(?P<d1>{DAY})(?:\s+(?P<m1>{month_gen})(?:\s+(?P<y1>{YEAR}))?)?\s+по\s+"
            rf"(?P<d2>{DAY})\s+(?P<m2>{month_gen})(?:\s+(?P<y2>{YEAR}){year_tail})?",
            _day_range,
        ),
        (rf"{_B}(?P<d>{DAY})\s+(?P<m>{month_gen})(?:\s+(?P<y>{YEAR}){year_tail})?", _dmy),
        (rf"{_B}(?P<m>{month_any})\s+(?P<y>{YEAR}){year_tail}", _month_year),
        (rf"{_B}(?:в|с|до|после|к|по)\s+(?P<y>{YEAR}){year_tail}", _year),
        (
            rf"{_B}(?:[Вв]о?|[Кк])\s+(?:конце|начале|середине)\s+(?P<m>{month_gen}){this_year}",
            _month_alone,
        ),
        (rf"{_B}[Вв]о?\s+(?P<m>{month_prep}){this_year}", _month_alone),
        (rf"{_B}[Сс]\s+(?P<m>{month_gen}){this_year}", _month_alone),
        (rf"{_B}(?P<y>{YEAR})\s*(?:года|году|год|г\.)", _year),
        (rf"{_B}(?:в|во)\s+(?:(?P<rel>прошл\w+|следующ\w+|эт\w+)\s+)?(?P<w>{weekday})", _wd),
        (r"(?i)(?<!\w)(?:позавчера|послезавтра|вчера|сегодня|завтра)(?!\w)", _rel_day),
        (r"(?i)(?<!\w)в\s+(?P<rel>прошлом|этом|следующем)\s+(?P<u>году|месяце)(?!\w)", _rel_period),
    ]
    return compile_grammar(rules)


#: The Russian date grammar.
GRAMMAR: Final = _grammar()
