# ruff: noqa: RUF001  (curly apostrophes and dashes, on purpose)
"""What the date grammars of every language share: the date mention, resolution against
the publication date, numeric dates, ranges, and finding dates with a grammar."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

#: How precise a date is.
GRANULARITIES: Final = ("year", "month", "day")


@dataclass(frozen=True)
class DateMention:
    """A date expression in the text and its ISO value ("" when it cannot be resolved)."""

    start: int
    end: int
    text: str
    value: str
    granularity: str


#: A resolved piece of a match: (start, end, value, granularity).
Piece = tuple[int, int, str, str]
#: What a rule does with its match: the pieces it resolves to.
Handler = Callable[[re.Match[str], date | None], list[Piece]]

# Resolution --------------------------------------------------------------------------


def iso_day(y: int, m: int, d: int) -> str:
    """Return the ISO date of y-m-d, or "" if there is no such day."""
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return ""


def past_day(m: int, d: int, pub: date | None) -> str:
    """Return the most recent m/d on or before ``pub`` (29 February: of a leap year)."""
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


def past_month(m: int, pub: date | None, *, strict: bool = False) -> str:
    """Return the most recent month m on or before ``pub``'s (``strict``: before it)."""
    if pub is None:
        return ""
    y = pub.year if (m < pub.month or (m == pub.month and not strict)) else pub.year - 1
    return f"{y:04d}-{m:02d}"


def next_month(m: int, pub: date | None) -> str:
    """Return the first month m after ``pub``'s."""
    if pub is None:
        return ""
    y = pub.year if m > pub.month else pub.year + 1
    return f"{y:04d}-{m:02d}"


def day_of_weekday(wd: int, pub: date | None, mode: str) -> str:
    """Return the day of weekday ``wd`` near ``pub``.

    ``mode``: "recent" (on or before), "last" (strictly before), "next" (strictly after)."""
    if pub is None:
        return ""
    if mode == "next":
        return (pub + timedelta(days=(wd - pub.weekday() - 1) % 7 + 1)).isoformat()
    back = (pub.weekday() - wd) % 7
    if mode == "last" and back == 0:
        back = 7
    return (pub - timedelta(days=back)).isoformat()


def shift_days(n: int, pub: date | None) -> str:
    """Return the day ``n`` days from ``pub``."""
    return "" if pub is None else (pub + timedelta(days=n)).isoformat()


def shift_months(n: int, pub: date | None) -> str:
    """Return the month ``n`` months from ``pub``'s."""
    if pub is None:
        return ""
    total = pub.year * 12 + pub.month - 1 + n
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def shift_years(n: int, pub: date | None) -> str:
    """Return the year ``n`` years from ``pub``'s."""
    return "" if pub is None else f"{pub.year + n:04d}"


def day_month_year(m: int, d: int, y: str | None, pub: date | None) -> str:
    """Return the day d/m of year ``y``, or without a year the most recent before ``pub``."""
    return iso_day(int(y), m, d) if y else past_day(m, d, pub)


def near_day(m: int, d: int, pub: date, weekday: int | None = None) -> str:
    """Return the day d/m nearest ``pub`` when the text gives no year.

    With a weekday ("Sunday, February 17"), the nearest such day falling on it; without,
    the most recent one on or before ``pub``, unless the next one comes within 45 days
    and the last one lies further back ("until April 8" written on 29 March)."""
    candidates = []
    for y in (pub.year - 1, pub.year, pub.year + 1):
        try:
            candidates.append(date(y, m, d))
        except ValueError:
            continue
    if weekday is not None:
        matching = [c for c in candidates if c.weekday() == weekday]
        if matching:
            return min(matching, key=lambda c: abs((c - pub).days)).isoformat()
    past = [c for c in candidates if c <= pub]
    future = [c for c in candidates if c > pub]
    if future and (future[0] - pub).days <= 45 and (not past or (pub - past[-1]).days > 45):
        return future[0].isoformat()
    return past[-1].isoformat() if past else past_day(m, d, pub)


def day_number(s: str) -> int:
    """Return the number of a day as written ("1er", "3rd")."""
    return int(re.sub(r"\D", "", s))


# Patterns ----------------------------------------------------------------------------


def alternation(words: Iterator[str] | list[str]) -> str:
    """Return a pattern matching any of the words, the longest first."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


#: A left word boundary that also refuses a preceding digit.
WORD_START: Final = r"(?<![\w\d])"
#: A right word boundary that also refuses a following digit.
WORD_END: Final = r"(?![\w\d])"
YEAR: Final = r"(?:1[89]\d\d|20\d\d)(?!\d)"
DAY: Final = r"(?:1er|[12]\d|3[01]|0?[1-9])(?!\d)"


# Grammars ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Grammar:
    """The rules of a language: a pattern and what its match resolves to."""

    rules: tuple[tuple[re.Pattern[str], Handler], ...]


def numeric_rules(day_first: bool) -> list[tuple[str, Handler]]:
    """Return the rules of ISO dates, and of dd/mm/yyyy (``day_first``) or m/d/yyyy."""

    def iso(m: re.Match[str], pub: date | None) -> list[Piece]:
        value = iso_day(int(m["y"]), int(m["m"]), int(m["d"]))
        return [(m.start(), m.end(), value, "day")] if value else []

    def numeric(m: re.Match[str], pub: date | None) -> list[Piece]:
        a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
        if day_first:
            value = iso_day(y, b, a)
            return [(m.start(), m.end(), value, "day")] if value else []
        month_first, day_first_v = iso_day(y, a, b), iso_day(y, b, a)
        if month_first and day_first_v and month_first != day_first_v:
            return [(m.start(), m.end(), "", "day")]  # 03/04/2017: ambiguous, left to review
        value = month_first or day_first_v
        return [(m.start(), m.end(), value, "day")] if value else []

    sep = r"[/.]" if day_first else r"/"
    return [
        (rf"(?<![\d./-])(?P<y>{YEAR})-(?P<m>\d\d)-(?P<d>\d\d)(?![\d-])", iso),
        (
            rf"(?<![\d./-])(?P<a>\d{{1,2}})({sep})(?P<b>\d{{1,2}})\2(?P<y>{YEAR})(?![\d/]|\.\d)",
            numeric,
        ),
    ]


def day_range(m: re.Match[str], pub: date | None, month_of: Callable[[str], int]) -> list[Piece]:
    """Return both ends of "du 3 au 5 mars [2017]": the first end borrows month and year."""
    m2 = month_of(m["m2"])
    d1, d2 = day_number(m["d1"]), day_number(m["d2"])
    end_value = day_month_year(m2, d2, m["y2"], pub)
    m1 = month_of(m["m1"]) if m["m1"] else m2
    if m["y1"]:
        start_value = iso_day(int(m["y1"]), m1, d1)
    elif end_value:
        y2 = int(end_value[:4])
        start_value = iso_day(y2 if m1 <= m2 else y2 - 1, m1, d1)
    else:
        start_value = ""
    first_end = m.end("y1") if m["y1"] else (m.end("m1") if m["m1"] else m.end("d1"))
    return [
        (m.start("d1"), first_end, start_value, "day"),
        (m.start("d2"), m.end(), end_value, "day"),
    ]


def compile_grammar(rules: list[tuple[str, Handler]], flags: int = re.IGNORECASE) -> Grammar:
    """Return the grammar of the rules, their patterns compiled."""
    return Grammar(tuple((re.compile(p, flags), h) for p, h in rules))


# A number right after these is an identifier (law, decree, article, page, phone), not a date.
_IDENTIFIER_BEFORE = re.compile(
    r"(?:\bn°|\bnº|\bno\.?|№|\bnuméro|\bloi|\bdécret|\barrêté|\bordonnance|\barticle|\bart\.|"
    r"\bpage|\bp\.|\bpp\.|\btél\.?|\btéléphone|\bphone|\bстатья|\bстр\.)\s*$",
    re.IGNORECASE,
)


def dates_in(text: str, grammar: Grammar, published: date | None) -> list[DateMention]:
    """Return the dates ``grammar`` finds in ``text``, resolved against ``published``.

    Of overlapping expressions, the longest is kept."""
    claims: list[tuple[int, int, list[Piece]]] = []
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
    kept: list[tuple[int, int, list[Piece]]] = []
    for claim in claims:
        if all(claim[1] <= k[0] or claim[0] >= k[1] for k in kept):
            kept.append(claim)
    pieces = sorted(p for claim in kept for p in claim[2])
    return [DateMention(s, e, text[s:e], value, gran) for s, e, value, gran in pieces]
