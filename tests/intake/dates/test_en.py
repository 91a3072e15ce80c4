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


def test_english_years_and_months_alone() -> None:
    # found on the press set (issue 15): years and months after a preposition, any case
    assert values("In 1994 the party split; a 2003 ruling and the spring of 2009.", "en") == [
        ("1994", "1994", "year"),
        ("2003", "2003", "year"),
        ("2009", "2009", "year"),
    ]
    assert values("In September, talks began; 2,000 people came.", "en") == [
        ("In September", "2017-09", "month")
    ]
    assert values("Raids in February of this year and December of 2015.", "en") == [
        ("February of this year", "2017-02", "month"),
        ("December of 2015", "2015-12", "month"),
    ]
    assert values("He spoke last night.", "en") == [("last night", "2017-12-17", "day")]


def test_english_day_without_year_near_publication() -> None:
    # a weekday fixes the year; a day soon after publication is ahead, not a year back
    assert values("Closed until Friday, January 5.", "en") == [
        ("Friday, January 5", "2018-01-05", "day")
    ]
    assert values("They have until January 2 to leave.", "en") == [
        ("January 2", "2018-01-02", "day")
    ]
    assert values("It began on December 2.", "en") == [("December 2", "2017-12-02", "day")]
    assert values("It ended on March 2.", "en") == [("March 2", "2017-03-02", "day")]
