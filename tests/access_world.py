"""The world of the access matrix: who may see which marked object, and why.

- ``producer`` writes everything into the channel ``matrix`` (producer:rw, member:rw,
  default TLP:AMBER); ``member`` reads and writes it; ``client`` is a declared client of
  ``member``; ``outsider`` reads and writes only its own channel ``outsider-own``.
- Every organisation has one user per role, ``<org>-<role>``; ``member`` also has a
  ``member-<role>-named`` per role, each named as a recipient of the TLP:RED object.
- ``producer-liaison`` posted one indicator per marking (CLEAR, GREEN, AMBER,
  AMBER+STRICT, RED, and one unmarked that takes the channel's AMBER), each in two
  versions; ``member-liaison`` posted an envelope whose only object was refused, so
  that each of the two organisations has a status of its own.

:func:`sees` is the handling rules written out by hand (README.md, "Handling rules"):
every read path's expectation derives from it, never from the code under test.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from click.testing import CliRunner
from fastapi.testclient import TestClient

from passerelle.app import create_app
from passerelle.objects.ingest import IngestResult, ingest
from passerelle.policy import directory
from passerelle.policy.directory import Channel, Membership
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.settings import Settings
from passerelle.stix.markings import HANDLING_EXTENSION_ID, TLP2_IDS, Tlp
from passerelle.store.database import Database
from tests.stixgen import T0, indicator, stix_id
from tests.taxii_client import Taxii
from tests.world import NODE_HOOKS

T1 = "2026-02-01T00:00:00.000Z"
VERSIONS = {"v1": T0, "v2": T1}

CHANNEL = "matrix"
OWN_CHANNEL = "outsider-own"
# NODE: a peer node's account, an ordinary user of its organisation (federation).
ROLES = (Role.ADMIN, Role.ANALYST, Role.LIAISON, Role.AUDITOR, Role.NODE)

UNMARKED = "unmarked"
# Each object of the matrix by its label, with the TLP it carries (None: unmarked).
MARKINGS: dict[str, Tlp | None] = {
    "CLEAR": Tlp.CLEAR,
    "GREEN": Tlp.GREEN,
    "AMBER": Tlp.AMBER,
    "AMBER+STRICT": Tlp.AMBER_STRICT,
    "RED": Tlp.RED,
    UNMARKED: None,
}
LABELS = tuple(MARKINGS)


class Relation(StrEnum):
    """How a viewer stands to the objects of the matrix."""

    PRODUCER = "producer org"
    MEMBER = "member org"
    NAMED = "named RED recipient"
    CLIENT = "client of a member"
    NON_MEMBER = "non-member"


_ORG_OF = {
    Relation.PRODUCER: "producer",
    Relation.MEMBER: "member",
    Relation.NAMED: "member",
    Relation.CLIENT: "client",
    Relation.NON_MEMBER: "outsider",
}


@dataclass(frozen=True)
class Person:
    """One user of the world, with their relation to the matrix's objects."""

    username: str
    org: str
    role: Role
    relation: Relation

    def __str__(self) -> str:
        return f"{self.username} ({self.relation}, {self.role})"


def _username(relation: Relation, role: Role) -> str:
    suffix = "-named" if relation is Relation.NAMED else ""
    return f"{_ORG_OF[relation]}-{role}{suffix}"


PEOPLE: tuple[Person, ...] = tuple(
    Person(_username(relation, role), _ORG_OF[relation], role, relation)
    for relation in Relation
    for role in ROLES
)
PERSON = {p.username: p for p in PEOPLE}
NAMED_RECIPIENTS = tuple(p.username for p in PEOPLE if p.relation is Relation.NAMED)


# The handling rules, by hand.


def sees(person: Person, label: str) -> bool:
    """Tell whether the rules let a person see the matrix object with this label."""
    if person.role is Role.AUDITOR:
        return False
    marked = MARKINGS[label]
    tlp = Tlp.AMBER if marked is None else marked  # unmarked: the channel's default
    if person.relation is Relation.PRODUCER:
        return True
    if person.relation is Relation.NAMED:
        return True
    if person.relation is Relation.MEMBER:
        return tlp is not Tlp.RED
    if person.relation is Relation.CLIENT:
        # AMBER reaches the members' declared clients, and so does what is less restrictive.
        return tlp <= Tlp.AMBER
    return False


def knows_channel(person: Person) -> bool:
    """Tell whether a person may know of (and read) the channel ``matrix``."""
    return person.role is not Role.AUDITOR and person.relation is not Relation.NON_MEMBER


def may_post(person: Person) -> bool:
    """Tell whether a person may add objects to ``matrix`` (it reaches several orgs)."""
    return person.relation in (Relation.PRODUCER, Relation.MEMBER, Relation.NAMED) and (
        person.role in (Role.LIAISON, Role.NODE)
    )


# Objects.


def handling(tlp: Tlp | None, recipients: Sequence[str] = ()) -> dict[str, Any]:
    """Return the marking properties of an object: TLP 2.0 marking and RED recipients."""
    props: dict[str, Any] = {}
    if tlp is not None:
        props["object_marking_refs"] = [TLP2_IDS[tlp]]
    if recipients:
        props["extensions"] = {
            HANDLING_EXTENSION_ID: {
                "extension_type": "property-extension",
                "recipients": list(recipients),
            }
        }
    return props


def marked_indicator(
    n: int, tlp: Tlp | None, recipients: Sequence[str] = (), **extra: Any
) -> dict[str, Any]:
    """Return an indicator carrying a TLP marking (and RED recipients)."""
    return indicator(n, **handling(tlp, recipients), **extra)


def relationship(
    source: str, target: str, tlp: Tlp | None, recipients: Sequence[str] = ()
) -> dict[str, Any]:
    """Return a related-to relationship carrying a TLP marking."""
    return {
        "type": "relationship",
        "spec_version": "2.1",
        "id": stix_id("relationship"),
        "created": T0,
        "modified": T0,
        "relationship_type": "related-to",
        "source_ref": source,
        "target_ref": target,
        **handling(tlp, recipients),
    }


def report(refs: Sequence[str], tlp: Tlp | None, recipients: Sequence[str] = ()) -> dict[str, Any]:
    """Return a report of these objects carrying a TLP marking."""
    return {
        "type": "report",
        "spec_version": "2.1",
        "id": stix_id("report"),
        "created": T0,
        "modified": T0,
        "name": "Report on addresses",
        "published": T0,
        "report_types": ["threat-report"],
        "object_refs": list(refs),
        **handling(tlp, recipients),
    }


@dataclass
class AccessWorld:
    """The matrix world in a database: users' tokens, channels, objects and statuses."""

    database: Database
    tokens: dict[str, str] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    # label -> {"v1": body, "v2": body}
    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # organisation that posted -> status id
    statuses: dict[str, str] = field(default_factory=dict)
    status_successes: dict[str, set[str]] = field(default_factory=dict)

    @property
    def collection(self) -> str:
        """Return the TAXII collection id of ``matrix``."""
        return self.channels[CHANNEL].collection_id

    def id_of(self, label: str) -> str:
        """Return the STIX id of the matrix object with this label."""
        return str(self.objects[label]["v1"]["id"])

    def latest(self, label: str) -> dict[str, Any]:
        """Return the latest version of the matrix object with this label."""
        return self.objects[label]["v2"]

    def label_of(self, ident: str) -> str:
        """Return the label of a matrix object id ('?<id>' for anything else)."""
        for label in self.objects:
            if self.id_of(label) == ident:
                return label
        return f"?{ident}"

    def viewer(self, username: str) -> Viewer:
        """Return a user as a viewer."""
        with self.database.read() as conn:
            return directory.viewer_by_name(conn, username)

    def post(self, username: str, objects: Sequence[object]) -> IngestResult:
        """Store objects in ``matrix`` as a user (who must be entitled to)."""
        return ingest(
            self.database, NODE_HOOKS, self.viewer(username), self.channels[CHANNEL], objects
        )


def build(database: Database) -> AccessWorld:
    """Create the matrix world in an empty database."""
    world = AccessWorld(database)
    with database.write() as conn:
        for org in ("producer", "member", "client", "outsider"):
            directory.add_organisation(conn, org)
        directory.add_client(conn, "member", "client")
        for person in PEOPLE:
            world.tokens[person.username] = directory.add_user(
                conn, person.org, person.username, person.role
            )
        world.channels[CHANNEL] = directory.add_channel(
            conn,
            CHANNEL,
            [Membership("producer", True, True), Membership("member", True, True)],
            alias=CHANNEL,
        )
        world.channels[OWN_CHANNEL] = directory.add_channel(
            conn, OWN_CHANNEL, [Membership("outsider", True, True)], alias=OWN_CHANNEL
        )
    envelope: list[dict[str, Any]] = []
    for n, (label, tlp) in enumerate(MARKINGS.items()):
        ident = stix_id("indicator")
        recipients = NAMED_RECIPIENTS if tlp is Tlp.RED else ()
        world.objects[label] = {
            version: marked_indicator(n, tlp, recipients, modified=stamp, ident=ident)
            for version, stamp in VERSIONS.items()
        }
        envelope += world.objects[label].values()
    posted = world.post("producer-liaison", envelope)
    assert not posted.failures, posted.failures
    world.statuses["producer"] = posted.status_id
    world.status_successes["producer"] = {o["id"] for o in envelope}
    incomplete = {"type": "indicator", "id": f"indicator--{uuid.uuid4()}"}
    refused = world.post("member-liaison", [incomplete])
    assert refused.failures
    assert not refused.successes
    world.statuses["member"] = refused.status_id
    world.status_successes["member"] = set()
    return world


@dataclass
class Probe:
    """What a read path needs to ask as someone: the world, the app and the CLI."""

    world: AccessWorld
    client: TestClient
    database_url: str
    runner: CliRunner

    def taxii(self, person: Person | str) -> Taxii:
        """Return a TAXII client speaking as a person (or a username)."""
        name = person if isinstance(person, str) else person.username
        return Taxii(self.client, name, self.world.tokens[name])

    def objects_url(self, label: str | None = None) -> str:
        """Return the URL of the matrix's objects, or of one of them."""
        base = f"/collections/{self.world.collection}/objects/"
        return base if label is None else f"{base}{self.world.id_of(label)}/"


@contextmanager
def open_probe(database: Database, database_url: str) -> Iterator[Probe]:
    """Build the matrix world in an empty database and serve it in-process."""
    world = build(database)
    settings = Settings(db_url="unused://", max_content_length=200_000)
    with TestClient(create_app(settings, database)) as client:
        yield Probe(world, client, database_url, CliRunner())


# What a person observes on a read path, or is expected to: a short text per key.
Outcomes = dict[str, str]
ABSENT = "absent"


def differences(expected: Outcomes, got: Outcomes) -> list[str]:
    """List, key by key, where an observation departs from the expectation."""
    return [
        f"{key}: expected {expected.get(key, ABSENT)}, got {got.get(key, ABSENT)}"
        for key in sorted(expected.keys() | got.keys())
        if expected.get(key, ABSENT) != got.get(key, ABSENT)
    ]


def wrong_views(
    path: str,
    expect: Callable[[Person], Outcomes],
    observe: Callable[[Person], Outcomes],
    people: Sequence[Person] = PEOPLE,
) -> list[str]:
    """For each person, where what a read path shows departs from what the rules allow."""
    failures = []
    for person in people:
        wrong = differences(expect(person), observe(person))
        if wrong:
            failures.append(f"{path} as {person}:\n    " + "\n    ".join(wrong))
    return failures
