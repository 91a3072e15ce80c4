"""The access matrix for what leaves the node: every organisation of the matrix world as a
peer's organisation, every marked object and version, against the rules by hand.

A peer speaks for the producer; what may leave for it is what its organisation may see
(:func:`tests.access_world.sees` for a person of it who is no named recipient), except
TLP:RED, which leaves only when every named recipient is a user of the peer's
organisation (in this world they all belong to ``member``).
"""

from __future__ import annotations

from passerelle.policy.departure import PeerAudience, departure_refusal
from passerelle.policy.directory import find_organisation
from passerelle.stix.markings import Tlp
from passerelle.stix.timestamps import version_key
from passerelle.store.database import Database
from tests.access_world import CHANNEL, LABELS, MARKINGS, VERSIONS, build

PEER_ORGS = ("member", "client", "outsider")


def may_leave(org: str, label: str) -> bool:
    """The rules by hand: TLP audience of the matrix channel for the whole organisation."""
    marked = MARKINGS[label]
    tlp = Tlp.AMBER if marked is None else marked
    if org == "member":
        return True  # a reading member; RED names only users of member
    if org == "client":
        return tlp <= Tlp.AMBER
    return False


def test_what_may_leave_for_each_organisation_follows_the_rules(database: Database) -> None:
    world = build(database)
    channel = world.channels[CHANNEL]
    wrong = []
    with database.read() as conn:
        producer = find_organisation(conn, "producer").id
        for org in PEER_ORGS:
            found = find_organisation(conn, org)
            peer = PeerAudience(found.id, found.name, producer, frozenset({channel.id}))
            for label in LABELS:
                for stamp in VERSIONS.values():
                    reason = departure_refusal(
                        conn, peer, channel.id, world.id_of(label), version_key(stamp)
                    )
                    if (reason == "") != may_leave(org, label):
                        wrong.append(f"{org} {label} {stamp}: {reason or 'leaves'}")
            other = PeerAudience(found.id, found.name, found.id, frozenset({channel.id}))
            # A peer account that speaks for another organisation than the producer's
            # takes nothing of it.
            assert all(
                departure_refusal(conn, other, channel.id, world.id_of(label), version_key(s))
                for label in LABELS
                for s in VERSIONS.values()
            )
    assert wrong == []
