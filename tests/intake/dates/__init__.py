"""Dates, one test module per language (as in ``passerelle.intake.dates``)."""

from __future__ import annotations

from datetime import date

from passerelle.intake.dates import find_dates

PUBLISHED = date(2017, 12, 18)  # a Monday


def values(
    text: str, lang: str = "fr", published: date | None = PUBLISHED
) -> list[tuple[str, str, str]]:
    """Return (text, value, granularity) of each date found in the text."""
    return [(d.text, d.value, d.granularity) for d in find_dates(text, lang, published)]
