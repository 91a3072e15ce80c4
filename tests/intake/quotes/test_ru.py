"""Quotations and their speakers in Russian articles (issue 6, item 5). Sentences written
for these tests."""

# ruff: noqa: RUF001

from __future__ import annotations

import pytest

from passerelle.intake.mentions import ru as russian
from passerelle.intake.model import Article, Mention
from passerelle.intake.pipeline import blank_doc
from passerelle.intake.quotes import Quotation, find_quotations
from tests.intake.quotes import said_by
from tests.world import SHIPPED_ALIASES as ALIASES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def read_ru(text: str) -> tuple[list[Quotation], list[Mention]]:
    mentions = russian.extract(text, ALIASES)
    return find_quotations(blank_doc(Article(text, lang="ru")), mentions), mentions


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


# Rules found on the public press set (issue 15).


def test_ru_a_channel_is_not_the_speaker() -> None:
    text = (
        "Группировка Аль-Шабаб через агентство Калам назвала нападавшего «нашим братом», "
        "который провёл «операцию против неверных в порту»."
    )
    first, second = read_ru(text)[0]
    assert "Аль-Шабаб" in first.speaker
    assert second.speaker == first.speaker


def test_ru_time_after_cherez_is_no_channel() -> None:
    text = "Через два часа после взрыва Игорь Сомов назвал происшедшее «ужасной трагедией»."
    (q,), _ = read_ru(text)
    assert q.speaker == "Игорь Сомов"


def test_ru_a_relative_pronoun_and_an_unnamed_pronoun_still_quote() -> None:
    text = (
        "Газета процитировала представителя министерства, который назвал причины "
        "«неизвестными». Во время нападения он кричал «Слава богу»."
    )
    quotations, _ = read_ru(text)
    assert [q.text for q in quotations] == ["неизвестными", "Слава богу"]
