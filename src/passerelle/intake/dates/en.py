# ruff: noqa: RUF001  (dashes, on purpose)
"""English dates: "December 15, 2017", "15 December", "March 3-5", "last March", "on
Monday", "yesterday", "last year", "in 2015", 12/15/2017 (only when one reading is
possible)."""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from passerelle.intake.dates.base import (
    WORD_END,
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
    iso_day,
    near_day,
    next_month,
    numeric_rules,
    past_month,
    shift_days,
    shift_months,
    shift_years,
)

# Short names keep the rules below readable.
_B: Final = WORD_START
_E: Final = WORD_END

_MONTHS = {
    "January": 1, "Jan.": 1, "February": 2, "Feb.": 2, "March": 3, "Mar.": 3,
    "April": 4, "Apr.": 4, "May": 5, "June": 6, "Jun.": 6, "July": 7, "Jul.": 7,
    "August": 8, "Aug.": 8, "September": 9, "Sept.": 9, "Sep.": 9, "October": 10,
    "Oct.": 10, "November": 11, "Nov.": 11, "December": 12, "Dec.": 12,
}  # fmt: skip
_WEEKDAYS = {
    "Monday": 0, "Tuesday": 1, "Wednesday": 2, "Thursday": 3, "Friday": 4,
    "Saturday": 5, "Sunday": 6,
}  # fmt: skip


def _month(s: str) -> int:
    return _MONTHS[s]


def _md(m: re.Match[str], pub: date | None) -> list[Piece]:
    month, day = _month(m["m"]), day_number(m["d"])
    if m["y"] or pub is None:
        value = day_month_year(month, day, m["y"], pub)
    else:
        weekday = m["wd"]
        value = near_day(month, day, pub, _WEEKDAYS[weekday] if weekday else None)
    return [(m.start(), m.end(), value, "day")]


def _day_range(m: re.Match[str], pub: date | None) -> list[Piece]:
    return day_range(m, pub, _month)


def _month_year(m: re.Match[str], pub: date | None) -> list[Piece]:
    return [(m.start(), m.end(), f"{int(m['y']):04d}-{_month(m['m']):02d}", "month")]


def _month_of_year(m: re.Match[str], pub: date | None) -> list[Piece]:
    """ "January of this year", "December of last year"."""
    year = shift_years({"this": 0, "last": -1, "next": 1}[m["rel"].lower()], pub)
    value = f"{year}-{_month(m['m']):02d}" if year else ""
    return [(m.start(), m.end(), value, "month")]


def _month_rel(m: re.Match[str], pub: date | None) -> list[Piece]:
    mo, rel = _month(m["m"]), (m["rel"] or "").lower()
    value = next_month(mo, pub) if rel == "next" else past_month(mo, pub, strict=rel == "last")
    return [(m.start(), m.end(), value, "month")]


def _year(m: re.Match[str], pub: date | None) -> list[Piece]:
    return [(m.start("y"), m.end("y"), m["y"], "year")]


def _wd(m: re.Match[str], pub: date | None) -> list[Piece]:
    rel = (m["rel"] or "").lower()
    mode = {"last": "last", "next": "next"}.get(rel, "recent")
    start = m.start() if rel in ("last", "next", "this") else m.start("w")
    return [(start, m.end(), day_of_weekday(_WEEKDAYS[m["w"]], pub, mode), "day")]


def _rel_day(m: re.Match[str], pub: date | None) -> list[Piece]:
    word = re.sub(r"\s+", " ", m[0].lower())
    offset = {
        "the day before yesterday": -2,
        "yesterday": -1,
        "last night": -1,
        "today": 0,
        "tomorrow": 1,
    }
    return [(m.start(), m.end(), shift_days(offset[word], pub), "day")]


def _rel_period(m: re.Match[str], pub: date | None) -> list[Piece]:
    rel, unit = m["rel"].lower(), m["u"].lower()
    n = {"last": -1, "this": 0, "next": 1}[rel]
    if unit == "month":
        return [(m.start(), m.end(), shift_months(n, pub), "month")]
    return [(m.start(), m.end(), shift_years(n, pub), "year")]


def _span_range(m: re.Match[str], pub: date | None) -> list[Piece]:
    """ "March 3-5, 2017": both ends share the month."""
    mo = _month(m["m1"])
    d1, d2 = day_number(m["d1"]), day_number(m["d2"])
    end_value = day_month_year(mo, d2, m["y2"], pub)
    start_value = iso_day(int(end_value[:4]), mo, d1) if end_value else ""
    return [
        (m.start(), m.end("d1"), start_value, "day"),
        (m.start("d2"), m.end(), end_value, "day"),
    ]


def _grammar() -> Grammar:
    month = rf"(?:{alternation(list(_MONTHS))})(?![\w])"
    weekday = rf"(?:{alternation(list(_WEEKDAYS))}){_E}"
    day = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d)"
    rules: list[tuple[str, Handler]] = [
        *numeric_rules(day_first=False),
        (
            rf"{_B}(?P<m1>{month})\s+(?P<d1>{day})\s*(?:-|–|to|and|through)\s*"
            rf"(?P<d2>{day})(?:,?\s+(?P<y2>{YEAR}))?",
            lambda m, pub: _span_range(m, pub),
        ),
        (
            rf"{_B}(?:from|between)\s+(?P<d1>{day})(?:\s+(?P<m1>{month}))?\s+(?:to|and)\s+"
            rf"(?P<d2>{day})\s+(?P<m2>{month})(?:,?\s+(?P<y2>{YEAR}))?(?P<y1>(?!))?",
            _day_range,
        ),
        (
            rf"{_B}(?:(?P<wd>{weekday}),?\s+)?(?P<m>{month})\s+(?P<d>{day})"
            rf"(?:,?\s+(?P<y>{YEAR}))?",
            _md,
        ),
        (
            rf"{_B}(?:(?P<wd>{weekday}),?\s+)?(?P<d>{day})\s+(?:of\s+)?(?P<m>{month})"
            rf"(?:,?\s+(?P<y>{YEAR}))?",
            _md,
        ),
        (rf"{_B}(?P<m>{month}),?\s+(?:of\s+)?(?P<y>{YEAR})", _month_year),
        (rf"{_B}(?P<m>{month})\s+of\s+(?P<rel>this|last|next)\s+year{_E}", _month_of_year),
        (rf"{_B}(?P<rel>[Ll]ast|[Nn]ext)\s+(?P<m>{month})", _month_rel),
        (
            rf"{_B}(?:[Ii]n|[Ss]ince|[Uu]ntil|early|late|mid-)\s+(?P<m>{month})(?!\s*\d)(?P<rel>)",
            _month_rel,
        ),
        (
            rf"{_B}(?:[Ii]n|[Ss]ince|[Bb]y|[Uu]ntil|[Bb]efore|[Aa]fter|[Dd]uring|early|late|"
            rf"mid-|of|or|and|a|[Ff]rom|to)\s+(?P<y>{YEAR})(?![\d,.]\d)",
            _year,
        ),
        (rf"{_B}(?:(?P<rel>[Ll]ast|[Nn]ext|[Tt]his)\s+)?(?P<w>{weekday})", _wd),
        (
            r"(?i)\b(?:the\s+day\s+before\s+yesterday|yesterday|last\s+night|today|tomorrow)\b",
            _rel_day,
        ),
        (r"(?i)\b(?P<rel>last|this|next)\s+(?P<u>year|month)\b", _rel_period),
    ]
    return compile_grammar(rules, flags=0)


#: The English date grammar.
GRAMMAR: Final = _grammar()
