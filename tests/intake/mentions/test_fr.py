"""French entities on press text: typography, titles, metonymy, acronyms, variants."""

from __future__ import annotations

import re

import pytest

from passerelle.intake.mentions import fr
from passerelle.intake.mentions.base import GAZETTEER_WEIGHT, MODEL_WEIGHT, Span, one_label_per_name
from passerelle.intake.model import Mention
from passerelle.intake.pipeline import AliasLinker, link_mentions
from passerelle.intake.reading import read_article
from passerelle.resolution.aliases import entity_id_for
from tests.intake import DGSI_CELL, FSB_ARRESTS, FSB_EXPECTED
from tests.world import SHIPPED_ALIASES as ALIASES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def fsb() -> tuple[str, list[Mention]]:
    text = read_article(FSB_ARRESTS).text
    return text, fr.extract(text, ALIASES)


@pytest.fixture(scope="module")
def dgsi() -> tuple[str, list[Mention]]:
    text = read_article(DGSI_CELL).text
    return text, fr.extract(text, ALIASES)


def test_offsets_point_into_the_article_text(fsb: tuple[str, list[Mention]]) -> None:
    text, mentions = fsb
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text


def test_precision_and_recall_on_the_fsb_article(fsb: tuple[str, list[Mention]]) -> None:
    _text, mentions = fsb
    found = {(m.text, m.label, m.canonical) for m in mentions}
    true = found & FSB_EXPECTED
    # Measured: 20 of 20 found, none false (precision 1.0, recall 1.0).
    assert len(true) / len(found) >= 0.9
    assert len(true) / len(FSB_EXPECTED) >= 0.9


def test_curly_apostrophes_make_no_false_entities(fsb: tuple[str, list[Mention]]) -> None:
    _text, mentions = fsb
    assert not [m for m in mentions if "'" in m.text[:2] or "\u2019" in m.text[:2]]
    assert not [m for m in mentions if m.text[0].islower()]


def test_titles_are_stripped(fsb: tuple[str, list[Mention]]) -> None:
    _text, mentions = fsb
    persons = {m.text for m in mentions if m.label == "person"}
    assert persons == {"Dmitri Peskov", "Peskov", "Vladimir Poutine", "Claire Dumont"}


def test_metonymy_and_its_place_exception(fsb: tuple[str, list[Mention]]) -> None:
    _text, mentions = fsb
    elysee = [m.label for m in mentions if m.canonical == "Élysée"]
    assert elysee == ["organization", "location"]  # "l'Élysée n'a pas", "reçu à l'Élysée"
    assert {m.label for m in mentions if m.canonical == "Kremlin"} == {"organization"}


def test_acronyms_both_ways(
    fsb: tuple[str, list[Mention]], dgsi: tuple[str, list[Mention]]
) -> None:
    _text, mentions = fsb
    ifri = [m for m in mentions if m.text == "IFRI"]
    assert len(ifri) == 2
    assert {m.canonical for m in ifri} == {"Institut français des relations internationales"}
    _text, mentions = dgsi
    dgsi_mention = next(m for m in mentions if m.text == "DGSI")
    assert dgsi_mention.canonical == "Direction générale de la sécurité intérieure"


def test_place_names_with_and_without_accents(fsb: tuple[str, list[Mention]]) -> None:
    _text, mentions = fsb
    spellings = {m.text for m in mentions if m.canonical == "Saint-Pétersbourg"}
    assert spellings == {"Saint-Pétersbourg", "Saint-Petersbourg"}


def test_groups_and_platforms(
    fsb: tuple[str, list[Mention]], dgsi: tuple[str, list[Mention]]
) -> None:
    _text, mentions = fsb
    assert {m.canonical for m in mentions if m.label == "group"} == {"État islamique", "Wagner"}
    assert {m.canonical for m in mentions if m.label == "platform"} == {"Telegram", "WhatsApp"}
    _text, mentions = dgsi
    labels = {m.canonical: m.label for m in mentions}
    assert labels["Al-Qaïda au Maghreb islamique"] == "group"
    assert labels["Signal"] == "platform"
    assert labels["Maison-Blanche"] == "organization"
    persons = {m.text for m in mentions if m.label == "person"}
    assert persons == {"Karim Benali", "Youssef Haddad"}


def test_linking_to_resolved_entities(fsb: tuple[str, list[Mention]]) -> None:
    _text, mentions = fsb
    linked = {m.text: m.entity_id for m in link_mentions(mentions, [AliasLinker(ALIASES)])}
    assert linked["FSB"] == linked["Service fédéral de sécurité"] == entity_id_for("ru-fsb")
    assert linked["CIA"] == entity_id_for("us-cia")
    assert linked["EI"] == linked["État islamique"] == entity_id_for("islamic-state")
    assert linked["Claire Dumont"] is None
    assert linked["Telegram"] is None


def test_lower_case_named_bodies_are_organisations() -> None:
    text = (
        "Le parquet de Nantes et le parquet fédéral belge ont saisi la sous-direction "
        "antiterroriste, puis le GIGN de Rennes et le ministère de l'Intérieur."
    )
    found = {(m.text, m.label) for m in fr.extract(text, ALIASES)}
    assert {
        ("parquet de Nantes", "organization"),
        ("parquet fédéral", "organization"),
        ("sous-direction antiterroriste", "organization"),
        ("GIGN de Rennes", "organization"),
        ("ministère de l'Intérieur", "organization"),
    } <= found
    assert ("Nantes", "location") not in found


def test_demonyms_are_not_places() -> None:
    text = "Deux Tunisiens et un Américain ont été arrêtés à Orléans, près de Calais."
    found = {m.text for m in fr.extract(text, ALIASES)}
    assert "Tunisiens" not in found
    assert "Américain" not in found
    assert {"Orléans", "Calais"} <= found


def test_streets_airports_and_buildings_are_places() -> None:
    text = (
        "Le convoi a quitté la rue de la Paix pour l'aéroport de Zaventem, puis l'hôpital "
        "Pasteur et la mosquée Ammar ben Yasser, près de l'ambassade de Turquie."
    )
    found = {(m.text, m.label) for m in fr.extract(text, ALIASES)}
    assert {
        ("rue de la Paix", "location"),
        ("aéroport de Zaventem", "location"),
        ("hôpital Pasteur", "location"),
        ("mosquée Ammar ben Yasser", "location"),
        ("ambassade de Turquie", "location"),
    } <= found


def test_common_capitalised_words_and_a_surname_alone() -> None:
    text = (
        "François Hollande a parlé de l'État et de la République à 10 h (UTC+3). Le tireur "
        "a crié « Allahu akbar ». Hollande est reparti."
    )
    found = {(m.text, m.label, m.canonical) for m in fr.extract(text, ALIASES)}
    texts = {t for t, _label, _canonical in found}
    assert not texts & {"État", "République", "UTC+3", "Allahu", "Allahu akbar"}
    assert ("Hollande", "person", "François Hollande") in found


def test_news_agencies_and_the_vatican_speaking_are_organisations() -> None:
    text = (
        "Selon l'agence Belga et l'AFP, le Vatican condamne l'attaque de l'église de "
        "Saint-Étienne-du-Rouvray, a rapporté France 3 Hauts-de-France. Le RAID et la "
        "DGSI sont intervenus."
    )
    found = {(m.text, m.label) for m in fr.extract(text, ALIASES)}
    assert {
        ("Belga", "organization"),
        ("AFP", "organization"),
        ("Vatican", "organization"),
        ("France 3 Hauts-de-France", "organization"),
        ("Saint-Étienne-du-Rouvray", "location"),
        ("RAID", "organization"),
        ("DGSI", "organization"),
    } <= found


def test_a_day_run_into_a_name_is_left_out() -> None:
    text = "Le ministre réunira la Conférence des représentants des cultes mercredi matin."
    found = {m.text for m in fr.extract(text, ALIASES)}
    assert "Conférence des représentants des cultes" in found


def test_demonyms_after_a_quantity_are_not_places() -> None:
    text = (
        "Plusieurs jeunes Lyonnais sont partis, dont 40 % de Marocains et des milliers "
        "d'Algériens, depuis Calais."
    )
    found = {m.text for m in fr.extract(text, ALIASES)}
    assert not found & {"Lyonnais", "Marocains", "Algériens"}
    assert "Calais" in found


def test_one_label_per_name_in_an_article() -> None:
    spans = [
        Span(0, 5, "location", "Karak", MODEL_WEIGHT),
        Span(10, 15, "location", "Karak", MODEL_WEIGHT),
        Span(20, 25, "person", "Karak", MODEL_WEIGHT),
        Span(30, 35, "person", "Dabiq", MODEL_WEIGHT),
        Span(40, 45, "group", "Dabiq", GAZETTEER_WEIGHT),
    ]
    one_label_per_name(spans)
    assert [s.label for s in spans] == ["location"] * 3 + ["group"] * 2
    # a tie: each keeps its own; a gazetteer span a cue relabelled once follows the others
    tie = [
        Span(0, 3, "group", "ФБР", MODEL_WEIGHT),
        Span(5, 8, "organization", "ФБР", MODEL_WEIGHT),
        Span(10, 13, "organization", "ФСБ", GAZETTEER_WEIGHT),
        Span(15, 18, "organization", "ФСБ", GAZETTEER_WEIGHT),
        Span(20, 23, "group", "ФСБ", GAZETTEER_WEIGHT),
    ]
    one_label_per_name(tie)
    assert [s.label for s in tie] == ["group"] + ["organization"] * 4


@pytest.mark.parametrize(
    ("text", "name", "label"),
    [
        (
            "Le préfet de la région, Rennes Kerbrat, a parlé. Rennes Kerbrat reste.",
            "Rennes Kerbrat",
            "person",
        ),
        (
            "Lorient Vasseur, l'auteur présumé de l'attaque, fuit. Lorient Vasseur est armé.",
            "Lorient Vasseur",
            "person",
        ),
        ("Selon l'agence Valmy, le bilan est lourd.", "Valmy", "organization"),
        ("Il est cité par Quimper (une agence locale) ce matin.", "Quimper", "organization"),
    ],
)
def test_apposition_decides_the_label(text: str, name: str, label: str) -> None:
    """The context decides, in every mention of the name (the model said "location")."""
    spans = [
        Span(m.start(), m.end(), "location", name, MODEL_WEIGHT)
        for m in re.finditer(re.escape(name), text)
    ]
    fr.labels_by_apposition(text, spans)
    assert [s.label for s in spans] == [label] * text.count(name)


def test_a_place_before_a_role_stays_a_place() -> None:
    text = "À Nantes, le procureur de la République a parlé; depuis Brest, le maire, lui, rien."
    spans = [
        Span(text.index("Nantes"), text.index("Nantes") + 6, "location", "Nantes", MODEL_WEIGHT),
        Span(text.index("Brest"), text.index("Brest") + 5, "location", "Brest", MODEL_WEIGHT),
    ]
    fr.labels_by_apposition(text, spans)
    assert [s.label for s in spans] == ["location", "location"]
