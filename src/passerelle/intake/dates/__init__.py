# ruff: noqa: RUF002  (curly apostrophes and Cyrillic letters, on purpose)
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

Layout: :mod:`.base` (the date mention, resolution, numeric dates and ranges, finding dates
with a grammar), and one grammar per language in :mod:`.fr`, :mod:`.en` and :mod:`.ru`,
independent of one another.

Other modules use :func:`find_dates`, :class:`DateMention` and :data:`GRANULARITIES`.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from passerelle.intake.dates import en, fr, ru
from passerelle.intake.dates.base import GRANULARITIES, DateMention, Grammar, dates_in

__all__ = ["GRANULARITIES", "DateMention", "find_dates"]

_GRAMMARS: Final[dict[str, Grammar]] = {"fr": fr.GRAMMAR, "en": en.GRAMMAR, "ru": ru.GRAMMAR}


def find_dates(text: str, lang: str, published: date | None) -> list[DateMention]:
    """Return the date expressions in ``text``, resolved against ``published``.

    ``lang`` picks the grammar; French reads any language intake has no grammar for."""
    return dates_in(text, _GRAMMARS.get(lang[:2].lower(), fr.GRAMMAR), published)
