"""English entities: rules on a blank tokenizer, with press typography."""

from __future__ import annotations

import pytest

from passerelle.intake.mentions import en
from passerelle.intake.model import Mention
from passerelle.intake.pipeline import AliasLinker, link_mentions
from passerelle.resolution.aliases import entity_id_for
from tests.world import SHIPPED_ALIASES as ALIASES

# Written for these tests (not taken from any publication).
ARTICLE = (
    "Moscow says it foiled an attack\n"
    "\n"
    "The Federal Security Service (FSB) said on Tuesday it had detained two men in "
    "St Petersburg who planned an attack for Islamic State. The FSB said they used "
    "Telegram and WhatsApp.\n"
    "\n"
    "\u201cWe were warned by a foreign partner,\u201d Kremlin spokesman Dmitry Peskov "
    "told reporters. Mr Peskov said President Vladimir Putin had been told. The White "
    "House said it had shared information, and officials met at the White House on "
    "Monday. The militant group Ansar Bayt said nothing.\n"
).replace("'", "\u2019")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def mentions() -> list[Mention]:
    return link_mentions(en.extract(ARTICLE, ALIASES), [AliasLinker(ALIASES)])


def _by_text(mentions: list[Mention], text: str) -> list[Mention]:
    return [m for m in mentions if m.text == text]


def test_offsets_point_into_the_article_text(mentions: list[Mention]) -> None:
    assert mentions
    for mention in mentions:
        assert ARTICLE[mention.start : mention.end] == mention.text


def test_acronym_takes_the_long_form(mentions: list[Mention]) -> None:
    fsb = _by_text(mentions, "FSB")
    assert len(fsb) == 2
    assert {m.canonical for m in fsb} == {"Federal Security Service"}
    assert {m.label for m in fsb} == {"organization"}
    assert {m.entity_id for m in fsb} == {entity_id_for("ru-fsb")}


def test_metonymy_and_its_place_exception(mentions: list[Mention]) -> None:
    said, met_at = ARTICLE.index("The White"), ARTICLE.index("at the White")
    labels = {m.start: m.label for m in mentions if m.canonical == "White House"}
    assert labels == {said + 4: "organization", met_at + 7: "location"}
    assert {m.label for m in mentions if m.canonical == "Kremlin"} == {"organization"}


def test_titles_are_stripped_and_surnames_take_the_full_name(mentions: list[Mention]) -> None:
    persons = {(m.text, m.canonical) for m in mentions if m.label == "person"}
    assert persons == {
        ("Dmitry Peskov", "Dmitry Peskov"),
        ("Peskov", "Dmitry Peskov"),
        ("Vladimir Putin", "Vladimir Putin"),
    }


def test_platforms_groups_and_places(mentions: list[Mention]) -> None:
    labels = {m.text: m.label for m in mentions}
    assert labels["Telegram"] == "platform"
    assert labels["WhatsApp"] == "platform"
    assert labels["Islamic State"] == "group"
    assert labels["Ansar Bayt"] == "group"
    assert labels["St Petersburg"] == "location"
    assert labels["Moscow"] == "location"
    islamic_state = _by_text(mentions, "Islamic State")[0]
    assert islamic_state.entity_id == entity_id_for("islamic-state")


def test_no_function_words_or_demonyms(mentions: list[Mention]) -> None:
    texts = {m.text for m in mentions}
    assert not texts & {"The", "Mr", "President", "Monday", "Tuesday", "We"}


def test_press_junk_demonyms_days_and_country_acronyms() -> None:
    text = (
        "Iraqis and Shiites marched in Mosul Saturday, a Jordanian official said. The envoy "
        "met U.S. officials in Mosul, and the United States sent more."
    )
    found = {(m.text, m.label, m.canonical) for m in en.extract(text, ALIASES)}
    texts = {t for t, _label, _canonical in found}
    assert not texts & {"Iraqis", "Shiites", "Jordanian", "Mosul Saturday"}
    assert ("Mosul", "location", "Mosul") in found
    assert ("U.S.", "location", "United States") in found


def test_names_with_particles_are_persons_and_one_label_per_name() -> None:
    text = (
        "Lockerbie convict Abdelbaset Ali al-Megrahi was buried in Janzur. Many gathered "
        "in Janzur, and Janzur mourned."
    )
    found = {(m.text, m.label) for m in en.extract(text, ALIASES)}
    assert ("Abdelbaset Ali al-Megrahi", "person") in found
    assert len({label for t, label in found if t == "Janzur"}) == 1


# Rules found on the public press set (issue 15); sentences written for these tests.


def _labels(text: str) -> dict[str, tuple[str, str]]:
    return {m.text: (m.label, m.canonical) for m in en.extract(text, ALIASES)}


def test_a_title_and_its_domain_are_cut_from_the_name() -> None:
    found = _labels(
        "Current UK Prime Minister Alan Brightwater spoke. The Higher Education Minister "
        "Sara Odum Kellet resigned. He met U.S. Secretary of State Lena Marsh in Oslo, "
        "then the last King of Norway and the Minister of Fisheries."
    )
    assert found["Alan Brightwater"][0] == "person"
    assert found["Sara Odum Kellet"][0] == "person"
    assert found["Lena Marsh"][0] == "person"
    assert found["Norway"][0] == "location"
    assert not any("Fisheries" in name or name.startswith("of ") for name in found)


def test_buildings_and_places_named_by_their_context_are_locations() -> None:
    found = _labels(
        "He was taken to Brackwell Community Hospital, then to the Sorrel Detention "
        "Camp. He was born in the town of Quillan and moved to Tarrow. The Harth "
        "bombing killed four. Police searched the attack on Hotel."
    )
    assert found["Brackwell Community Hospital"][0] == "location"
    assert found["Sorrel Detention Camp"][0] == "location"
    assert found["Quillan"][0] == "location"
    assert found["Tarrow"][0] == "location"
    assert found["Harth"][0] == "location"
    assert "Hotel" not in found


def test_runs_stop_at_a_sentence_and_join_long_names() -> None:
    found = _labels(
        "He met a cousin named Omar Jan. Omar Jan denied it. Officials of the Center "
        "for a Safer Harbour Policy and the Committee to Protect Fishermen spoke. "
        "Ban Ki-moon and Hizb-e-Tahrir Council were named; US-led forces moved. They flew "
        "from Iran the Baltic Council said."
    )
    assert found["Omar Jan"][0] == "person"
    assert "Omar Jan. Omar Jan" not in found
    assert found["Center for a Safer Harbour Policy"][0] == "organization"
    assert found["Committee to Protect Fishermen"][0] == "organization"
    assert found["Ban Ki-moon"][0] == "person"
    assert "Hizb-e-Tahrir Council" in found
    assert "US-led" not in found
    assert "Iran the Baltic Council" not in found


def test_non_names_are_left_out() -> None:
    found = _labels(
        "At 4 a.m. GMT the M44X2 shells fell. Thirteen Finnish soldiers and several "
        "Australian observers saw it. The Former Harbour Union met, and the Commission said "
        "nothing. He said it in Hebrew."
    )
    for word in ("GMT", "M44X2", "Thirteen Finnish", "Australian", "Commission", "Hebrew"):
        assert word not in found
    assert "Harbour Union" in found


def test_a_person_named_again_by_part_of_the_name() -> None:
    found = {
        (m.text, m.canonical)
        for m in en.extract(
            "Yusuf Ali al-Harbi was freed. Yusuf al-Harbi thanked the court, and his "
            "brother Karim al-Harbi wept. Later, al-Harbi said he would stay. Ahmed Talbi said no; "
            "Ahmed smiled.",
            ALIASES,
        )
    }
    assert ("Yusuf al-Harbi", "Yusuf Ali al-Harbi") in found
    assert ("al-Harbi", "Yusuf Ali al-Harbi") in found
    assert ("Ahmed", "Ahmed Talbi") in found
