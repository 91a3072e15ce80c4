"""Forwarding on one node, through the ordinary write path: what a peer's node account may
store as another organisation's (the producer's grant carried in the object), whose it
then is, and where the forwarder's people may place it (docs/federation.md, "Forwarding to
a third node"). The same rules across real nodes: tests/federation/test_three_nodes.py.

Here: atlas produced the objects (its node is elsewhere); boreal's node account writes
them into ``bc`` (boreal, cobalt) as if forwarding them from boreal's node; on the
forwarder's side, atlas's node account wrote them into ``ab`` (atlas, boreal) and bella
(boreal) places them in ``bc``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from passerelle.errors import BadInput, Forbidden
from passerelle.objects.grants import Grant, grant
from passerelle.objects.ingest import ingest
from passerelle.policy import directory
from passerelle.policy.directory import Channel, Membership, viewer_by_name
from passerelle.policy.ownership import owners_of
from passerelle.policy.roles import Role
from passerelle.stix.markings import FORWARDING, HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from passerelle.stix.organisations import organisation_identity_id
from passerelle.store.database import Database
from passerelle.store.schema import audit_log, channel_objects, objects
from tests.stixgen import indicator
from tests.world import NODE_HOOKS

ATLAS = organisation_identity_id("atlas")
GRANT = [{"by": "boreal", "to": "cobalt"}]


@pytest.fixture
def channels(database: Database) -> dict[str, Channel]:
    """atlas (no people here, only its node account), boreal, cobalt; boreal's node
    account; bella (boreal), cora and carl (cobalt); ab, bc."""
    made = {}
    with database.write() as conn:
        for org in ("atlas", "boreal", "cobalt"):
            directory.add_organisation(conn, org)
        directory.add_user(conn, "atlas", "atlas-node", Role.NODE)
        directory.add_user(conn, "boreal", "boreal-node", Role.NODE)
        directory.add_user(conn, "boreal", "bella", Role.LIAISON)
        directory.add_user(conn, "cobalt", "carl", Role.ANALYST)
        directory.add_user(conn, "cobalt", "cora", Role.LIAISON)
        for title, orgs in {"ab": ("atlas", "boreal"), "bc": ("boreal", "cobalt")}.items():
            members = [Membership(org, True, True) for org in orgs]
            made[title] = directory.add_channel(conn, title, members, alias=title)
    return made


def _atlas(n: int, tlp: Tlp, **handling: Any) -> dict[str, Any]:
    obj = indicator(n, created_by_ref=ATLAS, object_marking_refs=[TLP2_IDS[tlp]])
    if handling:
        obj["extensions"] = {
            HANDLING_EXTENSION_ID: {"extension_type": "property-extension", **handling}
        }
    return obj


def _write(
    database: Database, username: str, channel: Channel, items: list[dict[str, Any]]
) -> dict[str, str]:
    """Write as a user; return the refusals by id."""
    with database.read() as conn:
        writer = viewer_by_name(conn, username)
    result = ingest(database, NODE_HOOKS, writer, channel, items)
    return {v.id: v.message for v in result.failures}


def test_a_node_account_stores_anothers_object_only_with_the_grant_and_as_its(
    database: Database, channels: dict[str, Channel]
) -> None:
    granted = _atlas(1, Tlp.AMBER, **{FORWARDING: GRANT})
    h2 = _atlas(2, Tlp.AMBER, handling_codes=["H2"], **{FORWARDING: GRANT})
    bare = _atlas(3, Tlp.GREEN)
    elsewhere = _atlas(4, Tlp.GREEN, **{FORWARDING: [{"by": "boreal", "to": "dacia"}]})
    strict = _atlas(5, Tlp.AMBER_STRICT, **{FORWARDING: GRANT})
    red = _atlas(6, Tlp.RED, recipients=["bella"], **{FORWARDING: GRANT})
    red_to_cora = _atlas(7, Tlp.RED, recipients=["cora"], **{FORWARDING: GRANT})
    stranger = {**_atlas(8, Tlp.GREEN, **{FORWARDING: GRANT}),
                "created_by_ref": organisation_identity_id("nobody")}  # fmt: skip
    local = {**_atlas(9, Tlp.GREEN, **{FORWARDING: GRANT}),
             "created_by_ref": organisation_identity_id("cobalt")}  # fmt: skip
    items = [granted, h2, bare, elsewhere, strict, red, red_to_cora, stranger, local]
    refused = _write(database, "boreal-node", channels["bc"], items)
    assert set(refused) == {
        bare["id"], elsewhere["id"], strict["id"], red["id"], stranger["id"], local["id"]
    }  # fmt: skip
    assert "'cobalt', whose people work on this node" in refused[local["id"]]
    assert "'atlas' has not let 'boreal' forward it to 'anyone'" in refused[bare["id"]]
    assert "forward it to 'cobalt'" in refused[elsewhere["id"]]
    assert "AMBER+STRICT is never forwarded" in refused[strict["id"]]
    assert "TLP:RED forwarded to 'bella'" in refused[red["id"]]
    assert "an organisation this node does not know" in refused[stranger["id"]]
    with database.read() as conn:
        atlas = directory.find_organisation(conn, "atlas").id
        owners = owners_of(conn, [granted["id"], h2["id"], red_to_cora["id"]])
    assert set(owners.values()) == {atlas}
    # The forwarder adds no version of it, neither as its own nor naming the producer
    # without a grant.
    as_own = {**granted, "modified": "2026-02-01T00:00:00.000Z"}
    del as_own["created_by_ref"]
    naming = {**granted, "modified": "2026-02-02T00:00:00.000Z"}
    del naming["extensions"]
    refused = _write(database, "boreal-node", channels["bc"], [as_own])
    assert "only the organisation that produced this object" in refused[granted["id"]]
    refused = _write(database, "boreal-node", channels["bc"], [naming])
    assert "without its producer's grant" in refused[granted["id"]]
    # An object that came from atlas's node itself: the forwarder adds no version of it.
    direct = _atlas(10, Tlp.GREEN, **{FORWARDING: GRANT})
    assert _write(database, "atlas-node", channels["ab"], [direct]) == {}
    later = {**direct, "modified": "2026-02-01T00:00:00.000Z"}
    refused = _write(database, "boreal-node", channels["bc"], [later])
    assert "reached this node otherwise than through this forwarder" in refused[direct["id"]]


def test_the_grant_lets_the_forwarders_people_share_it_to_the_granted_organisation(
    database: Database, channels: dict[str, Channel]
) -> None:
    granted = _atlas(1, Tlp.AMBER, handling_codes=["H2"], **{FORWARDING: GRANT})
    bare = _atlas(2, Tlp.AMBER)
    strict = _atlas(3, Tlp.AMBER_STRICT, **{FORWARDING: GRANT})
    assert _write(database, "atlas-node", channels["ab"], [granted, bare, strict]) == {}
    refused = _write(database, "bella", channels["bc"], [granted, bare, strict])
    assert set(refused) == {bare["id"], strict["id"]}
    assert "its producer must grant onward sharing" in refused[bare["id"]]
    assert "forbids sharing it onward" in refused[strict["id"]]


def test_the_producer_grants_forwarding_as_a_new_version_of_its_object(
    database: Database, channels: dict[str, Channel]
) -> None:
    obj = indicator(1, object_marking_refs=[TLP2_IDS[Tlp.AMBER]])
    assert _write(database, "cora", channels["bc"], [obj]) == {}
    asked = Grant(obj["id"], forward_to="atlas", forward_by="boreal")
    with database.read() as conn:
        cora, carl, bella = (viewer_by_name(conn, n) for n in ("cora", "carl", "bella"))
    detail = grant(database, cora, asked, NODE_HOOKS)
    assert (detail["kind"], detail["by"], detail["to"]) == ("forward", "boreal", "atlas")
    with database.read() as conn:
        rows = conn.execute(
            select(objects.c.version, objects.c.body, channel_objects.c.channel_id)
            .join(channel_objects, (channel_objects.c.stix_id == objects.c.stix_id)
                  & (channel_objects.c.version == objects.c.version))
            .where(objects.c.stix_id == obj["id"])
            .order_by(objects.c.version)
        ).all()  # fmt: skip
    assert [r.channel_id for r in rows] == [channels["bc"].id] * 2
    newer = json.loads(rows[-1].body)
    assert newer["modified"] == detail["version"] > obj["modified"]
    assert newer["extensions"][HANDLING_EXTENSION_ID][FORWARDING] == [
        {"by": "boreal", "to": "atlas"}
    ]
    assert {k: v for k, v in newer.items() if k not in ("modified", "extensions")} == {
        k: v for k, v in obj.items() if k != "modified"
    }
    # Granted again: nothing new. Someone else, or an analyst, grants nothing.
    assert grant(database, cora, asked, NODE_HOOKS)["version"] == detail["version"]
    with pytest.raises(Forbidden, match="only the organisation that produced"):
        grant(database, bella, asked, NODE_HOOKS)
    with pytest.raises(Forbidden, match="only a liaison officer or an administrator"):
        grant(database, carl, asked, NODE_HOOKS)
    with pytest.raises(BadInput, match="--forward ORG goes with --by ORG"):
        grant(database, cora, Grant(obj["id"], forward_to="atlas"), NODE_HOOKS)
    with database.read() as conn:
        count = conn.execute(
            select(func.count()).select_from(objects).where(objects.c.stix_id == obj["id"])
        ).scalar()
        refused = conn.execute(
            select(func.count()).select_from(audit_log).where(audit_log.c.action == "grant-refused")
        ).scalar()
    assert (count, refused) == (2, 2)
