"""Admission of objects by ownership: claims that race with another writer's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

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


def test_a_claim_of_the_same_organisation_meanwhile_is_not_a_loss(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two transactions of one organisation storing the same new object at once: the one
    whose insert finds the other's claim keeps the object as it is, not as a copy."""
    monkeypatch.setattr(type(world.database), "writes_one_at_a_time", property(lambda _self: False))
    alice = world.viewer("alice")
    obj, other = indicator(1), indicator(2)
    cands = [prepare(obj), prepare(other)]
    database: Database = world.database
    with database.write() as conn:
        admission = Admission(conn, alice, world.channels["fr-ru"], cands)
        assert [admission.decide(c) for c in cands] == ["", ""]
        conn.execute(object_owners.insert().values(stix_id=obj["id"], org_id=alice.org_id, since=1))
        versions = [c.version for c in cands]
        admission.settle_claims(database, 2, cands)
    assert [c.version for c in cands] == versions
    assert not any("#" in version for version in versions)
    with database.read() as conn:
        owners = dict(conn.execute(select(object_owners.c.stix_id, object_owners.c.org_id)).all())
    assert owners == {obj["id"]: alice.org_id, other["id"]: alice.org_id}
