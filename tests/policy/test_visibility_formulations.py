"""The two formulations of the visibility rule agree for every viewer and object.

``visible_in_channel`` folds a viewer's relation to one channel into constants (for
speed on TAXII pages); ``visible_placement`` correlates it row by row (for questions
across channels: grants, acknowledgements, PAP checks, referents). They must never
disagree.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from passerelle.policy.visibility import (
    channel_access,
    object_visible_anywhere,
    visible_in_channel,
    visible_placement,
)
from passerelle.stix.markings import Tlp
from passerelle.store.database import Database
from passerelle.store.schema import channel_objects
from tests.access_world import (
    CHANNEL,
    NAMED_RECIPIENTS,
    PEOPLE,
    AccessWorld,
    build,
    relationship,
    report,
    sees,
)


@pytest.fixture
def matrix(database: Database) -> AccessWorld:
    world = build(database)
    red, amber = world.id_of("RED"), world.id_of("AMBER")
    derived = [
        relationship(amber, red, Tlp.AMBER),
        report([amber, red], Tlp.GREEN),
        report([amber], Tlp.GREEN, ()),
        report([red], Tlp.RED, NAMED_RECIPIENTS),
    ]
    assert not world.post("producer-liaison", derived).failures
    return world


def test_both_formulations_agree_for_every_viewer(matrix: AccessWorld) -> None:
    channel = matrix.channels[CHANNEL]
    with matrix.database.read() as conn:
        for person in PEOPLE:
            viewer = matrix.viewer(person.username)
            placement = channel_objects.alias("placement")
            keys = select(placement.c.stix_id, placement.c.version).where(
                placement.c.channel_id == channel.id
            )
            folded = set(
                conn.execute(
                    keys.where(
                        visible_in_channel(
                            viewer, placement, channel_access(conn, viewer, channel.id)
                        )
                    )
                ).all()
            )
            correlated = set(conn.execute(keys.where(visible_placement(viewer, placement))).all())
            assert folded == correlated, person


def test_visible_anywhere_matches_the_rules(matrix: AccessWorld) -> None:
    with matrix.database.read() as conn:
        for person in PEOPLE:
            viewer = matrix.viewer(person.username)
            for label in matrix.objects:
                expected = sees(person, label)
                got = object_visible_anywhere(conn, viewer, matrix.id_of(label))
                assert got == expected, (person, label)
