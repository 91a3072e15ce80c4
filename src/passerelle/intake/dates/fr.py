# ruff: noqa: RUF001  (curly apostrophes, on purpose)
"""French dates: "le 15 décembre 2017", "du 3 au 5 mars", "mars dernier", "lundi",
"hier", "l'an dernier", "il y a deux ans", "en 2015", 15/12/2017 (day first)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final

from passerelle.intake.dates.base import (
    DAY,
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
    next_month,
    numeric_rules,
    past_day,
    past_month,
    shift_days,
    shift_months,
    shift_years,
)

# Short names keep the rules below readable.
_B: Final = WORD_START
_E: Final = WORD_END

_MONTHS = {
    "janvier": 1, "janv.": 1, "février": 2, "fevrier": 2, "févr.": 2, "fév.": 2,
    "mars": 3, "avril": 4, "avr.": 4, "mai": 5, "juin": 6, "juillet": 7, "juil.": 7,
    "août": 8, "aout": 8, "septembre": 9, "sept.": 9, "octobre": 10, "oct.": 10,
    "novembre": 11, "nov.": 11, "décembre": 12, "decembre": 12, "déc.": 12,
}  # fmt: skip
_WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5,
    "dimanche": 6,
}  # fmt: skip
_NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "quinze": 15, "vingt": 20,
}  # fmt: skip


def _month(s: str) -> int:
    return _MONTHS[s.lower()]


# A verb in the future tense, or one that announces what is to come ("réunira", "sera",
# "doit", "devrait", "est prévu"): a date without a year in its clause points forward.
_FUTURE: Final = re.compile(
    r"(?<![\w-])(?:\w+(?:era|eront|ira|iront|endra|endront|oira|ura|urent|rai|rons)"
    r"|sera|seront|aura|auront|fera|feront|va|vont|doit|doivent|devrait|devraient|"
    r"prévue?s?\s+(?:pour|le))(?![\w-])",
    re.IGNORECASE,
)


def _future(m: re.Match[str]) -> bool:
    """Whether the clause of a date is in the future tense: the words from the last
    sentence end or comma before it to the next one after it."""
    text = m.string
    start = max(text.rfind(c, 0, m.start()) for c in ".!?,;\n") + 1
    ends = [i for i in (text.find(c, m.end()) for c in ".!?,;\n") if i >= 0]
    return bool(_FUTURE.search(text, start, min(ends, default=len(text))))


def _dmy(m: re.Match[str], pub: date | None) -> list[Piece]:
    month, day = _month(m["m"]), day_number(m["d"])
    if not m["y"] and pub is not None and _future(m):
        return [(m.start(), m.end(), _next_day(month, day, pub), "day")]
    value = day_month_year(month, day, m["y"], pub)
    return [(m.start(), m.end(), value, "day")]


def _next_day(month: int, day: int, pub: date) -> str:
    """The first day/month on or after ``pub``."""
    for y in (pub.year, pub.year + 1):
        value = iso_day(y, month, day)
        if value and value >= pub.isoformat():
            return value
    return ""


def _dm_rel(m: re.Match[str], pub: date | None) -> list[Piece]:
    """ "le 11 mai dernier" keeps its day: the past 11 May; "le 4 mai prochain": the next."""
    month, day = _month(m["m"]), day_number(m["d"])
    value = past_day(month, day, pub)
    if m["rel"].lower() == "prochain" and pub is not None:
        value = _next_day(month, day, pub + timedelta(days=1))
    return [(m.start(), m.end(), value, "day")]


def _day_range(m: re.Match[str], pub: date | None) -> list[Piece]:
    return day_range(m, pub, _month)


def _month_year(m: re.Match[str], pub: date | None) -> list[Piece]:
    return [(m.start(), m.end(), f"{int(m['y']):04d}-{_month(m['m']):02d}", "month")]


def _month_rel(m: re.Match[str], pub: date | None) -> list[Piece]:
    mo, rel = _month(m["m"]), (m["rel"] or "").lower()
    if rel == "prochain":
        value = next_month(mo, pub)
    else:
        value = past_month(mo, pub, strict=rel == "dernier")
    return [(m.start("m"), m.end(), value, "month")]


def _month_range(m: re.Match[str], pub: date | None) -> list[Piece]:
    m1, m2 = _month(m["m1"]), _month(m["m2"])
    y2 = int(m["y2"])
    y1 = int(m["y1"]) if m["y1"] else (y2 if m1 <= m2 else y2 - 1)
    return [
        (m.start("m1"), m.end("y1") if m["y1"] else m.end("m1"), f"{y1:04d}-{m1:02d}", "month"),
        (m.start("m2"), m.end(), f"{y2:04d}-{m2:02d}", "month"),
    ]


def _year(m: re.Match[str], pub: date | None) -> list[Piece]:
    return [(m.start("y"), m.end("y"), m["y"], "year")]


def _year_range(m: re.Match[str], pub: date | None) -> list[Piece]:
    return [
        (m.start("y1"), m.end("y1"), m["y1"], "year"),
        (m.start("y2"), m.end("y2"), m["y2"], "year"),
    ]


def _wd(m: re.Match[str], pub: date | None) -> list[Piece]:
    rel = (m["rel"] or "").lower()
    mode = {"dernier": "last", "prochain": "next"}.get(rel, "recent")
    if not rel and _future(m):
        mode = "next"
    value = day_of_weekday(_WEEKDAYS[m["w"].lower()], pub, mode)
    return [(m.start(), m.end(), value, "day")]


def _rel_day(m: re.Match[str], pub: date | None) -> list[Piece]:
    word = re.sub(r"\s+", " ", m[0].lower().replace("’", "'"))
    offset = {
        "avant-hier": -2, "hier": -1, "aujourd'hui": 0, "ce matin": 0, "ce soir": 0,
        "cet après-midi": 0, "demain": 1, "après-demain": 2,
    }[word]  # fmt: skip
    return [(m.start(), m.end(), shift_days(offset, pub), "day")]


def _rel_period(m: re.Match[str], pub: date | None) -> list[Piece]:
    word = re.sub(r"\s+", " ", m[0].lower().replace("’", "'"))
    if "mois" in word:
        n = -1 if "dernier" in word else (1 if "prochain" in word else 0)
        return [(m.start(), m.end(), shift_months(n, pub), "month")]
    n = -1 if ("dernière" in word or "dernier" in word or "passé" in word) else 0
    n = 1 if "prochain" in word else n
    return [(m.start(), m.end(), shift_years(n, pub), "year")]


def _ago(m: re.Match[str], pub: date | None) -> list[Piece]:
    raw = m["n"].lower()
    n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    unit = m["u"].lower()
    if unit.startswith("jour"):
        return [(m.start(), m.end(), shift_days(-n, pub), "day")]
    if unit == "mois":
        return [(m.start(), m.end(), shift_months(-n, pub), "month")]
    return [(m.start(), m.end(), shift_years(-n, pub), "year")]


def _grammar() -> Grammar:
    month = rf"(?:{alternation(list(_MONTHS))})(?![\w])"
    weekday = rf"(?:{alternation(list(_WEEKDAYS))}){_E}"
    year_preps = (
        r"en|depuis|dès|avant|après|jusqu['’]en|d['’]ici|fin|début|mi-|courant|"
        r"l['’]année|l['’]an|année|printemps|été|automne|hiver|"
        r"(?:depuis|en)\s+respectivement"
    )
    numbers = alternation(list(_NUMBER_WORDS))
    rules: list[tuple[str, Handler]] = [
        *numeric_rules(day_first=True),
        (
            rf"{_B}(?:du|entre\s+le|les)\s+(?P<d1>{DAY})(?:\s+(?P<m1>{month})(?:\s+(?P<y1>{YEAR}))?)?"
            rf"\s+(?:au|et\s+le|et)\s+(?P<d2>{DAY})\s+(?P<m2>{month})(?:\s+(?P<y2>{YEAR}))?",
            _day_range,
        ),
        (
            rf"{_B}(?:{weekday}\s+)?(?P<d>{DAY})\s+(?P<m>{month})\s+(?P<rel>dernier|prochain){_E}",
            _dm_rel,
        ),
        (rf"{_B}(?:{weekday}\s+)?(?P<d>{DAY})\s+(?P<m>{month})(?:\s+(?P<y>{YEAR}))?", _dmy),
        (
            rf"{_B}(?:de|entre)\s+(?P<m1>{month})(?:\s+(?P<y1>{YEAR}))?\s+(?:à|et)\s+"
            rf"(?P<m2>{month})\s+(?P<y2>{YEAR})",
            _month_range,
        ),
        (rf"{_B}(?P<m>{month})\s+(?P<y>{YEAR})", _month_year),
        (rf"{_B}(?P<m>{month})\s+(?P<rel>dernier|prochain){_E}", _month_rel),
        (
            rf"{_B}(?:en|depuis|dès|début|fin|mi-|courant|mois\s+d['’e]\s*)\s*(?P<m>{month})"
            rf"(?!\s*\d)(?P<rel>)",
            _month_rel,
        ),
        (rf"{_B}(?:de|entre)\s+(?P<y1>{YEAR})\s+(?:à|et)\s+(?P<y2>{YEAR})", _year_range),
        (rf"{_B}(?P<y1>{YEAR})\s*[-–]\s*(?P<y2>{YEAR})", _year_range),
        (rf"{_B}(?:{year_preps})\s+(?P<y1>{YEAR})\s+(?:et|ou)\s+(?P<y2>{YEAR})", _year_range),
        (rf"{_B}(?:{year_preps})\s+(?P<y>{YEAR})", _year),
        (rf"{_B}(?:ce\s+)?(?P<w>{weekday})(?:\s+(?P<rel>dernier|prochain){_E})?", _wd),
        (
            rf"{_B}(?:avant-hier|après-demain|hier|aujourd['’]hui|demain|ce\s+matin|ce\s+soir|"
            rf"cet\s+après-midi){_E}",
            _rel_day,
        ),
        (
            rf"{_B}(?:l['’]an\s+(?:dernier|passé|prochain)|l['’]année\s+(?:dernière|passée|"
            rf"prochaine)|cette\s+année|(?:le\s+)?mois\s+(?:dernier|prochain)|ce\s+mois-ci){_E}",
            _rel_period,
        ),
        (
            rf"{_B}il\s+y\s+a\s+(?P<n>\d{{1,2}}|{numbers})\s+(?P<u>jours?|mois|ans|années?){_E}",
            _ago,
        ),
    ]
    return compile_grammar(rules)


#: The French date grammar.
GRAMMAR: Final = _grammar()
