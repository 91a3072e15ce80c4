"""Quotations and their speakers in English articles (issue 6, item 5). Sentences written
for these tests."""

# ruff: noqa: RUF001

from __future__ import annotations

import pytest

from passerelle.intake.mentions import en as english
from passerelle.intake.model import Mention
from passerelle.intake.quotes import Quotation, find_quotations
from tests.intake.quotes import said_by
from tests.world import SHIPPED_ALIASES as ALIASES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def read_en(text: str) -> tuple[list[Quotation], list[Mention]]:
    doc = english.parse(text)
    mentions = english.extract(text, ALIASES, doc)
    return find_quotations(doc, mentions), mentions


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
