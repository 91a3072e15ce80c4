"""The bundle of a draft: every object validates, entities carry offsets and links, markings
apply."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from passerelle.intake.pipeline import draft_of
from passerelle.resolution.aliases import entity_id_for
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from passerelle.stix.validation import validate_object
from tests.intake import ENGLISH, FSB_ARRESTS, HTML_PAGE
from tests.world import SHIPPED_ALIASES as ALIASES


@pytest.fixture(scope="module")
def bundle() -> dict[str, Any]:
    return draft_of(FSB_ARRESTS, ALIASES, published=date(2025, 3, 11)).bundle()


def by_name(bundle: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [o for o in bundle["objects"] if o.get("name") == name]


def test_every_object_validates(bundle: dict[str, Any]) -> None:
    for obj in bundle["objects"]:
        assert validate_object(obj) is None, obj


def test_report_holds_the_entities(bundle: dict[str, Any]) -> None:
    report = bundle["objects"][0]
    assert report["type"] == "report"
    assert report["published"] == "2025-03-11T00:00:00.000Z"
    assert report["name"].startswith("Saint-Pétersbourg")
    ids = {o["id"] for o in bundle["objects"][1:]}
    assert set(report["object_refs"]) == ids
    assert report["x_passerelle_lang"] == "fr"
    text = report["x_passerelle_article_text"]
    for obj in bundle["objects"][1:]:
        for mention in obj.get("x_passerelle_mentions", []):
            assert text[mention["start"] : mention["end"]] == mention["text"]


def test_stix_types_of_the_entities(bundle: dict[str, Any]) -> None:
    (fsb,) = by_name(bundle, "Service fédéral de sécurité")
    assert fsb["type"] == "identity"
    assert fsb["identity_class"] == "organization"
    assert fsb["x_passerelle_entity_id"] == entity_id_for("ru-fsb")
    # three: the title line's "FSB" is read too (issue 15 item 10), then the two of the body
    assert [m["text"] for m in fsb["x_passerelle_mentions"]] == [
        "FSB",
        "Service fédéral de sécurité",
        "FSB",
    ]
    assert fsb["x_passerelle_mentions"][0]["start"] < len("Saint-Pétersbourg : le FSB")
    (state,) = by_name(bundle, "État islamique")
    assert state["type"] == "intrusion-set"
    assert state["aliases"] == ["EI"]
    (telegram,) = by_name(bundle, "Telegram")
    assert telegram["type"] == "infrastructure"
    (peskov,) = by_name(bundle, "Dmitri Peskov")
    assert peskov["identity_class"] == "individual"
    (city,) = by_name(bundle, "Saint-Pétersbourg")
    assert city["type"] == "location"
    assert city["country"] == "RU"
    assert {o["type"] for o in by_name(bundle, "Élysée")} == {"identity", "location"}


def test_markings_default_to_clear_and_open_source(bundle: dict[str, Any]) -> None:
    for obj in bundle["objects"]:
        assert obj["object_marking_refs"] == [TLP2_IDS[Tlp.CLEAR]]
        grading = obj["extensions"][HANDLING_EXTENSION_ID]["source_grading"]
        assert grading == {"scheme": "open-source"}
    amber = draft_of(FSB_ARRESTS, ALIASES).bundle(Tlp.AMBER)
    assert amber["objects"][0]["object_marking_refs"] == [TLP2_IDS[Tlp.AMBER]]


def test_html_page_metadata_reaches_the_report() -> None:
    draft = draft_of(HTML_PAGE, ALIASES)
    report = draft.bundle()["objects"][0]
    assert report["name"] == "Moscou : le Kremlin dément toute implication"
    assert report["published"] == "2025-03-14T00:00:00.000Z"
    assert report["x_passerelle_author"] == "Hélène Morel"
    assert report["x_passerelle_source_url"] == "https://quotidien.example/monde/kremlin-dement"
    names = {m.canonical for m in draft.mentions}
    assert {"Dmitri Peskov", "Kremlin", "Service fédéral de sécurité", "Telegram"} <= names


def test_english_articles_get_their_entities() -> None:
    draft = draft_of(ENGLISH, ALIASES)
    assert draft.article.lang == "en"
    assert {(m.canonical, m.label) for m in draft.mentions} == {
        ("CIA", "organization"),
        ("Dmitry Peskov", "person"),
        ("Federal Security Service", "organization"),
        ("Kremlin", "organization"),
        ("Saint Petersburg", "location"),
    }
    assert not any("not built" in n for n in draft.notices)
    assert "not built" not in draft.summary()
    for obj in draft.bundle()["objects"]:
        assert validate_object(obj) is None
