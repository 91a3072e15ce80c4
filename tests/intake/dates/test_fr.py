"""French dates resolved against the publication date (issue 6, item 4)."""

# ruff: noqa: RUF001

from __future__ import annotations

from datetime import date

import pytest

from passerelle.intake.dates import DateMention, find_dates
from tests.intake.dates import PUBLISHED, values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Les faits remontent au 15 décembre.", [("15 décembre", "2017-12-15", "day")]),
        ("Le sommet du 20 décembre a été annulé.", [("20 décembre", "2016-12-20", "day")]),
        ("Il s’était installé en mars 2011.", [("mars 2011", "2011-03", "month")]),
        ("Le réseau opère depuis 2015.", [("2015", "2015", "year")]),
        ("Le groupe est apparu en 2015.", [("2015", "2015", "year")]),
        ("Le suspect a été arrêté mardi.", [("mardi", "2017-12-12", "day")]),
        ("Lundi, le ministre a démenti.", [("Lundi", "2017-12-18", "day")]),
        ("Il l’avait vu lundi dernier.", [("lundi dernier", "2017-12-11", "day")]),
        ("Le parquet a été saisi hier.", [("hier", "2017-12-17", "day")]),
        ("Le texte a été signé le 1er mars 2016.", [("1er mars 2016", "2016-03-01", "day")]),
        ("L’accord date du 15/12/2017.", [("15/12/2017", "2017-12-15", "day")]),
        ("Publié le 2017-12-01.", [("2017-12-01", "2017-12-01", "day")]),
        ("L’an dernier, rien.", [("L’an dernier", "2016", "year")]),
        ("Il y a deux ans, tout a changé.", [("Il y a deux ans", "2015", "year")]),
        ("Le 15 décembre 1999, à Grozny.", [("15 décembre 1999", "1999-12-15", "day")]),
    ],
)
def test_french_dates(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert values(text) == expected


def test_offsets_point_into_the_text() -> None:
    text = "Selon le parquet, l’homme a été interpellé le 15 décembre à Lyon."
    (mention,) = find_dates(text, "fr", PUBLISHED)
    assert text[mention.start : mention.end] == mention.text == "15 décembre"
    assert mention == DateMention(mention.start, mention.end, "15 décembre", "2017-12-15", "day")


def test_range_gives_both_ends() -> None:
    assert values("Le salon se tient du 3 au 5 mars.") == [
        ("3", "2017-03-03", "day"),
        ("5 mars", "2017-03-05", "day"),
    ]
    assert values("du 28 février au 3 mars 2016") == [
        ("28 février", "2016-02-28", "day"),
        ("3 mars 2016", "2016-03-03", "day"),
    ]
    assert values("de 2014 à 2016") == [("2014", "2014", "year"), ("2016", "2016", "year")]


@pytest.mark.parametrize(
    "text",
    [
        "la loi n° 78-17 relative à l’informatique",
        "le décret 2015-1234 a été abrogé",
        "le rendez-vous est fixé à 14 h 30",
        "Lyon l’a emporté 3-1 face à Marseille",
        "appelez le 01 42 75 80 00",
        "voir page 2015 du rapport",
        "un budget de 2015 euros",
    ],
)
def test_numbers_that_only_look_like_dates_are_left_alone(text: str) -> None:
    assert values(text) == []


def test_law_number_left_alone_but_its_date_kept() -> None:
    assert values("la loi n° 78-17 du 6 janvier 1978") == [("6 janvier 1978", "1978-01-06", "day")]


def test_month_without_year_prefers_the_past() -> None:
    assert values("en mars") == [("mars", "2017-03", "month")]
    assert values("en mars dernier", published=date(2017, 3, 20)) == [
        ("mars dernier", "2016-03", "month")
    ]


def test_leap_day_looks_back_to_a_leap_year() -> None:
    assert values("le 29 février") == [("29 février", "2016-02-29", "day")]


def test_without_publication_date_relative_dates_have_no_value() -> None:
    assert values("le 15 décembre, en 2015, hier et le 3 mai 2016", published=None) == [
        ("15 décembre", "", "day"),
        ("2015", "2015", "year"),
        ("hier", "", "day"),
        ("3 mai 2016", "2016-05-03", "day"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Il avait été arrêté le 11 mai dernier.", [("11 mai dernier", "2017-05-11", "day")]),
        ("Le procès s’ouvrira le 8 janvier.", [("8 janvier", "2018-01-08", "day")]),
        ("Il comparaîtra le 8 janvier prochain.", [("8 janvier prochain", "2018-01-08", "day")]),
        ("Le ministre réunira les préfets mercredi.", [("mercredi", "2017-12-20", "day")]),
        ("Le ministre a réuni les préfets mercredi.", [("mercredi", "2017-12-13", "day")]),
        ("Il a été interpellé le mois dernier.", [("le mois dernier", "2017-11", "month")]),
        ("Il est parti au mois de juillet.", [("juillet", "2017-07", "month")]),
        (
            "Ils étaient suivis depuis respectivement 2014 et 2015.",
            [("2014", "2014", "year"), ("2015", "2015", "year")],
        ),
    ],
)
def test_french_dates_of_the_press(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert values(text) == expected
