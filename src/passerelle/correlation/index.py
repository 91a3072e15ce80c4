"""The correlation index: observable keys of every stored version.

Inside every ingest transaction (TAXII POST, CLI import, tip sharing), each newly stored
version gets one ``object_keys`` row per observable key it carries
(:data:`passerelle.exchange.observables.CORRELATION_KINDS`: phones, e-mail addresses,
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

from passerelle.exchange.observables import (
    CORRELATION_KINDS,
    node_phone_region,
    object_observable_keys,
)
from passerelle.stix.markings import HANDLING_EXTENSION_ID
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
_REINDEX_BATCH: Final = 1000


def version_keys(obj: Mapping[str, Any], region: str) -> list[str]:
    """Return the correlation keys of one version, sorted, at most :data:`MAX_KEYS`."""
    if obj.get("type") in _NO_OBSERVABLES or _is_feedback(obj):
        return []
    keys = object_observable_keys(obj, region, CORRELATION_KINDS)
    return sorted(keys)[:MAX_KEYS]


def _is_feedback(obj: Mapping[str, Any]) -> bool:
    extensions = obj.get("extensions")
    if not isinstance(extensions, dict):
        return False
    handling = extensions.get(HANDLING_EXTENSION_ID)
    return isinstance(handling, dict) and "feedback" in handling


def _may_carry(body: str) -> bool:
    """Tell cheaply, from the JSON text, whether a version may hold an observable."""
    raw = body.encode()
    return any(marker in raw for marker in _CARRIERS)


def index_new_versions(
    database: Database,
    conn: Connection,
    versions: Sequence[tuple[str, str, str]],
    *,
    phone_region: str | None = None,
) -> None:
    """Record the correlation keys of newly stored versions (stix_id, version, body JSON)."""
    if not versions:
        return
    region = phone_region or node_phone_region()
    rows: list[dict[str, Any]] = []
    for stix_id, version, body in versions:
        if not _may_carry(body):
            continue
        obj = orjson.loads(body)
        if not isinstance(obj, dict):
            continue
        rows += [
            {"stix_id": stix_id, "version": version, "key": key}
            for key in version_keys(obj, region)
        ]
    if rows:
        database.insert_ignoring_duplicates(conn, object_keys, rows)


def reindex(
    database: Database,
    *,
    phone_region: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Index every stored version again (after a change of the key rules); return how many.

    Keys already recorded stay; each batch commits on its own, so the node keeps serving.
    """
    from passerelle.store.queries import stored_version_batches

    region = phone_region or node_phone_region()
    done = 0
    for batch in stored_version_batches(database, size=_REINDEX_BATCH):
        with database.write() as conn:
            index_new_versions(
                database,
                conn,
                [(row.stix_id, row.version, row.body) for row in batch],
                phone_region=region,
            )
        done += len(batch)
        if progress is not None:
            progress(len(batch))
    return done
