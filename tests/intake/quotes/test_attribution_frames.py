"""Quotation attribution by speech-verb frames (issue 15, item 2): a short quote that a
speech verb earlier in its sentence governs is a quotation, its speaker that verb's
subject; a bare participle, a name in quotes or a charge after "et" is none; a verb that
introduces a clause ("X rapportent que") does not claim the quote before it; English verbs
are lower case. Sentences written for these tests, read through the whole pipeline."""

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


def said(found: list[Quotation]) -> list[tuple[str, str]]:
    return [(q.text, q.speaker) for q in found]


def test_fr_short_quote_governed_by_a_verb_earlier_in_its_sentence() -> None:
    text = (
        "Le maire de Lyon, Pierre Morel, a qualifié mardi cette agression de « lâche et odieuse »."
    )
    assert said(quotations(text, "fr")) == [("lâche et odieuse", "Pierre Morel")]


def test_fr_bare_participle_governs_nothing() -> None:
    text = "Une opération qualifiée de « très délicate » a été menée à Lille."
    assert quotations(text, "fr") == []


def test_fr_name_in_quotes_after_a_naming_noun_is_not_a_quotation() -> None:
    text = "Pierre Morel a déclaré avoir tout lu dans le journal « La Voix »."
    assert quotations(text, "fr") == []


def test_fr_second_charge_after_et_and_a_verb_introducing_a_clause() -> None:
    text = (
        "Il a été mis en examen pour « association de malfaiteurs terroriste » et "
        "« financement du terrorisme », ses avocats rapportent que le dossier est vide."
    )
    assert quotations(text, "fr") == []


def test_en_short_quote_governed_by_praised() -> None:
    text = "Prime Minister Anna Berg praised the 'brave officers' who stopped the attacker."
    assert said(quotations(text, "en")) == [("brave officers", "Anna Berg")]


def test_en_capitalised_words_are_not_speech_verbs() -> None:
    text = "He had lived in the United States and 'loved it' there, his neighbours remember."
    assert quotations(text, "en") == []


def test_ru_short_quote_governed_by_nazval() -> None:
    text = "Министр внутренних дел Иван Петров назвал нападавшего «жалким трусом»."
    assert said(quotations(text, "ru")) == [("жалким трусом", "Иван Петров")]


def test_ru_name_after_a_naming_noun_is_not_a_quotation() -> None:
    text = "Об этом сообщила газета «Новые известия»."
    assert quotations(text, "ru") == []


def test_en_verb_after_but_belongs_to_the_sentence_subject() -> None:
    text = (
        'Mark Ellis, the Home Secretary, said the arrests were a "real success," but warned '
        'Tom Baker "not to expect miracles."'
    )
    assert said(quotations(text, "en"))[0] == ("real success,", "Mark Ellis")


def test_en_gerund_after_the_quote_takes_the_clause_subject() -> None:
    text = (
        'Police chief Laura Stone spoke on Monday. "The area is safe now," she added, saying '
        'the suspects "will be found."'
    )
    assert said(quotations(text, "en")) == [
        ("The area is safe now,", "Laura Stone"),
        ("will be found.", "Laura Stone"),
    ]


def test_ru_gerund_before_the_quote_takes_the_clause_subject() -> None:
    text = (
        "Министр Иван Петров выступил перед журналистами, утверждая, что Сергей Смирнов "
        "«готовил взрыв в метро»."
    )
    assert said(quotations(text, "ru")) == [("готовил взрыв в метро", "Иван Петров")]


def test_ru_verb_right_before_the_quote_beats_the_reporting_verb_after_it() -> None:
    text = (
        "Задержанный Олег Козлов напал на охранника. Во время нападения Козлов кричал "
        "«Всех накажу», заявил прокурор Андрей Волков."
    )
    assert said(quotations(text, "ru")) == [("Всех накажу", "Олег Козлов")]


def test_fr_source_opening_the_sentence_speaks_a_detached_quote() -> None:
    text = (
        "Selon le ministre Jean Lemaire, son gouvernement avait alerté la Belgique au sujet "
        "du suspect, qui a ensuite été relâché — « malgré nos avertissements répétés »."
    )
    assert said(quotations(text, "fr")) == [("malgré nos avertissements répétés", "Jean Lemaire")]


def test_fr_infinitive_before_the_quote_leaves_the_cue_after_it() -> None:
    text = (
        "Des démineurs sont venus pour s'assurer qu'il n'y avait pas de « colis piégé », "
        "explique Paul Garnier, le porte-parole de la police."
    )
    assert said(quotations(text, "fr")) == [("colis piégé", "Paul Garnier")]


def test_ru_title_with_an_age_before_the_name_and_a_role_noun_later() -> None:
    text = (
        "На видео выступает оратор. Оратор, 22-летний Руслан Гаджиев, угрожает властям. "
        "Юноша утверждает, что «скоро будут новые нападения»."
    )
    assert said(quotations(text, "ru")) == [("скоро будут новые нападения", "Руслан Гаджиев")]


def test_ru_source_opening_the_sentence_is_a_leader_named_before() -> None:
    text = (
        "Об этом сообщил президент Турции Мехмет Озкан. По словам турецкого лидера, его "
        "правительство предупредило власти Бельгии о подозреваемом, который был отпущен — "
        "«несмотря на все наши предупреждения»."
    )
    assert said(quotations(text, "ru")) == [("несмотря на все наши предупреждения", "Мехмет Озкан")]


def test_fr_coordinated_subject_gives_the_first_name() -> None:
    text = (
        "Le préfet du Rhône Paul Garnier et plusieurs élus de la région ont aussitôt "
        "condamné cette agression, qualifiée de « lâche et odieuse »."
    )
    assert said(quotations(text, "fr")) == [("lâche et odieuse", "Paul Garnier")]
