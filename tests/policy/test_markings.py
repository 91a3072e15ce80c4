"""Handling rules as objects carry them: TLP, PAP, handling codes, source grading, RED
recipients, statement markings, the channel's default TLP and the served extension."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import stix2
from sqlalchemy import select

from passerelle.policy import directory
from passerelle.policy.directory import Membership
from passerelle.policy.roles import Role
from passerelle.stix.markings import (
    HANDLING_EXTENSION_ID,
    TLP2_IDS,
    Handling,
    HandlingCode,
    InvalidHandling,
    Pap,
    SourceGrading,
    Tlp,
    most_restrictive,
    read_handling,
)
from passerelle.store.schema import channel_objects
from tests.stixgen import T0, indicator, refusal, stix_id
from tests.taxii_client import Taxii
from tests.world import World

TLP1_IDS = {
    "white": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "red": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}
PAP_IDS = {
    Pap.CLEAR: "marking-definition--ad15a0cd-55b6-4588-a14c-a66105329b92",
    Pap.GREEN: "marking-definition--c43594d1-4b11-4c59-93ab-1c9b14d53ce9",
    Pap.AMBER: "marking-definition--60f8932b-e51e-4458-b265-a2e8be9a80ab",
    Pap.RED: "marking-definition--740d36e5-7714-4c30-961a-3ae632ceee0e",
}
PAP_WHITE = "marking-definition--a3bea94c-b469-41dc-9cfe-d6e7daba7730"


def marked(*refs: str, codes: list[str] | None = None, **extension: Any) -> dict[str, Any]:
    """Return an indicator with marking refs and, if asked, the handling extension."""
    obj = indicator(1)
    if refs:
        obj["object_marking_refs"] = list(refs)
    if codes is not None:
        extension["handling_codes"] = codes
    if extension:
        obj["extensions"] = {
            HANDLING_EXTENSION_ID: {"extension_type": "property-extension", **extension}
        }
    return obj


def statement_marking(text: str = "Releasable to partner services only") -> dict[str, Any]:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": stix_id("marking-definition"),
        "created": T0,
        "definition_type": "statement",
        "definition": {"statement": text},
    }


def ids(objects: list[dict[str, Any]]) -> set[str]:
    return {o["id"] for o in objects}


# -- reading an object's handling --------------------------------------------------------


@pytest.mark.parametrize("level", list(Tlp))
def test_a_tlp_2_marking_gives_its_level(level: Tlp) -> None:
    recipients = ["boris"] if level is Tlp.RED else []
    handling = read_handling(marked(TLP2_IDS[level], recipients=recipients))
    assert handling.tlp is level


@pytest.mark.parametrize(
    ("colour", "level"),
    [("white", Tlp.CLEAR), ("green", Tlp.GREEN), ("amber", Tlp.AMBER), ("red", Tlp.RED)],
)
def test_a_tlp_1_marking_is_mapped_to_tlp_2(colour: str, level: Tlp) -> None:
    recipients = ["boris"] if level is Tlp.RED else []
    assert read_handling(marked(TLP1_IDS[colour], recipients=recipients)).tlp is level


def test_several_tlp_markings_give_the_most_restrictive() -> None:
    handling = read_handling(
        marked(TLP2_IDS[Tlp.GREEN], TLP2_IDS[Tlp.AMBER_STRICT], TLP1_IDS["white"])
    )
    assert handling.tlp is Tlp.AMBER_STRICT


def test_an_unmarked_object_says_nothing_of_its_tlp() -> None:
    assert read_handling(indicator(1)) == Handling()


@pytest.mark.parametrize("level", list(Pap))
def test_a_pap_marking_gives_its_level(level: Pap) -> None:
    handling = read_handling(marked(PAP_IDS[level]))
    assert (handling.pap, handling.tlp) == (level, None)


def test_pap_white_is_read_as_clear() -> None:
    assert read_handling(marked(PAP_WHITE)).pap is Pap.CLEAR


def test_several_pap_markings_give_the_most_restrictive() -> None:
    handling = read_handling(marked(PAP_IDS[Pap.GREEN], PAP_IDS[Pap.RED], PAP_IDS[Pap.CLEAR]))
    assert handling.pap is Pap.RED


def test_handling_codes_h0_to_h3_are_read_with_the_h3_text() -> None:
    handling = read_handling(
        marked(codes=["H0", "H1", "H2", "H3"], h3_text="Do not contact the source")
    )
    assert handling.codes == HandlingCode.H0 | HandlingCode.H1 | HandlingCode.H2 | HandlingCode.H3
    assert handling.h3_text == "Do not contact the source"


def test_an_unknown_handling_code_is_refused() -> None:
    with pytest.raises(InvalidHandling, match="H4"):
        read_handling(marked(codes=["H2", "H4"]))


def test_forwarding_grants_are_read_as_forwarder_and_recipient() -> None:
    grants = [{"by": "boreal", "to": "cobalt"}, {"by": " boreal ", "to": "cobalt"},
              {"by": "boreal", "to": "dacia"}]  # fmt: skip
    handling = read_handling(marked(forwarding_grants=grants))
    assert handling.forwarding == (("boreal", "cobalt"), ("boreal", "dacia"))
    assert read_handling(marked(codes=["H2"])).forwarding == ()


@pytest.mark.parametrize(
    "grants",
    [{"by": "boreal", "to": "cobalt"}, ["boreal"], [{"by": "boreal"}], [{"by": "", "to": "x"}],
     [{"by": "boreal", "to": 3}]],
)  # fmt: skip
def test_a_malformed_forwarding_grant_is_refused(grants: object) -> None:
    with pytest.raises(InvalidHandling, match=r"forwarding_grants|'by' and 'to'"):
        read_handling(marked(forwarding_grants=grants))


@pytest.mark.parametrize("text", [None, "", "   "])
def test_h3_without_its_text_is_refused(text: str | None) -> None:
    extension = {} if text is None else {"h3_text": text}
    with pytest.raises(InvalidHandling, match="H3 needs its text"):
        read_handling(marked(codes=["H3"], **extension))


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (
            {"scheme": "admiralty", "reliability": "B", "credibility": "2"},
            SourceGrading("admiralty", "B", "2"),
        ),
        (
            {"scheme": "admiralty", "reliability": "F", "credibility": "6"},
            SourceGrading("admiralty", "F", "6"),
        ),
        (
            {"scheme": "4x4", "reliability": "X", "credibility": "4"},
            SourceGrading("4x4", "X", "4"),
        ),
        ({"scheme": "open-source"}, SourceGrading("open-source")),
    ],
)
def test_source_grading_is_kept_in_its_native_scheme(
    given: dict[str, str], kept: SourceGrading
) -> None:
    assert read_handling(marked(source_grading=given)).grading == kept


@pytest.mark.parametrize(
    "given",
    [
        {"scheme": "admiralty", "reliability": "G", "credibility": "1"},
        {"scheme": "admiralty", "reliability": "A", "credibility": "7"},
        {"scheme": "admiralty", "reliability": "X", "credibility": "1"},
        {"scheme": "admiralty", "reliability": "AB", "credibility": "1"},
        {"scheme": "admiralty", "reliability": "A"},
        {"scheme": "4x4", "reliability": "D", "credibility": "1"},
        {"scheme": "4x4", "reliability": "A", "credibility": "5"},
        {"scheme": "4x4", "reliability": "A", "credibility": 1},
        {"scheme": "nato", "reliability": "A", "credibility": "1"},
        {"reliability": "A", "credibility": "1"},
    ],
)
def test_source_grading_outside_its_scheme_is_refused(given: dict[str, Any]) -> None:
    with pytest.raises(InvalidHandling, match=r"source_grading|reliability|credibility"):
        read_handling(marked(source_grading=given))


def test_red_without_recipients_is_refused() -> None:
    with pytest.raises(InvalidHandling, match="recipients"):
        read_handling(marked(TLP2_IDS[Tlp.RED]))


def test_red_names_its_recipients() -> None:
    handling = read_handling(marked(TLP2_IDS[Tlp.RED], recipients=["boris", "carla"]))
    assert handling.recipients == ("boris", "carla")


def test_other_markings_are_left_as_statements_to_check() -> None:
    statement = stix_id("marking-definition")
    handling = read_handling(marked(TLP2_IDS[Tlp.GREEN], statement))
    assert (handling.tlp, handling.statement_refs) == (Tlp.GREEN, (statement,))


# -- the handling of something derived from several objects ------------------------------


def test_most_restrictive_takes_the_strictest_tlp_and_pap_and_every_code() -> None:
    combined = most_restrictive(
        Handling(tlp=Tlp.GREEN, pap=Pap.AMBER, codes=HandlingCode.H1),
        Handling(tlp=Tlp.AMBER_STRICT, pap=Pap.GREEN, codes=HandlingCode.H2),
        Handling(tlp=Tlp.CLEAR, codes=HandlingCode.H3, h3_text="Ask before acting"),
    )
    assert combined.tlp is Tlp.AMBER_STRICT
    assert combined.pap is Pap.AMBER
    assert combined.codes == HandlingCode.H1 | HandlingCode.H2 | HandlingCode.H3
    assert combined.h3_text == "Ask before acting"


def test_most_restrictive_narrows_red_recipients_to_those_named_by_every_red_input() -> None:
    combined = most_restrictive(
        Handling(tlp=Tlp.RED, recipients=("alice", "boris", "carla")),
        Handling(tlp=Tlp.AMBER),
        Handling(tlp=Tlp.RED, recipients=("boris", "carla", "oscar")),
        Handling(tlp=Tlp.RED, recipients=("carla", "boris")),
    )
    assert (combined.tlp, combined.recipients) == (Tlp.RED, ("boris", "carla"))


def test_most_restrictive_of_red_inputs_for_different_people_reaches_nobody() -> None:
    combined = most_restrictive(
        Handling(tlp=Tlp.RED, recipients=("alice",)),
        Handling(tlp=Tlp.RED, recipients=("boris",)),
    )
    assert (combined.tlp, combined.recipients) == (Tlp.RED, ())


def test_most_restrictive_keeps_every_distinct_h3_text() -> None:
    combined = most_restrictive(
        Handling(codes=HandlingCode.H3, h3_text="Protect the source"),
        Handling(codes=HandlingCode.H3, h3_text="Not before 1 June"),
        Handling(codes=HandlingCode.H3, h3_text="Protect the source"),
    )
    assert combined.h3_text.splitlines() == ["Protect the source", "Not before 1 June"]


# -- markings through TAXII ----------------------------------------------------------------


def test_an_object_with_an_unknown_marking_is_refused_with_a_reason(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    unknown = stix_id("marking-definition")
    obj = marked(TLP2_IDS[Tlp.GREEN], unknown)
    status = as_user("alice").post_objects(world.collection("fr-ru"), [obj]).json()
    assert status["success_count"] == 0
    assert status["failures"][0]["id"] == obj["id"]
    assert unknown in status["failures"][0]["message"]
    assert "marking-definition first" in status["failures"][0]["message"]
    assert as_user("boris").all_objects(world.collection("fr-ru")) == []


def test_an_object_whose_statement_marking_was_posted_first_is_accepted(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    statement = statement_marking()
    obj = marked(TLP2_IDS[Tlp.GREEN], statement["id"])
    alice = as_user("alice")
    assert alice.post_objects(world.collection("fr-ru"), [statement]).json()["success_count"] == 1
    status = alice.post_objects(world.collection("fr-ru"), [obj]).json()
    assert (status["success_count"], status["failure_count"]) == (1, 0)
    assert obj["id"] in ids(as_user("boris").all_objects(world.collection("fr-ru")))


def test_an_object_and_its_statement_marking_in_one_envelope_are_accepted(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    statement = statement_marking()
    obj = marked(TLP2_IDS[Tlp.GREEN], statement["id"])
    status = as_user("alice").post_objects(world.collection("fr-ru"), [obj, statement]).json()
    assert (status["success_count"], status["failure_count"]) == (2, 0)
    assert ids(as_user("boris").all_objects(world.collection("fr-ru"))) == {
        obj["id"],
        statement["id"],
    }


def test_a_statement_marking_posted_in_another_channel_is_known_too(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    statement = statement_marking()
    alice = as_user("alice")
    alice.post_objects(world.collection("community"), [statement])
    obj = marked(TLP2_IDS[Tlp.GREEN], statement["id"])
    assert alice.post_objects(world.collection("fr-ru"), [obj]).json()["success_count"] == 1


def test_an_object_whose_handling_cannot_be_honoured_is_refused_with_a_reason(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    good = marked(TLP2_IDS[Tlp.GREEN])
    no_text = marked(TLP2_IDS[Tlp.GREEN], codes=["H3"])
    red_for_nobody = marked(TLP2_IDS[Tlp.RED])
    status = (
        as_user("alice")
        .post_objects(world.collection("fr-ru"), [good, no_text, red_for_nobody])
        .json()
    )
    failures = {f["id"]: f["message"] for f in status["failures"]}
    assert status["success_count"] == 1
    assert "h3_text" in failures[no_text["id"]]
    assert "recipients" in failures[red_for_nobody["id"]]


def placement_tlps(world: World, stix: str) -> list[tuple[int, bool]]:
    with world.database.read() as conn:
        rows = conn.execute(
            select(channel_objects.c.tlp, channel_objects.c.tlp_defaulted).where(
                channel_objects.c.stix_id == stix
            )
        )
        return [(r.tlp, bool(r.tlp_defaulted)) for r in rows]


def test_an_unmarked_object_gets_the_channels_default_tlp_and_the_fact_is_recorded(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    obj = indicator(1)
    as_user("alice").post_objects(world.collection("fr-ru"), [obj])
    assert placement_tlps(world, obj["id"]) == [(int(Tlp.AMBER), True)]


def test_a_marked_object_keeps_its_own_tlp_and_is_not_recorded_as_defaulted(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    obj = marked(TLP2_IDS[Tlp.GREEN])
    as_user("alice").post_objects(world.collection("fr-ru"), [obj])
    assert placement_tlps(world, obj["id"]) == [(int(Tlp.GREEN), False)]


@pytest.fixture
def client_of_fsb(world: World) -> str:
    """Declare ``police`` a client of fsb, with an analyst ``pavel``; return his name."""
    with world.database.write() as conn:
        directory.add_organisation(conn, "police")
        directory.add_client(conn, "fsb", "police")
        world.tokens["pavel"] = directory.add_user(conn, "police", "pavel", Role.ANALYST)
    return "pavel"


def channel_with_default(world: World, title: str, default: Tlp) -> str:
    members = [Membership("dgsi", True, True), Membership("fsb", True, False)]
    with world.database.write() as conn:
        created = directory.add_channel(conn, title, members, alias=title, default_tlp=default)
    return created.collection_id


def test_a_client_of_a_member_sees_an_object_defaulted_to_amber(
    as_user: Callable[[str], Taxii], world: World, client_of_fsb: str
) -> None:
    collection = channel_with_default(world, "amber-by-default", Tlp.AMBER)
    obj = indicator(1)
    as_user("alice").post_objects(collection, [obj])
    assert ids(as_user(client_of_fsb).all_objects(collection)) == {obj["id"]}


def test_a_client_of_a_member_does_not_see_an_object_defaulted_to_amber_strict(
    as_user: Callable[[str], Taxii], world: World, client_of_fsb: str
) -> None:
    collection = channel_with_default(world, "strict-by-default", Tlp.AMBER_STRICT)
    obj = indicator(1)
    as_user("alice").post_objects(collection, [obj])
    assert as_user(client_of_fsb).all_objects(collection) == []
    assert ids(as_user("boris").all_objects(collection)) == {obj["id"]}


def test_a_client_of_a_member_sees_an_object_defaulted_to_clear(
    as_user: Callable[[str], Taxii], world: World, client_of_fsb: str
) -> None:
    # TLP:CLEAR is disclosable to anyone (DESIGN.md), so it reaches at least the
    # audience of TLP:AMBER: a client that receives AMBER must receive CLEAR.
    collection = channel_with_default(world, "clear-by-default", Tlp.CLEAR)
    obj = indicator(1)
    as_user("alice").post_objects(collection, [obj])
    assert ids(as_user(client_of_fsb).all_objects(collection)) == {obj["id"]}


def test_an_organisation_outside_the_channel_sees_nothing_even_when_clear(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    collection = channel_with_default(world, "clear-by-default", Tlp.CLEAR)
    as_user("alice").post_objects(collection, [indicator(1)])
    assert as_user("carla").get(f"/collections/{collection}/objects/").status_code == 404


# -- the served extension-definition -------------------------------------------------------


def served_extension(as_user: Callable[[str], Taxii]) -> dict[str, Any]:
    taxii = as_user("boris")
    response = taxii.client.get("/api/extensions/handling", auth=taxii.auth)
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


def test_the_served_extension_is_a_bundle_of_its_definition_and_its_author(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    served = served_extension(as_user)
    assert served["type"] == "bundle"
    by_type = {o["type"]: o for o in served["objects"]}
    assert set(by_type) == {"identity", "extension-definition"}
    definition = by_type["extension-definition"]
    assert definition["id"] == HANDLING_EXTENSION_ID
    assert definition["created_by_ref"] == by_type["identity"]["id"]
    assert definition["extension_types"] == ["property-extension"]


def test_the_served_extension_passes_our_validator(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    served = served_extension(as_user)["objects"]
    assert [refusal(obj) for obj in served] == [None] * len(served) == [None, None]


def test_the_served_extension_passes_the_stix2_library_without_custom_content(
    as_user: Callable[[str], Taxii], world: World
) -> None:
    served = served_extension(as_user)
    parsed = stix2.parse(served, allow_custom=False)
    assert {o.id for o in parsed.objects} == {o["id"] for o in served["objects"]}
    for obj in served["objects"]:
        assert stix2.parse(obj, allow_custom=False).type == obj["type"]
