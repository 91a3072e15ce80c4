# ruff: noqa: RUF001, RUF003  (Cyrillic letters, on purpose)
"""Reading documents: plain text, HTML with metadata, boilerplate, languages, typography."""

from __future__ import annotations

from datetime import date

import pytest

from passerelle.errors import BadInput
from passerelle.intake.language import detect, detector, languages
from passerelle.intake.reading import read_article, strip_boilerplate
from passerelle.intake.typography import normalise
from tests.intake import DGSI_CELL, FSB_ARRESTS, HTML_PAGE


def test_plain_text_title_and_legal_notice() -> None:
    article = read_article(FSB_ARRESTS)
    assert article.title.startswith("Saint-Pétersbourg")
    # the title line stays the text's first paragraph, read like the rest
    assert article.text.startswith(article.title + "\n\nLe Service fédéral de sécurité (FSB)")
    assert article.text.endswith("a été reçu à l\u2019Élysée.")
    for boilerplate in ("Tous droits réservés", "Mentions légales", "Lire aussi", "cookies"):
        assert boilerplate not in article.text


def test_boilerplate_in_the_middle_and_at_the_end() -> None:
    paragraphs = [
        "Premier paragraphe de l'article, assez long pour compter.",
        "Abonnez-vous à notre newsletter",
        "Second paragraphe de l'article.",
        "Tous droits réservés",
        "Un paragraphe du pied de page.",
    ]
    assert strip_boilerplate(paragraphs) == [paragraphs[0], paragraphs[2]]


def test_html_main_text_and_metadata() -> None:
    article = read_article(HTML_PAGE)
    assert article.title == "Moscou : le Kremlin dément toute implication"
    assert article.author == "Hélène Morel"
    assert article.published == date(2025, 3, 14)
    assert article.url == "https://quotidien.example/monde/kremlin-dement"
    assert "Dmitri Peskov" in article.text
    assert "Accueil" not in article.text
    assert "cookies" not in article.text
    assert "droits réservés" not in article.text


def test_plain_text_title_line_is_read() -> None:
    article = read_article("Brest : un colis suspect à la gare\n\nLa police a bouclé le quartier.")
    assert article.title == "Brest : un colis suspect à la gare"
    assert article.text == "Brest : un colis suspect à la gare\n\nLa police a bouclé le quartier."


def test_empty_document_is_refused() -> None:
    with pytest.raises(BadInput, match="no article text"):
        read_article("   \n\n ")


def test_typography_keeps_every_offset() -> None:
    text = "«\u00a0l\u2019Élysée\u202f» ; Saint\u2011Pétersbourg"
    plain = normalise(text)
    assert len(plain) == len(text)
    assert plain == "« l'Élysée » ; Saint-Pétersbourg"


def test_languages_of_document_and_paragraphs() -> None:
    assert detect(read_article(FSB_ARRESTS).text) == "fr"
    text = (
        "Le Service fédéral de sécurité a annoncé des arrestations.\n\n"
        "The Kremlin spokesman thanked the American intelligence services.\n\n"
        "Пресс-секретарь Кремля поблагодарил американские спецслужбы."
    )
    _detected, langs = languages(text, "fr")
    assert [lang for _s, _e, lang in langs] == ["fr", "en", "ru"]
    start, end, _lang = langs[1]
    assert text[start:end].startswith("The Kremlin")
    assert detect(DGSI_CELL) == "fr"


def _lingua(text: str) -> str:
    found = detector().detect_language_of(text)
    return found.iso_code_639_1.name.lower() if found is not None else ""


def test_russian_known_by_its_letters_agrees_with_the_detector() -> None:
    russian = [
        "Пресс-секретарь Кремля Дмитрий Песков заявил, что информация была передана.",
        "ФСБ задержала в Москве двух сторонников ИГИЛ, которые готовили теракт.",
        "Злоумышленники общались через Telegram и WhatsApp, сообщили в ведомстве.",
    ]
    for text in russian:  # read by their letters, and what the detector says too
        assert detect(text) == _lingua(text) == "ru"
    ukrainian = "Служба безпеки України затримала агента, який готував теракт у Києві."
    belarusian = "Камітэт дзяржаўнай бяспекі затрымаў двух чалавек у Мінску."
    assert detect(ukrainian) == _lingua(ukrainian) == "uk"  # і, ї: left to the detector
    assert detect(belarusian) == _lingua(belarusian)  # ў: left to the detector, too
    # a Latin paragraph quoting one Russian word is not Russian by its letters
    assert detect("The agency said the suspects used the app «Вы знаете» to talk.") == "en"


def test_the_document_language_is_its_paragraphs_when_they_agree() -> None:
    text = "Первый абзац о задержании в Москве.\n\nВторой абзац: суд арестовал обвиняемых."
    detected, spans = languages(text)
    assert detected == "ru"
    assert [lang for *_span, lang in spans] == ["ru", "ru"]
    mixed = (
        "Le Service fédéral de sécurité a annoncé des arrestations à Moscou.\n\n"
        "Пресс-секретарь Кремля поблагодарил американские спецслужбы.\n\nFSB"
    )
    detected, spans = languages(mixed, told="fr")  # they disagree: the whole text decides
    assert detected == detect(mixed)
    assert [lang for *_span, lang in spans] == ["fr", "ru", "fr"]  # the short one: as told


def test_a_data_protection_footer_ends_the_article() -> None:
    body = (
        "Le parquet national antiterroriste a annoncé jeudi 12 juin l'interpellation de deux "
        "hommes à Lyon.\n\n"
        "Selon la DGSI, ils préparaient une action violente.\n\n"
    )
    footer = (
        "Conformément à la loi n° 78-17 du 6 janvier 1978 relative à l'informatique, aux "
        "fichiers et aux libertés, modifiée, et au règlement général sur la protection des "
        "données, vous disposez d'un droit d'accès, de rectification, d'effacement et "
        "d'opposition aux données vous concernant, que vous pouvez exercer en écrivant au "
        "service abonnements, 12 rue des Exemples, 75000 Paris, en joignant une copie de "
        "votre pièce d'identité. Pour toute question relative au traitement de vos données, "
        "vous pouvez contacter notre délégué à la protection des données, M. Paul Exemple, "
        "ou saisir la Commission nationale de l'informatique et des libertés (CNIL) le 3 mars "
        "2025 au plus tard.\n\n"
        "Droit d'accès : abonnements@quotidien.example\n"
    )
    article = read_article("Deux interpellations à Lyon\n\n" + body + footer)
    assert article.text.endswith("une action violente.")
    assert "78-17" not in article.text
    assert "Paul Exemple" not in article.text


def test_an_article_about_data_protection_is_kept() -> None:
    text = (
        "La CNIL sanctionne un opérateur\n\n"
        "La Commission nationale de l'informatique et des libertés a infligé mardi une "
        "amende à un opérateur.\n\n"
        "Elle lui reproche d'avoir ignoré le RGPD pendant trois ans, a-t-elle précisé.\n"
    )
    assert read_article(text).text.endswith("a-t-elle précisé.")


def test_a_paragraph_without_a_stop_ends_a_sentence_for_the_models() -> None:
    text = "Brest : un colis suspect\n\nLa police a bouclé le quartier.\n\nFin"
    plain = normalise(text)
    assert len(plain) == len(text)
    assert plain == "Brest : un colis suspect.\nLa police a bouclé le quartier.\n\nFin"
