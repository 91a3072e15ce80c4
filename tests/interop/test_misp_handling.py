"""The MISP tables of docs/interop.md, held to the code."""

from __future__ import annotations

import pytest

from passerelle.interop.misp_handling import (
    distribution_of,
    export_distribution,
    handling_of_tags,
    pap_tag,
    tlp_tag,
    with_distribution,
)
from passerelle.stix.markings import Handling, HandlingCode, Pap, Tlp

H2 = HandlingCode.H2


@pytest.mark.parametrize(
    ("tags", "tlp", "pap"),
    [
        (["tlp:clear"], Tlp.CLEAR, None),
        (["tlp:white"], Tlp.CLEAR, None),
        (["TLP:GREEN"], Tlp.GREEN, None),
        (["tlp:amber", "PAP:AMBER"], Tlp.AMBER, Pap.AMBER),
        (["tlp:amber+strict"], Tlp.AMBER_STRICT, None),
        (["tlp:red", "tlp:green"], Tlp.RED, None),  # several: the most restrictive
        (["PAP:WHITE", 'misp-galaxy:x="y"'], None, Pap.CLEAR),
        ([], None, None),
    ],
)
def test_tags_give_tlp_and_pap(tags: list[str], tlp: Tlp | None, pap: Pap | None) -> None:
    assert handling_of_tags(tags, Handling()) == Handling(tlp, pap)


def test_an_items_own_tag_wins_and_the_rest_is_inherited() -> None:
    event = Handling(Tlp.AMBER, Pap.GREEN, H2)
    assert handling_of_tags(["tlp:clear"], event) == Handling(Tlp.CLEAR, Pap.GREEN, H2)
    assert handling_of_tags([], event) == event


@pytest.mark.parametrize(
    ("value", "level"),
    [("0", 0), (1, 1), ("2", 2), ("3", 3), ("4", 4), ("5", 3), (None, 3), ("x", 3), ("9", 3)],
)
def test_distribution_inherits_for_5_and_nonsense(value: object, level: int) -> None:
    assert distribution_of({"distribution": value}, 3) == level


@pytest.mark.parametrize(
    ("level", "adds_h2"), [(0, False), (1, True), (2, False), (3, False), (4, True)]
)
def test_community_and_sharing_group_keep_it_in_the_channel(level: int, adds_h2: bool) -> None:
    added = with_distribution(Handling(Tlp.GREEN), level)
    assert (H2 in added.codes) is adds_h2
    assert added.tlp is Tlp.GREEN


@pytest.mark.parametrize(
    ("handling", "level"),
    [
        (Handling(Tlp.CLEAR), 3),
        (Handling(Tlp.GREEN), 1),
        (Handling(Tlp.AMBER), 0),
        (Handling(Tlp.AMBER_STRICT), 0),
        (Handling(Tlp.CLEAR, codes=H2), 0),
        (Handling(Tlp.GREEN, codes=H2), 0),
    ],
)
def test_export_distribution(handling: Handling, level: int) -> None:
    assert export_distribution(handling) == level


def test_tags_written_as_misp_writes_them() -> None:
    assert tlp_tag(Tlp.AMBER_STRICT) == "tlp:amber+strict"
    assert pap_tag(Pap.GREEN) == "PAP:GREEN"
