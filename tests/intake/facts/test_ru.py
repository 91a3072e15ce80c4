"""Facts in Russian articles (issue 6, item 6). Sentences written for these tests."""

# ruff: noqa: RUF001

from __future__ import annotations

import pytest

from passerelle.intake.facts import Fact, find_facts
from passerelle.intake.mentions import ru as russian
from passerelle.intake.model import Article, Mention
from passerelle.intake.pipeline import blank_doc
from tests.intake.facts import named, only
from tests.world import SHIPPED_ALIASES as ALIASES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def read_ru(text: str) -> tuple[list[Fact], list[Mention]]:
    mentions = russian.extract(text, ALIASES)
    return find_facts(blank_doc(Article(text, lang="ru")), mentions), mentions


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


def test_ru_a_loop_in_the_parse_is_cut_where_it_closes() -> None:
    from natasha.doc import DocToken

    from passerelle.intake.facts.ru.reader import Sentence, without_cycles

    a = DocToken(0, 1, "a", id="1_1", head_id="1_2", rel="conj", pos="VERB")
    b = DocToken(2, 3, "b", id="1_2", head_id="1_1", rel="conj", pos="VERB")
    c = DocToken(4, 5, "c", id="1_3", head_id="1_2", rel="obj", pos="NOUN")
    sent = Sentence(0, 5, [a, b, c], by_id={t.id: t for t in (a, b, c)})
    without_cycles(sent)
    assert [(t.head_id, t.rel) for t in (a, b, c)] == [
        ("1_2", "conj"),
        ("1_0", "root"),
        ("1_2", "obj"),
    ]


def test_ru_a_pronoun_takes_the_subject_of_a_sentence_with_no_trigger() -> None:
    # The sentence before has no fact (it is not parsed up front): parsed when asked for.
    facts, mentions = read_ru(
        "Владимир Путин встретился с Дональдом Трампом. Он поблагодарил ЦРУ за помощь."
    )
    thanks = only(facts, "051")
    assert thanks.actor_inferred
    assert named(mentions, thanks.actor_index) == "Владимир Путин"


def test_ru_intake_reads_facts_over_the_recognisers_tagging(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from passerelle.intake.facts.ru import reader
    from passerelle.intake.pipeline import draft_of

    text = (
        "Сотрудники ФСБ задержали Ивана Петрова. Погода была хорошей. "
        "Он поблагодарил ЦРУ за помощь."
    )
    alone = draft_of(text, ALIASES, lang="ru")

    def tagged_again(_text: str) -> None:
        raise AssertionError("the text was segmented and tagged a second time")

    monkeypatch.setattr(reader, "_tagged", tagged_again)
    draft = draft_of(text, ALIASES, lang="ru")
    assert [f.code for f in draft.facts] == ["173", "051"]
    assert draft.facts == alone.facts
    monkeypatch.undo()  # read alone, the text is tagged by the fact reader: same facts
    assert draft.facts == find_facts(blank_doc(draft.article), draft.mentions)


@pytest.mark.parametrize(
    "word",
    ["задержали", "задержанного", "провёл", "переданная", "поблагодарил", "взяли", "Заявил"],
)
def test_ru_a_form_of_a_trigger_lemma_is_looked_up(word: str) -> None:
    # Words outside trigger_forms() are not lemmatised: every form of a trigger is in it.
    from passerelle.intake.facts.ru.lexicon import TRIGGERS
    from passerelle.intake.facts.ru.reader import trigger_forms

    vocab = russian.models().vocab
    folded = word.lower().replace("ё", "е")
    assert any(form.normal in TRIGGERS for form in vocab(folded))
    assert folded in trigger_forms()
    assert "сказал" not in trigger_forms()


def test_ru_only_sentences_that_may_hold_a_fact_are_parsed() -> None:
    from passerelle.intake.facts.ru.reader import Reader

    text = (
        "Путин говорил о погоде. "  # a talk, not by telephone: no fact
        "Лавров поговорил по телефону с Блинкеном. "
        "Боевики готовили обед. "  # planned, but no attack
        "Боевики готовили теракт."
    )
    reader = Reader(text, [])
    assert [s.parsed for s in reader.sentences] == [False, True, False, True]


def test_ru_what_a_trigger_needs_is_said_once() -> None:
    # NEEDS is built from the trigger sets one after another: none may be in two of them.
    from passerelle.intake.facts.ru import lexicon as x

    needing = [x.SHARE, {"взять", "заключить"}, {"провести", "проводить", *x.PHONE_TALK}]
    needing.append(x.PLAN | x.CARRY_OUT)
    alone = x.ARREST | x.SEIZE | x.PRAISE | x.STATEMENT | set(x.ATTACK_VERBS) | {"созвониться"}
    assert sum(len(s) for s in needing) == len(set().union(*needing))
    assert not alone & set(x.NEEDS)
    assert set(x.NEEDS) | alone == x.TRIGGERS
