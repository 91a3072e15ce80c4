"""The correlation index: observable keys of every stored version.

Inside every ingest transaction (TAXII POST, CLI import, tip sharing), each newly stored
version gets one ``object_keys`` row per observable key it carries
(:data:`passerelle.keys.observables.CORRELATION_KINDS`: phones, e-mail addresses,
URLs, handles, domains, IP addresses and networks, file hashes). Keys are per version, so
a query can hold each version to its own handling rules. Resolved entities are not
indexed here: correlation reads ``entity_links`` at query time, so a link decided later
(or undone) counts at once.

The cost is bounded: workflow feedback (receipts, outcomes, hit reports) and objects with
nothing that could hold an observable are skipped before any parsing of their content,
and an object gives at most :data:`MAX_KEYS` keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import orjson
from sqlalchemy import Connection

from passerelle.keys.observables import (
    CORRELATION_KINDS,
    PHONE_PROPERTIES,
    TEXT_PROPERTIES,
    object_observable_keys,
)
from passerelle.objects.hooks import ObjectsStored
from passerelle.objects.queries import stored_version_batches
from passerelle.policy.regions import producer_regions, region_of
from passerelle.stix.markings import carries_feedback
from passerelle.store.database import Database
from passerelle.store.schema import object_keys

# Keys kept per version: enough for any real indicator or report, bounded for a hostile one.
MAX_KEYS: Final = 100
# Object types that never carry an observable value of their own.
_NO_OBSERVABLES: Final = frozenset(
    (
        "relationship",
        "marking-definition",
        "extension-definition",
        "language-content",
        "opinion",
    )
)
# Properties whose presence means an object may carry an observable.
_CARRIERS: Final = (
    b'"value"',
    b'"pattern"',
    b'"hashes"',
    b'"description"',
    b'"content"',
    b'"contact_information"',
    b'"abstract"',
    b'"explanation"',
    b'"account_login"',
    b'"x_phone',
    b'"phone_number"',
)
# The properties version_keys reads a key from (each is one of _CARRIERS): an object with
# none of them at its top level gives no key, unless it is an identity (its name is read).
_READ_CARRIERS: Final = frozenset(
    ("value", "pattern", "hashes", "account_login", *TEXT_PROPERTIES, *PHONE_PROPERTIES)
)
_REINDEX_BATCH: Final = 1000


def version_keys(obj: Mapping[str, Any], region: str) -> list[str]:
    """Return the correlation keys of one version, sorted, at most :data:`MAX_KEYS`."""
    if obj.get("type") in _NO_OBSERVABLES or ("extensions" in obj and carries_feedback(obj)):
        return []
    keys = sorted(object_observable_keys(obj, region, CORRELATION_KINDS))
    return keys if len(keys) <= MAX_KEYS else keys[:MAX_KEYS]


def _may_carry(body: str) -> bool:
    """Tell cheaply, from the JSON text, whether a version may hold an observable."""
    raw = body.encode()
    return any(marker in raw for marker in _CARRIERS)


def _only_name_may_carry(obj: Mapping[str, Any], body: str) -> bool:
    """:func:`_may_carry` of an object with none of :data:`_READ_CARRIERS`, where it matters.

    Such an object gives no key unless it is an identity with a name, and then the text
    alone tells whether it is looked at (a ``"description"`` in its external references,
    say, makes ``_may_carry`` hold).
    """
    return obj.get("type") == "identity" and isinstance(obj.get("name"), str) and _may_carry(body)


# The phone region of versions whose producer has one of its own.
_Regions = Mapping[tuple[str, str], str]


class CorrelationIndex:
    """Listener of object writes: indexes the versions new to the node, inside the write
    transaction."""

    def __init__(self, phone_region: str) -> None:
        self._region = phone_region

    def __call__(self, event: ObjectsStored) -> None:
        """Record the keys of the new versions."""
        if not event.new:
            return
        # A version new to the node is the writer's own: its numbers are read in the
        # writer's organisation's region (one lookup, not one per version).
        index_new_versions(
            event.database,
            event.conn,
            [(v.stix_id, v.version, v.body) for v in event.new],
            phone_region=region_of(event.conn, event.writer.org_id, self._region),
            parsed=[v.obj for v in event.new],
        )


def index_new_versions(
    database: Database,
    conn: Connection,
    versions: Sequence[tuple[str, str, str]],
    *,
    phone_region: str,
    parsed: Sequence[Mapping[str, Any]] | None = None,
    regions: _Regions | None = None,
) -> None:
    """Record the correlation keys of newly stored versions (stix_id, version, body JSON).

    ``parsed``, when given, holds the object of each version (same order), so that no body
    is parsed again; each body must be that object's JSON as the store writes it (property
    names as they are, not ``\\u`` escaped). Phone numbers are read in ``phone_region``,
    or for the versions in ``regions`` (their producer's, ``policy.regions``) in that one.
    """
    regions = regions or {}
    if not versions:
        return
    if parsed is None:
        rows = _rows_of_bodies(versions, phone_region, regions)
    else:
        rows = _rows_of_objects(versions, parsed, phone_region, regions)
    database.insert_rows(conn, object_keys, ("stix_id", "version", "key"), rows)


_KeyRow = tuple[str, str, str]


def _rows_of_bodies(
    versions: Sequence[tuple[str, str, str]], region: str, regions: _Regions
) -> list[_KeyRow]:
    """The ``object_keys`` rows of versions, read from their JSON."""
    rows: list[_KeyRow] = []
    for stix_id, version, body in versions:
        read_in = regions.get((stix_id, version), region)
        rows += [(stix_id, version, key) for key in body_keys(body, read_in)]
    return rows


def body_keys(body: str, region: str) -> list[str]:
    """Return the correlation keys of one stored version, from its JSON text.

    These are the keys the index holds for it (as long as the key rules and the node's
    phone region are those it was indexed under: ``passerelle reindex`` after a change).
    """
    if not _may_carry(body):
        return []
    obj = orjson.loads(body)
    return version_keys(obj, region) if isinstance(obj, dict) else []


def _rows_of_objects(
    versions: Sequence[tuple[str, str, str]],
    parsed: Sequence[Mapping[str, Any]],
    region: str,
    regions: _Regions,
) -> list[_KeyRow]:
    """The ``object_keys`` rows of versions, from their objects."""
    if len(parsed) != len(versions):
        raise ValueError(f"{len(parsed)} parsed objects for {len(versions)} versions")
    rows: list[_KeyRow] = []
    for (stix_id, version, body), obj in zip(versions, parsed, strict=True):
        # _may_carry(body) wherever it decides anything: a property version_keys reads, at
        # the top level, is in the JSON text, so _may_carry holds.
        if not _READ_CARRIERS.isdisjoint(obj) or _only_name_may_carry(obj, body):
            read_in = regions.get((stix_id, version), region)
            rows += [(stix_id, version, key) for key in version_keys(obj, read_in)]
    return rows


def reindex(
    database: Database,
    *,
    phone_region: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Index every stored version again (after a change of the key rules); return how many.

    Keys already recorded stay; each batch commits on its own, so the node keeps serving.
    """
    region = phone_region
    done = 0
    for batch in stored_version_batches(database, size=_REINDEX_BATCH):
        with database.write() as conn:
            pairs = [(row.stix_id, row.version) for row in batch]
            index_new_versions(
                database,
                conn,
                [(row.stix_id, row.version, row.body) for row in batch],
                phone_region=region,
                regions=producer_regions(conn, pairs),
            )
        done += len(batch)
        if progress is not None:
            progress(len(batch))
    return done
