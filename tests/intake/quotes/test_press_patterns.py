"""Quotation patterns of real press that intake missed or took wrongly (issue 15, items 2
and 7): single and doubled single quotes in English, a speaker after a few words and a
comma, a title with its name and no comma, thanks "pour « ... »"; legal charges and
scare quotes are not quotations. Sentences written for these tests, read through the
whole pipeline (its recognisers loaded once for the session)."""

# ruff: noqa: RUF001

from __future__ import annotations

from datetime import date

import pytest

from passerelle.intake.pipeline import draft_of
from passerelle.intake.quotes import Quotation
from tests.world import SHIPPED_ALIASES as ALIASES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def quotations(text: str, lang: str) -> list[Quotation]:
    return draft_of(text, ALIASES, lang=lang, published=date(2025, 3, 11)).quotations


def said(found: list[Quotation]) -> list[tuple[str, str, str]]:
    return [(q.text, q.speaker, q.speaker_kind) for q in found]


def test_en_ascii_single_quotes_and_said_inverted() -> None:
    text = "'We will not be intimidated by these people,' said Assistant Commissioner Mark Rowley."
    assert said(quotations(text, "en")) == [
        ("We will not be intimidated by these people,", "Mark Rowley", "person")
    ]


def test_en_curly_single_quotes_nest_in_double_ones() -> None:
    text = (
        "“He told the court he had ‘no regrets at all’ about the plot,” prosecutor "
        "Anna Becker said."
    )
    outer, inner = quotations(text, "en")
    assert (outer.speaker, outer.speaker_kind) == ("Anna Becker", "person")
    assert inner.text == "no regrets at all"
    assert inner.parent == 0


def test_en_doubled_single_quotes() -> None:
    text = "''The threat to this country remains very high,'' Home Secretary James Cleverly said."
    assert said(quotations(text, "en")) == [
        ("The threat to this country remains very high,", "James Cleverly", "person")
    ]


def test_en_apostrophes_are_not_quotes() -> None:
    text = (
        "The group's leader didn't speak. The agents' cars, bought in the '90s, were parked "
        "outside O'Hare airport, police said."
    )
    assert quotations(text, "en") == []


def test_en_title_of_a_high_representative_is_not_her_name() -> None:
    text = (
        '"Europe stands united against terrorism in all its forms," EU High Representative '
        "Kaja Kallas said."
    )
    assert said(quotations(text, "en")) == [
        ("Europe stands united against terrorism in all its forms,", "Kaja Kallas", "person")
    ]


def test_en_a_charge_in_quotes_is_not_a_quotation() -> None:
    text = (
        'The two men were charged with "conspiracy to provide material support to a '
        'terrorist organization" and remanded in custody.'
    )
    assert quotations(text, "en") == []


def test_fr_words_then_a_comma_then_the_speaker_with_his_title() -> None:
    text = (
        "« Le niveau de la menace terroriste reste extrêmement élevé » en France, a déclaré "
        "lundi le ministre de l'Intérieur Bruno Retailleau."
    )
    (q,) = quotations(text, "fr")
    assert (q.speaker, q.speaker_kind) == ("Bruno Retailleau", "person")
    assert text[q.speaker_start : q.speaker_end] == "le ministre de l'Intérieur Bruno Retailleau"


def test_fr_thanks_for_a_quote_in_a_communique() -> None:
    text = (
        "Le président Emmanuel Macron a remercié dans un communiqué les services de "
        "renseignement pour « leur travail remarquable et leur engagement de chaque jour »."
    )
    (q,) = quotations(text, "fr")
    assert (q.speaker, q.speaker_kind) == ("Emmanuel Macron", "person")


def test_fr_charges_and_scare_quotes_are_not_quotations() -> None:
    text = (
        "Trois hommes ont été mis en examen pour « association de malfaiteurs terroriste "
        "criminelle » et placés en détention provisoire. Sur Telegram, le groupe a dénoncé "
        "des « mensonges » et salué ses « frères »."
    )
    assert quotations(text, "fr") == []


def test_fr_a_short_answer_after_a_colon_is_still_a_quotation() -> None:
    text = "Interrogé sur un lien avec Moscou, le procureur Jean Dupont a répondu : « Aucun. »"
    (q,) = quotations(text, "fr")
    assert q.text == "Aucun."
    assert q.speaker == "Jean Dupont"


def test_ru_a_charge_under_an_article_is_not_a_quotation() -> None:
    text = (
        "Задержанным предъявлено обвинение по статье «Участие в деятельности "
        "террористической организации». «Мы продолжим работу по выявлению террористов», — "
        "заявил директор ФСБ Александр Бортников."
    )
    assert said(quotations(text, "ru")) == [
        ("Мы продолжим работу по выявлению террористов", "Александр Бортников", "person")
    ]
