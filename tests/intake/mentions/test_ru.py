# ruff: noqa: RUF001  (Cyrillic letters, on purpose)
"""Russian entities: natasha, nominative names, metonymy, acronyms, groups, platforms."""

from __future__ import annotations

import pytest

from passerelle.intake.mentions import ru
from passerelle.intake.model import Mention
from passerelle.intake.pipeline import AliasLinker, link_mentions
from passerelle.resolution.aliases import entity_id_for
from tests.world import SHIPPED_ALIASES as ALIASES

# Written for these tests (not taken from any publication).
ARTICLE = (
    "ФСБ задержала сторонников ИГИЛ в Санкт-Петербурге\n"
    "\n"
    "Федеральная служба безопасности (ФСБ) во вторник задержала трёх сторонников "
    "запрещённой в России террористической организации «Исламское государство». "
    "По данным ФСБ России, задержанные общались в Телеграме и WhatsApp.\n"
    "\n"
    "«Мы получили информацию от партнёров», — заявил пресс-секретарь президента "
    "Дмитрий Песков. Кремль отрицает связь с ЧВК «Вагнер». Путина проинформировали, "
    "добавил Песков. Встреча прошла в Кремле.\n"
)
# Without the acronym explained: "ФСБ России" is the FSB, canonical "ФСБ".
SHORT = "Сотрудники ФСБ России задержали боевика ИГИЛ. Белый дом не ответил."

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def mentions() -> list[Mention]:
    return link_mentions(ru.extract(ARTICLE, ALIASES), [AliasLinker(ALIASES)])


@pytest.fixture(scope="module")
def short() -> list[Mention]:
    return link_mentions(ru.extract(SHORT, ALIASES), [AliasLinker(ALIASES)])


def _at(mentions: list[Mention], text: str) -> Mention:
    return next(m for m in mentions if m.text == text)


def test_offsets_point_into_the_article_text(mentions: list[Mention]) -> None:
    assert mentions
    for mention in mentions:
        assert ARTICLE[mention.start : mention.end] == mention.text


def test_names_in_the_nominative(mentions: list[Mention]) -> None:
    assert _at(mentions, "Путина").canonical == "Путин"
    assert _at(mentions, "Путина").label == "person"
    assert _at(mentions, "Санкт-Петербурге").canonical == "Санкт-Петербург"
    assert _at(mentions, "России").canonical == "Россия"
    assert _at(mentions, "Песков").canonical == "Дмитрий Песков"  # surname: the full name


def test_fsb_is_linked_and_its_acronym_expanded(mentions: list[Mention]) -> None:
    fsb = [m for m in mentions if m.text in ("ФСБ", "ФСБ России")]
    assert len(fsb) == 3
    assert {m.canonical for m in fsb} == {"Федеральная служба безопасности"}
    assert {m.entity_id for m in fsb} == {entity_id_for("ru-fsb")}
    assert _at(mentions, "Федеральная служба безопасности").entity_id == entity_id_for("ru-fsb")


def test_fsb_of_russia_is_the_fsb(short: list[Mention]) -> None:
    fsb = _at(short, "ФСБ России")
    assert (fsb.label, fsb.canonical) == ("organization", "ФСБ")
    assert fsb.entity_id == entity_id_for("ru-fsb")
    assert _at(short, "Белый дом").label == "organization"


def test_groups_are_linked_to_the_alias_entities(mentions: list[Mention]) -> None:
    isil = _at(mentions, "ИГИЛ")
    assert isil.label == "group"
    assert isil.entity_id == entity_id_for("islamic-state")
    state = _at(mentions, "Исламское государство")
    assert (state.label, state.entity_id) == ("group", entity_id_for("islamic-state"))
    assert _at(mentions, "Вагнер").label == "group"
    assert "ЧВК" not in {m.text for m in mentions}


def test_metonymy_and_its_place_exception(mentions: list[Mention]) -> None:
    assert _at(mentions, "Кремль").label == "organization"
    kremlin = _at(mentions, "Кремле")
    assert (kremlin.label, kremlin.canonical) == ("location", "Кремль")


def test_platforms(mentions: list[Mention]) -> None:
    telegram = _at(mentions, "Телеграме")
    assert (telegram.label, telegram.canonical) == ("platform", "Telegram")
    assert _at(mentions, "WhatsApp").label == "platform"


def test_titles_are_not_in_person_names(mentions: list[Mention]) -> None:
    persons = {m.text for m in mentions if m.label == "person"}
    assert persons == {"Дмитрий Песков", "Путина", "Песков"}


# Rules found on the public press set (issue 15); sentences written for these tests.


def _found(text: str) -> dict[str, tuple[str, str]]:
    return {m.text: (m.label, m.canonical) for m in ru.extract(text, ALIASES)}


def test_other_forms_of_one_name() -> None:
    found = _found(
        "Прокурор Жан Дюпон (Jean Dupont) выступил в Москве. Жан Дюпон сказал, что "
        "власти США и Соединенных Штатов Америки согласны. Журналисты спросили Дюпона. "
        "Братья Олег Серов и Иван Серов молчат; Серовы уехали, Серов вернулся."
    )
    assert "Серовы" not in found
    assert found["Серов"][1] == "Олег Серов"
    assert found["Jean Dupont"] == ("person", "Жан Дюпон")
    assert found["Соединенных Штатов Америки"] == ("location", "США")
    assert found["Дюпона"][1] == "Жан Дюпон"


def test_common_nouns_peoples_and_buildings() -> None:
    found = _found(
        "Об этом сообщили СМИ. Иорданцы вышли на улицы Аммана. Его держат в СИЗО "
        "«Лефортово», а в Интернете пишут о Западе. Ему вменяют статью 205 УК РФ. "
        "Губернатор написал об этом в своём Telegram-канале."
    )
    for word in ("СМИ", "Иорданцы", "Интернете", "Западе", "РФ"):
        assert word not in found
    assert found["Аммана"][0] == "location"
    assert found["Telegram"] == ("platform", "Telegram")
    assert any(label == "location" and "Лефортово" in name for name, (label, _) in found.items())


def test_a_body_name_cut_short_is_made_whole() -> None:
    found = _found(
        "Заявление сделал Комитет Совета федерации по обороне и безопасности. "
        "Дело ведёт Следственный комитет России. Студент Университета штата Огайо "
        "учился в Колумбийском университете."
    )
    names = " | ".join(found)
    assert "по обороне и безопасности" in names
    assert "Следственный комитет России" in names
    assert "Университета штата Огайо" in names


def test_a_name_read_again_has_the_same_normal_form() -> None:
    # The second text's "Владимира Путина" takes the normal form kept from the first.
    first = ru.extract("Сотрудники ФСБ задержали сторонника Владимира Путина.", ALIASES)
    again = ru.extract("Суд арестовал сторонника Владимира Путина.", ALIASES)
    assert "Владимир Путин" in [m.canonical for m in first]
    assert "Владимир Путин" in [m.canonical for m in again]


def test_an_alias_link_is_scored_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from passerelle.intake import pipeline

    linker = AliasLinker(ALIASES)
    fsb = linker.link("Федеральная служба безопасности", "organization")
    assert fsb is not None

    def scored_again(*_args: object) -> None:
        raise AssertionError("a name linked before was scored again")

    monkeypatch.setattr(pipeline, "best_of", scored_again)
    assert AliasLinker(ALIASES).link("Федеральная служба безопасности", "organization") == fsb
