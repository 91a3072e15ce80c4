"""Intake never crashes on text (issue 15, item 5): any input yields a draft, or one line of
error. Random and adversarial text in Latin, Cyrillic and both scripts goes through the
whole pipeline (reading, languages, entities, dates, quotations, facts, the bundle), read
as detected and as each language intake reads. Derandomised, and few examples: the
recognisers are loaded once for the session, each example costs only its own reading.
"""

# ruff: noqa: RUF001

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from passerelle.errors import PasserelleError
from passerelle.intake.bundle import Draft
from passerelle.intake.facts.ru import find_facts_ru
from passerelle.intake.pipeline import draft_of
from passerelle.resolution.aliases import load_alias_data
from tests.world import SHIPPED_ALIASES as ALIASES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# The sentence on which natasha's parser makes a verb its own head (issue 15).
SELF_HEADED = "Где именно проходили аресты и сколько людей задержали, в ФСБ не сообщают."

QUOTES = "«»‹›“”„‟‘’‚‛\"'`´″〝〞＂「」"
CONTROLS = "".join(chr(c) for c in [*range(0, 32), 127, 0x85, 0x2028, 0x2029, 0x200B, 0xFEFF])
LATIN = "abcdefghijklmnopqrstuvwxyzéèàçôûïœABCDEFGHIJKLMNOPQRSTUVWXYZÉÀÇ"
CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯ"
PUNCTUATION = " .,;:!?()[]-–—…/\u00a0\u202f\n"

WORDS = str.split(
    "le la de a déclaré selon M. Mme ministre procureur FSB DGSI Paris Moscou "
    "the said EU High Representative Attorney Washington London CIA "
    "и в не заявил сообщил задержали ФСБ ЦРУ Москва Путин передал "
    "Jean Dupont Ivan Petrov Иван Петров lundi mardi Tuesday вторник 2025 12"
)
_ALPHABET = LATIN + CYRILLIC + PUNCTUATION + QUOTES + CONTROLS + "0123456789"


def _quoted(words: list[str], marks: tuple[str, str]) -> str:
    return f"{marks[0]}{' '.join(words)}{marks[1]}"


characters = st.text(alphabet=_ALPHABET, max_size=300)
word_salad = st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join)
quoted = st.builds(
    lambda before, words, marks, after: f"{before} {_quoted(words, marks)} {after}",
    word_salad,
    st.lists(st.sampled_from(WORDS), max_size=12),
    st.tuples(st.sampled_from(QUOTES), st.sampled_from([*QUOTES, ""])),  # unbalanced too
    word_salad,
)
long_sentence = st.builds(
    lambda words, n: " ".join(words * n) + ".",
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=8),
    st.integers(min_value=20, max_value=60),
)
anything = st.one_of(characters, word_salad, quoted, long_sentence)


def _read(text: str, lang: str | None) -> None:
    """Read a text: a draft whose bundle can be made, or a one-line refusal."""
    refusal = ""
    try:
        draft = draft_of(text, ALIASES, lang=lang, published=date(2025, 3, 11))
    except PasserelleError as refused:
        refusal = str(refused)
    if refusal:
        assert "\n" not in refusal
        return
    assert isinstance(draft, Draft)
    assert draft.bundle()["type"] == "bundle"
    assert isinstance(draft.summary(), str)


def test_the_self_headed_verb_reads_without_recursion() -> None:
    facts = find_facts_ru(SELF_HEADED, [])
    arrest = next(f for f in facts if f.code == "173")
    assert arrest.target_text == "сколько людей"
    assert arrest.actor_index is None  # indefinite-personal: no actor


def test_without_alias_files_intake_still_reads() -> None:
    draft = draft_of("Le FSB a arrêté Ivan Petrov à Moscou.", load_alias_data(()), lang="fr")
    assert {m.canonical for m in draft.mentions} >= {"FSB", "Ivan Petrov"}


@FUZZ
@given(text=anything, lang=st.sampled_from([None, "fr", "en", "ru"]))
@example(text=SELF_HEADED, lang=None)
@example(text="", lang=None)
@example(text="\x00\x01\x02 «««« »» “ ‘ ' '' \" ` ", lang="fr")
@example(text="'He said,' said the man. ''Quoted'' «Незакрытая цитата", lang="en")
@example(text="<html><body><p>«</p></html>", lang=None)
def test_any_text_gives_a_draft_or_one_line(text: str, lang: str | None) -> None:
    _read(text, lang)
