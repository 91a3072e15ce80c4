"""Quotations and their speakers in English and Russian articles (issue 6, item 5).
Sentences written for these tests."""

# ruff: noqa: RUF001

from __future__ import annotations

import pytest

from passerelle.intake.mentions import en as english
from passerelle.intake.mentions import ru as russian
from passerelle.intake.model import Article, Mention
from passerelle.intake.pipeline import _blank_doc
from passerelle.intake.quotes import Quotation, find_quotations
from tests.world import SHIPPED_ALIASES as ALIASES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def read_en(text: str) -> tuple[list[Quotation], list[Mention]]:
    doc = english.parse(text)
    mentions = english.extract(text, ALIASES, doc)
    return find_quotations(doc, mentions), mentions


def read_ru(text: str) -> tuple[list[Quotation], list[Mention]]:
    mentions = russian.extract(text, ALIASES)
    return find_quotations(_blank_doc(Article(text, lang="ru")), mentions), mentions


def said_by(text: str, q: Quotation) -> str:
    assert q.speaker_start is not None
    assert q.speaker_end is not None
    return text[q.speaker_start : q.speaker_end]


# English ------------------------------------------------------------------------------


def test_en_named_speaker_told_reporters() -> None:
    text = "“Our border guards stopped the convoy at dawn,” Sergei Lavrov told reporters."
    (q,), _ = read_en(text)
    assert q.text == "Our border guards stopped the convoy at dawn,"
    assert (q.speaker, q.speaker_kind) == ("Sergei Lavrov", "person")
    assert said_by(text, q) == "Sergei Lavrov"
    assert not q.unclosed


def test_en_title_and_name_then_pronoun() -> None:
    text = (
        "“The danger was real and close,” the Kremlin spokesman Dmitry Peskov said on "
        "Monday. “We are grateful to our partners for it,” he added."
    )
    (first, second), mentions = read_en(text)
    assert (first.speaker, first.speaker_kind) == ("Dmitry Peskov", "person")
    assert said_by(text, first) == "the Kremlin spokesman Dmitry Peskov"
    assert first.organization == "Kremlin"
    assert first.mention_index is not None
    assert mentions[first.mention_index].canonical == "Dmitry Peskov"
    assert (second.speaker, second.speaker_kind) == ("Dmitry Peskov", "pronoun")
    assert said_by(text, second) == "he"


def test_en_organisation_in_a_statement_and_the_statement_read() -> None:
    text = (
        "“The cell was preparing a bombing in a crowded place,” the Federal Security "
        "Service said in a statement. “All of the detainees have confessed to the "
        "charges,” the statement read."
    )
    first, second = read_en(text)[0]
    assert (first.speaker, first.speaker_kind) == ("Federal Security Service", "organization")
    assert second.speaker_kind == "communique"
    assert said_by(text, second) == "the statement"
    assert second.speaker == "Federal Security Service"


def test_en_according_to_and_inverted_said_mr() -> None:
    text = (
        "According to the FSB, “the group had been under watch for months.”\n"
        "“Nobody was hurt during the raid,” said Mr Ivanov, a local police officer."
    )
    first, second = read_en(text)[0]
    assert (first.speaker, first.speaker_kind) == ("FSB", "organization")
    assert second.speaker == "Ivanov"
    assert said_by(text, second).startswith("Mr Ivanov")


def test_en_scare_quotes_nested_and_unclosed() -> None:
    text = (
        "Officials called the plan “reckless” on Friday.\n"
        "“They kept talking about a ‘special delivery’ for the capital,” an investigator "
        "said.\n"
        "“The suspects have not said a word since their arrest\n"
    )
    quotations = read_en(text)[0]
    assert [q.text for q in quotations if q.text == "reckless"] == []
    outer = next(q for q in quotations if q.text.startswith("They kept"))
    assert outer.speaker_kind == "title"
    unclosed = next(q for q in quotations if q.text.startswith("The suspects"))
    assert unclosed.unclosed


# Russian ------------------------------------------------------------------------------


def test_ru_named_speaker_after_a_dash() -> None:
    text = "«Пограничники остановили колонну на рассвете», — сказал Сергей Лавров."
    (q,), _ = read_ru(text)
    assert q.text == "Пограничники остановили колонну на рассвете"
    assert (q.speaker, q.speaker_kind) == ("Сергей Лавров", "person")
    assert said_by(text, q) == "Сергей Лавров"


def test_ru_title_and_name_then_pronoun() -> None:
    text = (
        "«Угроза была реальной и близкой», — заявил пресс-секретарь Кремля Дмитрий Песков. "
        "«Мы признательны партнёрам за помощь», — добавил он."
    )
    (first, second), _ = read_ru(text)
    assert (first.speaker, first.speaker_kind) == ("Дмитрий Песков", "person")
    assert said_by(text, first) == "пресс-секретарь Кремля Дмитрий Песков"
    assert first.organization == "Кремль"
    assert (second.speaker, second.speaker_kind) == ("Дмитрий Песков", "pronoun")
    assert said_by(text, second) == "он"


def test_ru_communique_and_po_slovam() -> None:
    text = (
        "«Все задержанные дали признательные показания», — говорится в сообщении ФСБ.\n"
        "По словам Александра Бортникова, «ячейка действовала несколько месяцев»."
    )
    first, second = read_ru(text)[0]
    assert first.speaker_kind == "communique"
    assert first.speaker == "ФСБ"
    assert said_by(text, first) == "сообщении ФСБ"
    assert second.speaker_kind == "person"
    assert second.speaker == "Александр Бортников"


def test_ru_kak_zayavil_before_the_quote() -> None:
    text = "Как заявил Сергей Лавров, «никакой угрозы для жителей города больше нет»."
    (q,), _ = read_ru(text)
    assert (q.speaker, q.speaker_kind) == ("Сергей Лавров", "person")


def test_ru_nested_lapki_scare_quotes_and_unclosed() -> None:
    text = (
        "Он назвал это «провокацией».\n"
        "«Нам передали „очень важные сведения о готовящемся взрыве“, и мы благодарны», — "
        "отметил Песков.\n"
        "«Следствие продолжается и скоро будут новые задержания\n"
    )
    quotations = read_ru(text)[0]
    assert all(q.text != "провокацией" for q in quotations)
    outer = next(q for q in quotations if q.text.startswith("Нам передали"))
    assert outer.speaker == "Песков"
    inner = next(q for q in quotations if q.text.startswith("очень важные"))
    assert inner.parent == quotations.index(outer)
    unclosed = next(q for q in quotations if q.text.startswith("Следствие"))
    assert unclosed.unclosed
