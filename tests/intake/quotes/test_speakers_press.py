"""Speakers of real-press patterns (issue 15, item 2): a cue right after the closing mark,
a title resolved to the person named with it before, pronouns to the recent subject, a
quote whose sentence has no cue taking the sentence's subject, joined quotes, short
passages the text attributes. Sentences written for these tests, read through the whole
pipeline (its recognisers loaded once for the session)."""

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


def test_fr_cue_right_after_the_closing_mark() -> None:
    text = (
        "« Au moins dix personnes ont été blessées dans la soirée » a déclaré Paul Durand, "
        "préfet du département. « Nous ne savons rien de plus » clame-t-il."
    )
    assert said(quotations(text, "fr")) == [
        ("Au moins dix personnes ont été blessées dans la soirée", "Paul Durand"),
        ("Nous ne savons rien de plus", "Paul Durand"),
    ]


def test_fr_a_title_stands_for_the_person_named_with_it_before() -> None:
    text = (
        "Le procureur de Lyon, Marc Lenoir, a ouvert une enquête mardi. Le maire, Claire "
        "Vasseur, a demandé le calme. « Les suspects seront présentés à un juge demain », "
        "a ajouté le procureur."
    )
    (q,) = quotations(text, "fr")
    assert (q.speaker, q.speaker_kind) == ("Marc Lenoir", "person")


def test_fr_premier_ministre_is_one_title_with_its_name() -> None:
    text = "« Nous tiendrons bon », a assuré le Premier ministre Jean Castex à Nantes."
    (q,) = quotations(text, "fr")
    assert q.speaker == "Jean Castex"


def test_fr_a_title_complement_before_the_apposed_name() -> None:
    text = (
        "Pour le directeur de l'Observatoire des menaces nouvelles, Hugo Marchand, "
        "« la cellule était prête à passer à l'acte »."
    )
    (q,) = quotations(text, "fr")
    assert q.speaker == "Hugo Marchand"


def test_fr_short_passage_the_text_attributes() -> None:
    text = "Le ministre Jean Valmont était à Nantes. Il a fait part de sa « profonde tristesse »."
    assert said(quotations(text, "fr")) == [("profonde tristesse", "Jean Valmont")]


def test_fr_joined_quotes_share_the_speaker_after_the_second() -> None:
    text = (
        "« Il y avait bien un projet imminent » et « nous ferons toute la lumière », "
        "ajoute Claire Vasseur."
    )
    assert said(quotations(text, "fr")) == [
        ("Il y avait bien un projet imminent", "Claire Vasseur"),
        ("nous ferons toute la lumière", "Claire Vasseur"),
    ]


def test_fr_a_quote_without_cue_takes_its_sentence_subject() -> None:
    text = (
        "Le président, Emmanuel Macron, a publié vers midi un message depuis Lyon : "
        "« Je suis de tout cœur avec les familles des victimes »."
    )
    (q,) = quotations(text, "fr")
    assert (q.speaker, q.speaker_kind) == ("Emmanuel Macron", "person")


def test_en_pronoun_is_the_recent_subject_not_the_last_name() -> None:
    text = (
        "Angela Merkel, the German chancellor, said the arrest of Karl Brenner was a relief. "
        '"At last the families can rest," she said.'
    )
    (q,) = quotations(text, "en")
    assert q.speaker == "Angela Merkel"


def test_ru_po_ego_slovam_is_the_pronoun_s_person() -> None:
    text = (
        "Глава МВД Иван Петров выступил в четверг. По его словам, полиция «задержала всех "
        "подозреваемых в нападении»."
    )
    (q,) = quotations(text, "ru")
    assert q.speaker == "Иван Петров"


def test_ru_short_passage_after_utverzhdaya_chto() -> None:
    text = "Петр Смирнов выступил по телевидению, утверждая, что они «начали первыми»."
    assert said(quotations(text, "ru")) == [("начали первыми", "Петр Смирнов")]


def test_en_the_sentence_s_first_person_before_an_apposition() -> None:
    text = 'Karl Brenner, a senior aide to Angela Merkel, said, "We will not give up our weapons."'
    (q,) = quotations(text, "en")
    assert q.speaker == "Karl Brenner"


def test_en_a_sentence_ending_inside_its_quote_ends_for_pronouns() -> None:
    text = (
        'After the arrest of Karl Brenner, Angela Merkel said it was "a good day." '
        'Speaking later, Merkel thanked the police. She said: "We owe them a great deal."'
    )
    found = quotations(text, "en")
    assert found[-1].speaker == "Angela Merkel"


def test_en_responded_is_a_speech_verb() -> None:
    text = 'Angela Merkel responded that, "we will not let this stand."'
    (q,) = quotations(text, "en")
    assert q.speaker == "Angela Merkel"


def test_fr_a_communique_of_a_titled_person_is_that_person_s() -> None:
    text = (
        "Un projet « a été déjoué dans la nuit à Montpellier », selon un communiqué du "
        "ministre de l'Intérieur, Gérald Darmanin, publié jeudi."
    )
    (q,) = quotations(text, "fr")
    assert (q.speaker, q.speaker_kind) == ("Gérald Darmanin", "person")
