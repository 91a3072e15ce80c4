"""Names that deceive (issue 12, item 17): look-alikes, invisible characters, and channel
references that could pick the wrong channel."""

from __future__ import annotations

import pytest

from passerelle.errors import BadInput, Conflict
from passerelle.policy import directory
from passerelle.policy.directory import Membership
from passerelle.policy.roles import Role
from passerelle.policy.visibility import channel_for
from tests.world import World

CYRILLIC_IE = "\u0435"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (f"Atlas Servic{CYRILLIC_IE}", "mixes scripts"),
        ("Atlas\u200bService", "invisible"),
        ("Atlas\x01", "control or invisible"),
        ("\u202eecivreS saltA", "control or invisible"),
    ],
)
def test_an_organisation_name_that_deceives_is_refused(
    world: World, name: str, reason: str
) -> None:
    with world.database.write() as conn, pytest.raises(BadInput, match=reason):
        directory.add_organisation(conn, name)


def test_names_are_one_form_whatever_their_case_or_width(world: World) -> None:
    with world.database.write() as conn:
        made = directory.add_organisation(conn, "\uff22\uff2b\uff21  Wiesbaden")  # full width
        assert made.name == "BKA Wiesbaden"
        with pytest.raises(Conflict):
            directory.add_organisation(conn, "bka wiesbaden")
        with pytest.raises(BadInput, match="invisible"):
            directory.add_user(conn, "dgsi", "ali\u200bce", Role.ANALYST)
        with pytest.raises(Conflict):
            directory.add_user(conn, "dgsi", "ALICE", Role.ANALYST)


def test_scripts_of_one_writing_may_share_a_word(world: World) -> None:
    with world.database.write() as conn:
        assert directory.add_organisation(conn, "警察庁ちょう").name == "警察庁ちょう"
        assert directory.add_organisation(conn, "ФСБ России").name == "ФСБ России"


def test_a_channel_alias_cannot_take_another_channels_title_or_id(world: World) -> None:
    with world.database.write() as conn:
        with pytest.raises(Conflict):
            directory.add_channel(conn, "decoy", [Membership.parse("fsb:rw")], alias="fr-ru")
        with pytest.raises(Conflict):
            directory.add_channel(
                conn,
                "decoy",
                [Membership.parse("fsb:rw")],
                alias=world.collection("community"),
            )
        with pytest.raises(Conflict):
            directory.add_channel(conn, "FR-RU", [Membership.parse("fsb:rw")])
        # the reference still picks the one channel it named
        assert channel_for(conn, world.viewer("boris"), "fr-ru").id == world.channels["fr-ru"].id
