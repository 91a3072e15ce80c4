"""Russian dates resolved against the publication date (issue 6, item 4)."""

# ruff: noqa: RUF001

from __future__ import annotations

from tests.intake.dates import values


def test_russian_dates() -> None:
    assert values("Задержание произошло 15 декабря 2017 года в Москве.", "ru") == [
        ("15 декабря 2017 года", "2017-12-15", "day")
    ]
    assert values("Об этом стало известно во вторник.", "ru") == [
        ("во вторник", "2017-12-12", "day")
    ]
    assert values("вчера", "ru") == [("вчера", "2017-12-17", "day")]
    assert values("в марте 2011 года", "ru") == [("марте 2011 года", "2011-03", "month")]
    assert values("в 2015 году", "ru") == [("2015 году", "2015", "year")]
    assert values("приказ № 2015-12 от 01.12.2017", "ru") == [("01.12.2017", "2017-12-01", "day")]


def test_russian_months_alone() -> None:
    # found on the press set (issue 15): a month in the prepositional case, at its end,
    # or from it on, of this year
    assert values("В августе их задержали, а в конце ноября отпустили.", "ru") == [
        ("В августе", "2017-08", "month"),
        ("в конце ноября", "2017-11", "month"),
    ]
    assert values("Проверки идут с января этого года.", "ru") == [
        ("с января этого года", "2017-01", "month")
    ]
    assert values("Он приехал в мае прошлого года.", "ru") == [
        ("в мае прошлого года", "2016-05", "month")
    ]
