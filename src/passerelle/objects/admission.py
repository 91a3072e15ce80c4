"""Deciding what becomes of each object a writer sends: a version of the object it owns,
the very version of another's object shared onward, the writer's own copy, or a refusal.

The rules (see :mod:`passerelle.policy.ownership`):

- The organisation that stores an object first owns it; only it adds versions.
- A writer that can see another's object may place that very version in a channel,
  within its handling rules (:func:`passerelle.policy.actions.onward_refusal`) or as the
  producer's forwarding grant carried in it allows
  (:func:`passerelle.policy.forwarding.grant_covers`), and is told plainly when it may
  not: it knows the object exists.
- A cyber-observable, and any object the writer cannot see, becomes the writer's own
  copy. Whether someone else holds an object with that id never changes the answer.
- A marking the object refers to must be one the writer may see (or sends with it).
- A peer's node account writes its organisation's objects, or objects it forwards with
  their producer's grant (:mod:`passerelle.policy.forwarding`): those are kept as the
  producer's, so the forwarder can never add versions of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Connection, and_, not_, select

from passerelle.objects.candidates import Candidate
from passerelle.objects.latest import visible_ids
from passerelle.objects.rendering import same_as_stored
from passerelle.policy.actions import effective_tlp, onward_refusal
from passerelle.policy.directory import Channel
from passerelle.policy.forwarding import arrival, grant_covers, placed_by_others
from passerelle.policy.ownership import COPY_MARK, copy_version, owners_of
from passerelle.policy.roles import Role
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import visible_placement
from passerelle.stix.markings import HandlingCode
from passerelle.stix.organisations import organisation_identity_id
from passerelle.store.chunks import chunked, one_of
from passerelle.store.database import Database
from passerelle.store.schema import channel_objects, object_owners, objects, organisations

_STORED_COLUMNS: Final = (
    objects.c.stix_id,
    objects.c.version,
    objects.c.body,
    objects.c.producer_org_id,
    objects.c.handling_codes,
)
_STORED_VERSIONS: Final = select(*_STORED_COLUMNS).where(one_of(objects.c.stix_id, "ids"))


@dataclass(frozen=True)
class Stored:
    """What the store already holds for one version (or what this envelope adds)."""

    body: str
    producer_org_id: int
    handling_codes: int


class Admission:
    """The decisions for one envelope written by one viewer into one channel."""

    def __init__(
        self, conn: Connection, viewer: Viewer, channel: Channel, prepared: Sequence[Candidate]
    ) -> None:
        self._conn, self._viewer, self._channel = conn, viewer, channel
        ids = sorted({c.stix_id for c in prepared})
        self.stored = _stored_versions(conn, ids)
        # An object has an owner only once a version of it is stored: a fresh envelope
        # (the common case) asks nothing more.
        self._owners = owners_of(conn, {stix_id for stix_id, _version in self.stored})
        self._markings = _known_markings(conn, viewer, prepared)
        others = [i for i, org in self._owners.items() if org != viewer.org_id]
        self._seen = _owner_versions_seen(conn, viewer, others) if others else set()
        self._seen_ids = {stix_id for stix_id, _version in self._seen}
        # The objects this envelope stores first, and the organisation that then owns each.
        self.claimed: dict[str, int] = {}
        # Objects a node account forwards: the organisation that produced each.
        self.producers: dict[str, int] = {}
        self._authors: dict[int, str] = {}

    def producer_of(self, cand: Candidate) -> int:
        """Return the organisation a new version of the candidate is stored as produced by."""
        return self.producers.get(cand.stix_id, self._viewer.org_id)

    def decide(self, cand: Candidate) -> str:
        """Return why the candidate is refused ('' when it is admitted); an admitted one
        may be renamed to the writer's own copy (its ``version`` changes)."""
        unknown = [ref for ref in cand.handling.statement_refs if ref not in self._markings]
        if unknown:
            return f"unknown marking {unknown[0]}: post its marking-definition first"
        if self._viewer.role is Role.NODE:
            found = arrival(self._conn, self._viewer, self._channel.id, cand.handling,
                            cand.obj.get("created_by_ref"))  # fmt: skip
            if found.refusal:
                return found.refusal
            if found.producer_org_id != self._viewer.org_id:
                return self._forwarded(cand, found.producer_org_id)
        owner = self._owners.get(cand.stix_id)
        if owner is None:
            self._owners[cand.stix_id] = owner = self._viewer.org_id
            self.claimed[cand.stix_id] = owner
        if owner != self._viewer.org_id:
            if cand.observable or cand.stix_id not in self._seen_ids:
                cand.version = copy_version(cand.version, self._viewer.org_id)
            elif (cand.stix_id, cand.version) not in self._seen:
                # A version the writer cannot see answers like one that does not exist.
                return (
                    "only the organisation that produced this object adds versions of it; "
                    "to add to it, post an object of your own that refers to it "
                    "(a note, an opinion, a sighting, a relationship)"
                )
        known = self.stored.get((cand.stix_id, cand.version))
        if known is None:
            return ""
        if known.body != cand.body and not self._served_form(cand, known):
            return (
                "a different object with this id and version is already stored; "
                "a new version needs a later 'modified'"
            )
        if known.producer_org_id == self._viewer.org_id:
            return ""
        tlp = effective_tlp(self._conn, cand.stix_id, cand.version)
        grants = cand.handling.forwarding
        if grants and grant_covers(
            self._conn, self._viewer, self._channel.id, known.producer_org_id, (tlp, grants)
        ):
            return ""  # the producer's forwarding grant, carried in the version itself
        codes = HandlingCode(known.handling_codes)
        return onward_refusal(
            self._conn, self._viewer, self._channel, cand.stix_id, known.producer_org_id, tlp, codes
        )

    def _forwarded(self, cand: Candidate, producer: int) -> str:
        """Admit a version a node account forwards (its grant checked) as its producer's."""
        owner = self._owners.get(cand.stix_id)
        if owner is None:
            self._owners[cand.stix_id] = owner = producer
            self.claimed[cand.stix_id] = producer
        if owner != producer:
            return (
                "another organisation than the producer it names holds this object here: "
                "a forwarded object is stored only as its producer's"
            )
        self.producers[cand.stix_id] = producer
        known = self.stored.get((cand.stix_id, cand.version))
        if known is None and placed_by_others(self._conn, self._viewer, cand.stix_id):
            return (
                "this object reached this node otherwise than through this forwarder: only "
                "its producer's node adds versions of it here"
            )
        if known is not None and known.body != cand.body and not self._served_form(cand, known):
            return (
                "a different object with this id and version is already stored; "
                "a new version needs a later 'modified'"
            )
        return ""

    def _served_form(self, cand: Candidate, known: Stored) -> bool:
        """Tell whether the candidate is the stored version as the node serves it; it is
        then placed as that very version (its body is the stored one)."""
        author = self._authors.get(known.producer_org_id)
        if author is None:
            name = self._conn.execute(
                select(organisations.c.name).where(organisations.c.id == known.producer_org_id)
            ).scalar_one()
            author = self._authors[known.producer_org_id] = organisation_identity_id(name)
        if not same_as_stored(cand.body, known.body, author):
            return False
        cand.body = known.body
        return True

    def settle_claims(self, database: Database, now: int, admitted: Sequence[Candidate]) -> None:
        """Record the objects this writer stores first as its own; where another writer
        claimed one first meanwhile (another channel's transaction), keep ours as a copy."""
        claimed = sorted(set(self.claimed) & {c.stix_id for c in admitted})
        if not claimed:
            return
        rows = [(stix_id, self.claimed[stix_id], now) for stix_id in claimed]
        columns = ("stix_id", "org_id", "since")
        if database.writes_one_at_a_time:
            # Nobody else can have claimed them since this transaction read.
            database.insert_rows(self._conn, object_owners, columns, rows)
            return
        # Only an id another transaction claimed meanwhile is left out: read its owner.
        inserted = database.insert_new_rows(self._conn, object_owners, columns, rows, "stix_id")
        taken = set(claimed).difference(inserted)
        lost = {i for i, org in owners_of(self._conn, taken).items() if org != self.claimed[i]}
        for cand in admitted:
            if cand.stix_id in lost and COPY_MARK not in cand.version:
                cand.version = copy_version(cand.version, self._viewer.org_id)


def _stored_versions(conn: Connection, ids: Sequence[str]) -> dict[tuple[str, str], Stored]:
    if not ids:
        return {}
    return {
        (stix_id, version): Stored(body, producer, codes)
        for stix_id, version, body, producer, codes in conn.execute(_STORED_VERSIONS, {"ids": ids})
    }


def _owner_versions_seen(
    conn: Connection, viewer: Viewer, ids: Sequence[str]
) -> set[tuple[str, str]]:
    """Return the versions of these objects the viewer may see among their owners' own
    (not the copies others keep)."""
    placement = channel_objects.alias("owner_placement")
    found: set[tuple[str, str]] = set()
    for chunk in chunked(sorted(ids)):
        rows = conn.execute(
            select(placement.c.stix_id, placement.c.version)
            .where(
                placement.c.stix_id.in_(chunk),
                not_(placement.c.version.contains(COPY_MARK, autoescape=True)),
                visible_placement(viewer, placement),
            )
            .distinct()
        )
        found.update((row.stix_id, row.version) for row in rows)
    return found


def _known_markings(conn: Connection, viewer: Viewer, prepared: Sequence[Candidate]) -> set[str]:
    """The marking definitions the candidates may refer to: those they bring, and stored
    ones the writer may see (an unseen one answers like a missing one)."""
    wanted = sorted({ref for c in prepared for ref in c.handling.statement_refs})
    known = {c.stix_id for c in prepared if c.type == "marking-definition"}
    if wanted:
        stored = conn.execute(
            select(objects.c.stix_id)
            .where(and_(objects.c.stix_id.in_(wanted), objects.c.type == "marking-definition"))
            .distinct()
        ).scalars()
        known.update(visible_ids(conn, viewer, list(stored)))
    return known
