"""Facts in English and Russian articles (issue 6, item 6). Sentences written for these
tests."""

# ruff: noqa: RUF001

from __future__ import annotations

from datetime import date

import pytest

from passerelle.intake.facts import Fact, find_facts
from passerelle.intake.mentions import en as english
from passerelle.intake.mentions import ru as russian
from passerelle.intake.model import Article, Mention
from passerelle.intake.pipeline import _blank_doc, draft_of
from passerelle.stix.validation import validate_object
from tests.world import SHIPPED_ALIASES as ALIASES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def read_en(text: str) -> tuple[list[Fact], list[Mention]]:
    doc = english.parse(text)
    mentions = english.extract(text, ALIASES, doc)
    return find_facts(doc, mentions), mentions


def read_ru(text: str) -> tuple[list[Fact], list[Mention]]:
    mentions = russian.extract(text, ALIASES)
    return find_facts(_blank_doc(Article(text, lang="ru")), mentions), mentions


def named(mentions: list[Mention], index: int | None) -> str | None:
    return None if index is None else mentions[index].canonical


def only(facts: list[Fact], code: str) -> Fact:
    (fact,) = [f for f in facts if f.code == code]
    return fact


# English ------------------------------------------------------------------------------


def test_en_active_sharing_of_intelligence() -> None:
    text = "The CIA passed information to the FSB about a bomb plot in Kazan."
    facts, mentions = read_en(text)
    fact = only(facts, "064")
    assert (named(mentions, fact.actor_index), named(mentions, fact.target_index)) == (
        "CIA",
        "FSB",
    )
    assert fact.object_text == "information"
    assert text[fact.start : fact.end] == "passed"
    assert fact.sentence == text
    assert not fact.passive
    assert not fact.negated


def test_en_passive_sharing_with_a_by_agent() -> None:
    text = "Intelligence provided by the CIA to the FSB helped the police."
    fact = only(read_en(text)[0], "064")
    assert (fact.actor_text, fact.target_text, fact.passive) == ("CIA", "FSB", True)


def test_en_arrests_active_passive_and_without_agent() -> None:
    facts, mentions = read_en(
        "The FSB arrested three men in Moscow. Two suspects were detained by the Federal "
        "Security Service in Kazan. Four people were arrested in Tver."
    )
    active, passive, bare = [f for f in facts if f.code == "173"]
    assert (named(mentions, active.actor_index), active.target_text) == ("FSB", "three men")
    assert named(mentions, passive.actor_index) == "Federal Security Service"
    assert (passive.target_text, passive.passive) == ("Two suspects", True)
    assert (bare.actor_index, bare.actor_text, bare.target_text) == (None, "", "Four people")


def test_en_nominal_arrest_and_negation() -> None:
    facts, mentions = read_en(
        "The arrest of Ivan Petrov by the FSB surprised his family. "
        "The FSB did not detain Oleg Sidorov."
    )
    nominal, negated = facts
    assert (named(mentions, nominal.actor_index), nominal.target_text) == ("FSB", "Ivan Petrov")
    assert negated.negated


def test_en_seizure_phone_call_thanks_and_plot() -> None:
    text = (
        "Police seized rifles and explosives from the Islamic State cell. "
        "Vladimir Putin spoke by phone with Donald Trump on Sunday. "
        "He thanked the CIA for the warning. "
        "The Islamic State militants plotted to bomb the Moscow metro."
    )
    facts, mentions = read_en(text)
    seizure = only(facts, "1711")
    assert seizure.object_text == "rifles and explosives"
    assert named(mentions, seizure.target_index) == "Islamic State"
    call = only(facts, "041")
    assert (named(mentions, call.actor_index), named(mentions, call.target_index)) == (
        "Vladimir Putin",
        "Donald Trump",
    )
    thanks = only(facts, "051")
    assert named(mentions, thanks.actor_index) == "Vladimir Putin"
    assert thanks.actor_inferred
    assert named(mentions, thanks.target_index) == "CIA"
    plot = only(facts, "183")
    assert plot.planned
    assert named(mentions, plot.actor_index) == "Islamic State"
    assert plot.target_text == "Moscow metro"


# Russian ------------------------------------------------------------------------------


def test_ru_active_sharing_of_intelligence() -> None:
    text = "ЦРУ передало ФСБ информацию о готовящемся теракте."
    facts, mentions = read_ru(text)
    fact = only(facts, "064")
    assert (named(mentions, fact.actor_index), named(mentions, fact.target_index)) == (
        "ЦРУ",
        "ФСБ",
    )
    assert fact.object_text.startswith("информацию о готовящемся")
    assert fact.verb == "передать"
    assert not fact.passive


def test_ru_passive_participle_with_so_storony() -> None:
    text = "Информация, переданная ФСБ со стороны ЦРУ, помогла предотвратить теракт."
    facts, mentions = read_ru(text)
    fact = only(facts, "064")
    assert (named(mentions, fact.actor_index), named(mentions, fact.target_index)) == (
        "ЦРУ",
        "ФСБ",
    )
    assert fact.passive
    assert text[fact.start : fact.end] == "переданная"


def test_ru_arrests_with_and_without_agent() -> None:
    facts, mentions = read_ru(
        "Трое подозреваемых были задержаны сотрудниками ФСБ в Москве. "
        "В Казани задержали двух сторонников ИГИЛ."
    )
    with_agent, without = [f for f in facts if f.code == "173"]
    assert named(mentions, with_agent.actor_index) == "ФСБ"
    assert with_agent.actor_text == "сотрудниками ФСБ"
    assert (with_agent.target_text, with_agent.passive) == ("Трое подозреваемых", True)
    assert without.actor_index is None
    assert without.target_text == "двух сторонников ИГИЛ"


def test_ru_seizure_phone_call_thanks_and_plot() -> None:
    text = (
        "Сотрудники ФСБ изъяли оружие и взрывчатку. "
        "Владимир Путин провёл телефонный разговор с Дональдом Трампом. "
        "Он поблагодарил ЦРУ за помощь. "
        "Боевики ИГИЛ планировали совершить теракт в Санкт-Петербурге."
    )
    facts, mentions = read_ru(text)
    seizure = only(facts, "1711")
    assert seizure.object_text == "оружие и взрывчатку"
    assert named(mentions, seizure.actor_index) == "ФСБ"
    call = only(facts, "041")
    assert text[call.start : call.end] == "провёл телефонный разговор"
    assert named(mentions, call.target_index) == "Дональд Трамп"
    thanks = only(facts, "051")
    assert named(mentions, thanks.actor_index) == "Владимир Путин"
    assert thanks.actor_inferred
    assert named(mentions, thanks.target_index) == "ЦРУ"
    plot = only(facts, "180")
    assert plot.planned
    assert plot.target_index is None  # "в Санкт-Петербурге" is a place, not a target
    assert named(mentions, plot.actor_index) == "ИГИЛ"


def test_ru_phone_by_telephone_and_negation() -> None:
    facts, mentions = read_ru(
        "Сергей Лавров поговорил по телефону с Энтони Блинкеном. ФСБ не задержала Ивана Петрова."
    )
    call = only(facts, "041")
    assert named(mentions, call.target_index) == "Энтони Блинкен"
    assert only(facts, "173").negated


# The draft ----------------------------------------------------------------------------

ENGLISH = (
    "Moscow thanks Washington for a warning\n"
    "\n"
    "The CIA passed information to the FSB about a plot in Saint Petersburg. "
    "The FSB arrested Ivan Petrov on Tuesday. Vladimir Putin thanked the CIA.\n"
)
RUSSIAN = (
    "Москва благодарит Вашингтон\n"
    "\n"
    "ЦРУ передало ФСБ информацию о готовящемся теракте в Санкт-Петербурге. "
    "ФСБ задержала Ивана Петрова. Владимир Путин поблагодарил ЦРУ.\n"
)


@pytest.mark.parametrize(
    ("source", "lang", "pairs"),
    [
        (ENGLISH, "en", {("064", "CIA", "FSB"), ("173", "FSB", "Ivan Petrov")}),
        (RUSSIAN, "ru", {("064", "ЦРУ", "ФСБ"), ("173", "ФСБ", "Иван Петров")}),
    ],
)
def test_facts_become_relationships_that_validate(
    source: str, lang: str, pairs: set[tuple[str, str, str]]
) -> None:
    draft = draft_of(source, ALIASES, published=date(2025, 3, 11))
    assert draft.article.lang == lang
    assert draft.facts
    objects = draft.bundle()["objects"]
    for obj in objects:
        assert validate_object(obj) is None, obj
    names = {o["id"]: o.get("name") for o in objects}
    found = {
        (o["x_passerelle_cameo"], names[o["source_ref"]], names[o["target_ref"]])
        for o in objects
        if o["type"] == "relationship" and "x_passerelle_cameo" in o
    }
    assert pairs <= found
    thanks = {f for f in found if f[0] == "051"}
    assert len(thanks) == 1
