"""English dates resolved against the publication date (issue 6, item 4)."""

from __future__ import annotations

from tests.intake.dates import values


def test_english_dates() -> None:
    assert values("The raid took place on December 15.", "en") == [
        ("December 15", "2017-12-15", "day")
    ]
    assert values("He was seen last Tuesday and yesterday.", "en") == [
        ("last Tuesday", "2017-12-12", "day"),
        ("yesterday", "2017-12-17", "day"),
    ]
    assert values("in March 2011, 15 December 2016", "en") == [
        ("March 2011", "2011-03", "month"),
        ("15 December 2016", "2016-12-15", "day"),
    ]


def test_english_numeric_dates_only_when_unambiguous() -> None:
    assert values("12/15/2017", "en") == [("12/15/2017", "2017-12-15", "day")]
    assert values("03/04/2017", "en") == [("03/04/2017", "", "day")]
