"""Recording watch hits inside the write transaction that stores the matching versions.

A hit is recorded only if the matching version is visible to the watch's owner, and only
if it is new to them: a version they could already see (the tip's own objects when the
watch was made, an object shared again into another channel) is not new information.
Workflow feedback (receipts, outcomes, hit reports: objects carrying Passerelle's
``feedback`` extension member) never hits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Connection, select

from passerelle.exchange.watches.keys import NAME, REF, object_keys
from passerelle.exchange.watches.statements import HIT_IDS, WATCHED_KINDS, WATCHES_ON
from passerelle.keys.observables import PHONE
from passerelle.keys.rules import KeyRules
from passerelle.objects.hooks import ObjectsStored
from passerelle.objects.latest import readable_version_batches
from passerelle.policy.directory import viewer_by_name
from passerelle.policy.regions import producer_regions
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import visible_placement
from passerelle.stix.markings import carries_feedback
from passerelle.store.chunks import chunked
from passerelle.store.database import Database
from passerelle.store.schema import channel_objects, watch_hits

# (watch id, stix id, version) of a hit, and the watch keys the version carried.
_Candidates = dict[tuple[str, str, str], list[str]]


def watched_kinds(conn: Connection) -> frozenset[str]:
    """Return the kinds of keys that some watch holds: one query of index look-ups."""
    return frozenset(WATCHED_KINDS.scalars(conn))


class WatchHits:
    """Listener of object writes: records the hits of the versions placed, inside the
    write transaction."""

    def __init__(self, rules: KeyRules) -> None:
        self._rules = rules

    def __call__(self, event: ObjectsStored) -> None:
        """Record the hits of every version the write placed."""
        record_hits(
            event.database,
            event.conn,
            [(v.stix_id, v.version, v.body) for v in event.placed],
            event.now,
            self._rules,
            placement=(event.channel_id, *event.date_added),
            parsed=[v.obj for v in event.placed],
        )


def record_hits(
    database: Database,
    conn: Connection,
    placed: Sequence[tuple[str, str, str]],
    now: int,
    rules: KeyRules,
    *,
    placement: tuple[int, int, int] | None = None,
    parsed: Sequence[Mapping[str, Any]] | None = None,
) -> list[int]:
    """Record the hits of object versions just stored; return the new hits' ids.

    ``placed`` holds (stix_id, version, body) of the versions placed in this transaction;
    ``parsed``, when given, the same objects already parsed, in the same order (their
    bodies are then not parsed again); ``placement`` the (channel id, first and last
    date_added) of those placements, so that a version the owner could already see elsewhere is not
    taken for new information (without it, any version visible to the owner hits).
    Costs one query of index look-ups when no watch holds keys of a kind the objects carry.
    """
    if not placed:
        return []
    if parsed is not None and len(parsed) != len(placed):
        raise ValueError(f"{len(parsed)} parsed objects for {len(placed)} placed versions")
    kinds = watched_kinds(conn)
    if not kinds:
        return []
    keyed = _keyed(conn, placed, parsed, rules, kinds)
    watching = _watches_on(conn, {key for keys in keyed.values() for key in keys}, now)
    if not watching:
        return []
    candidates: _Candidates = {}
    for (stix_id, version), keys in keyed.items():
        for key in sorted(keys):
            for watch in watching.get(key, ()):
                candidates.setdefault((watch.id, stix_id, version), []).append(key)
    about = {watch.id: watch for found in watching.values() for watch in found}
    fresh = _fresh_per_owner(conn, candidates, about, placement)
    rows = [
        _hit_row(about[watch_id], stix_id, version, matched, now)
        for (watch_id, stix_id, version), matched in candidates.items()
        if (stix_id, version) in fresh[about[watch_id].owner_name]
    ]
    return _insert_hits(database, conn, rows)


class _Watched(NamedTuple):
    """The parts of a watch a hit row needs."""

    id: str
    source_tip_id: str | None


def record_look_back(
    database: Database,
    conn: Connection,
    watch_id: str,
    owner: Viewer,
    keys: set[str],
    rules: KeyRules,
    now: int,
    subject_id: str | None = None,
) -> list[int]:
    """Record as hits of a new watch the stored versions its owner may read that match it
    (the watched object itself aside; H3 content they have not acknowledged is not read);
    return the new hits' ids.

    The same matcher as at ingest, over every version the owner may see: a watch reports
    what is already known, then what arrives. Nothing goes to a partner: these objects
    were there before the watch.
    """
    kinds = frozenset(key.split(":", 1)[0] for key in keys)
    watched = _Watched(watch_id, None)
    rows = []
    for batch in readable_version_batches(conn, owner):
        placed = [(r.stix_id, r.version, r.body) for r in batch if r.stix_id != subject_id]
        for (stix_id, version), found in _keyed(conn, placed, None, rules, kinds).items():
            matched = sorted(found & keys)
            if matched:
                rows.append(_hit_row(watched, stix_id, version, matched, now))
    return _insert_hits(database, conn, rows)


def _keyed(
    conn: Connection,
    placed: Sequence[tuple[str, str, str]],
    parsed: Sequence[Mapping[str, Any]] | None,
    rules: KeyRules,
    kinds: frozenset[str],
) -> dict[tuple[str, str], set[str]]:
    """Return the keys of the kinds some watch holds, per placed version that carries any;
    phone numbers are read in the region of the version's producer organisation."""
    keyed: dict[tuple[str, str], set[str]] = {}
    regions = producer_regions(conn, [(s, v) for s, v, _body in placed]) if PHONE in kinds else {}
    for index, (stix_id, version, body) in enumerate(placed):
        obj = orjson.loads(body) if parsed is None else parsed[index]
        if not isinstance(obj, Mapping) or carries_feedback(obj):
            continue
        region = regions.get((stix_id, version))
        read_by = rules if region is None else replace(rules, phone_region=region)
        keys = object_keys(obj, read_by, kinds)
        if keys:
            keyed[(stix_id, version)] = keys
    return keyed


def _fresh_per_owner(
    conn: Connection,
    candidates: _Candidates,
    about: Mapping[str, Any],
    placement: tuple[int, int, int] | None,
) -> dict[str, set[tuple[str, str]]]:
    """Return, per watch owner, the candidate versions that are new to them."""
    # One visibility query per owner, not per candidate: a flood of matching objects
    # stays cheap.
    per_owner: dict[str, set[tuple[str, str]]] = {}
    for watch_id, stix_id, version in candidates:
        per_owner.setdefault(about[watch_id].owner_name, set()).add((stix_id, version))
    return {
        owner: _new_to(conn, viewer_by_name(conn, owner), versions, placement)
        for owner, versions in per_owner.items()
    }


def _hit_row(
    watch: Any, stix_id: str, version: str, matched: list[str], now: int
) -> dict[str, Any]:
    return {
        "watch_id": watch.id,
        "stix_id": stix_id,
        "version": version,
        "matched": " ".join(_by_kind(matched)),
        "at": now,
        "report_state": "pending" if watch.source_tip_id else "none",
        "report_id": None,
        "report_reason": "",
    }


def _by_kind(keys: list[str]) -> list[str]:
    order = {REF: 0, "phone": 1, "email": 2, "handle": 3, "url": 4, NAME: 5}
    return sorted(keys, key=lambda key: (order.get(key.split(":", 1)[0], 9), key))


def _watches_on(conn: Connection, keys: set[str], now: int) -> dict[str, list[Any]]:
    """Return the running watches holding each key, through the key index."""
    found: dict[str, list[Any]] = {}
    ordered = sorted(keys)
    for chunk in chunked(ordered):
        for row in conn.execute(WATCHES_ON, {"keys": chunk, "now": now}):
            found.setdefault(row.key, []).append(row)
    return found


def _new_to(
    conn: Connection,
    owner: Viewer,
    versions: set[tuple[str, str]],
    placement: tuple[int, int, int] | None,
) -> set[tuple[str, str]]:
    """Return the versions the owner may see now and could not see before this store."""
    seen = channel_objects.alias("seen_placement")
    visible = select(seen.c.stix_id, seen.c.version, seen.c.channel_id, seen.c.date_added).where(
        visible_placement(owner, seen)
    )
    ids = sorted({stix_id for stix_id, _version in versions})
    now_seen: set[tuple[str, str]] = set()
    seen_before: set[tuple[str, str]] = set()
    for chunk in chunked(ids):
        for row in conn.execute(visible.where(seen.c.stix_id.in_(chunk))):
            pair = (row.stix_id, row.version)
            if pair not in versions:
                continue
            now_seen.add(pair)
            if placement is not None and not _placed_now(row, placement):
                seen_before.add(pair)
    return now_seen - seen_before


def _insert_hits(database: Database, conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the hits not recorded yet (a concurrent twin is ignored); return their ids."""
    if not rows:
        return []
    wanted = [(row["watch_id"], row["stix_id"], row["version"]) for row in rows]
    known = _hit_ids(conn, wanted)
    fresh = [row for row, triple in zip(rows, wanted, strict=True) if triple not in known]
    database.insert_ignoring_duplicates(conn, watch_hits, fresh)
    made = _hit_ids(conn, [t for t in wanted if t not in known])
    return sorted(made.values())


def _hit_ids(conn: Connection, triples: Sequence[tuple[str, str, str]]) -> dict[Any, int]:
    """Return the ids of the stored hits among (watch id, stix id, version) triples."""
    wanted = set(triples)
    watch_ids = sorted({t[0] for t in wanted})
    stix_ids = sorted({t[1] for t in wanted})
    found: dict[Any, int] = {}
    for chunk in chunked(stix_ids):
        for row in conn.execute(HIT_IDS, {"watch_ids": watch_ids, "stix_ids": chunk}):
            triple = (row.watch_id, row.stix_id, row.version)
            if triple in wanted:
                found[triple] = row.id
    return found


def _placed_now(row: Any, placement: tuple[int, int, int]) -> bool:
    """Tell whether a placement row is one the current write made."""
    channel_id, first, last = placement
    return bool(row.channel_id == channel_id and first <= row.date_added <= last)
