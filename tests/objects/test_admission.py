"""Admission of objects by ownership: claims that race with another writer's."""

from __future__ import annotations

import pytest

from passerelle.objects.admission import Admission
from passerelle.objects.candidates import prepare
from passerelle.store.database import Database
from passerelle.store.schema import object_owners
from tests.stixgen import indicator
from tests.world import World


def test_a_claim_lost_to_another_writer_keeps_ours_as_a_copy(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL two channels' transactions may store the same new object at once;
    the one whose claim loses keeps its write as its own copy."""
    monkeypatch.setattr(type(world.database), "writes_one_at_a_time", property(lambda _self: False))
    alice, boris = world.viewer("alice"), world.viewer("boris")
    obj = indicator(1)
    cand = prepare(obj)
    database: Database = world.database
    with database.write() as conn:
        admission = Admission(conn, alice, world.channels["fr-ru"], [cand])
        assert admission.decide(cand) == ""
        # meanwhile, another transaction claimed the same id first (and committed)
        conn.execute(object_owners.insert().values(stix_id=obj["id"], org_id=boris.org_id, since=1))
        admission.settle_claims(database, 2, [cand])
    assert cand.version.endswith(f"#{alice.org_id}")
