"""The pipeline reads English and Russian articles, and paragraphs in another language."""

from __future__ import annotations

from datetime import date

import pytest

from passerelle.intake.pipeline import draft_of
from passerelle.resolution.aliases import entity_id_for
from tests.intake.mentions.test_en import ARTICLE as ENGLISH
from tests.intake.mentions.test_ru import ARTICLE as RUSSIAN
from tests.world import SHIPPED_ALIASES as ALIASES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MIXED = (
    "Moscou : le FSB annonce des arrestations\n"
    "\n"
    "Le Service fédéral de sécurité (FSB) a annoncé mardi l'arrestation de trois hommes "
    "à Saint-Pétersbourg. Voici le communiqué publié en russe :\n"
    "\n"
    "Федеральная служба безопасности задержала в Санкт-Петербурге сторонников "
    "террористической организации «Исламское государство».\n"
)


def test_an_english_article_gives_entities() -> None:
    draft = draft_of(ENGLISH, ALIASES, published=date(2025, 3, 11))
    assert draft.article.lang == "en"
    assert not [n for n in draft.notices if "not built" in n]
    names = {m.canonical for m in draft.mentions}
    assert {"Federal Security Service", "Dmitry Peskov", "White House", "Telegram"} <= names
    assert any(d.text == "Tuesday" for d in draft.dates)
    assert draft.quotations  # the quotation finder still runs on the English parse
    assert draft.bundle()["objects"]


def test_a_russian_article_gives_entities() -> None:
    draft = draft_of(RUSSIAN, ALIASES, published=date(2025, 3, 11))
    assert draft.article.lang == "ru"
    assert not [n for n in draft.notices if "not built" in n]
    names = {m.canonical for m in draft.mentions}
    assert {"Федеральная служба безопасности", "Дмитрий Песков", "Кремль", "Путин"} <= names
    ids = {m.entity_id for m in draft.mentions}
    assert {entity_id_for("ru-fsb"), entity_id_for("islamic-state")} <= ids
    assert draft.quotations
    assert draft.bundle()["objects"]


def test_a_paragraph_in_another_language_is_read_in_its_own() -> None:
    draft = draft_of(MIXED, ALIASES)
    assert draft.article.lang == "fr"
    text = draft.article.text
    paragraph = text.index("Федеральная")
    russian = [m for m in draft.mentions if m.start >= paragraph]
    assert {(m.text, m.canonical) for m in russian} >= {
        ("Санкт-Петербурге", "Санкт-Петербург"),
        ("Исламское государство", "Исламское государство"),
    }
    for mention in draft.mentions:
        assert text[mention.start : mention.end] == mention.text
    assert any("read with the Russian recogniser" in n for n in draft.notices)
