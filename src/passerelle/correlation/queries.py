"""Correlation queries: which objects share an observable or a resolved entity with an
object (:func:`correlate`), and which carry a value a user typed (:func:`lookup`).

Objects correlate when versions of them carry related keys (see
:mod:`passerelle.correlation.index`): the same key, or an IP address and a network
holding it (:func:`passerelle.keys.observables.related_keys`), or links (status
``auto`` or ``accepted``) to the same resolved entity, as the asker may see them
(:mod:`passerelle.correlation.entities`).

Correlation never tells anyone more than they may see. Every query holds, in SQL and
before anything is counted or limited:

- the object asked about to the versions of it the viewer may see: its keys come only
  from those versions, and an object the viewer may not see answers exactly like one
  that does not exist;
- every correlated object to the versions of it the viewer may see: a key carried only
  by a version hidden from the viewer correlates nothing for them, and no count, total
  or "more" flag includes an object they may not see. Listings are ordered by STIX id,
  which says nothing about what is left out.

An object withheld from the viewer under H3 (:mod:`passerelle.policy.withholding`) shows
nothing of its content until they acknowledge its restriction: asked about, it answers
403 as TAXII does; listed, it is marked withheld, with no name and no matched key.

The name of a resolved entity is not shown (it may come from an object the viewer may not
see); a group names the entity by its id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, NamedTuple

import orjson
from pydantic import BaseModel, Field
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    exists,
    func,
    or_,
    select,
    union,
)

from passerelle.audit import log as audit
from passerelle.core.context import Context
from passerelle.core.operations import Operation, register
from passerelle.correlation.entities import (
    ENTITY,
    entity_matches,
    group_members,
    looked_up_group,
    own_entities,
)
from passerelle.correlation.index import body_keys
from passerelle.errors import BadInput, Forbidden, NotFound
from passerelle.keys.observables import (
    CORRELATION_KINDS,
    display_key,
    observable_key,
    related_keys,
)
from passerelle.policy.regions import producer_regions
from passerelle.policy.viewer import Viewer
from passerelle.policy.visibility import visible_placement
from passerelle.policy.withholding import withheld_seen
from passerelle.policy.workflow import require_worker
from passerelle.store.schema import channel_objects, channels, object_keys, objects

DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 200
MAX_SHOWN_NAME: Final = 200

Condition = tuple[list[str], list[tuple[str, str]]]


# Requests -------------------------------------------------------------------------------


class CorrelateRequest(BaseModel):
    """Correlate one object."""

    object_id: str = Field(description="STIX id of an object you may see.")
    limit: int = Field(
        default=DEFAULT_LIMIT,
        ge=1,
        le=MAX_LIMIT,
        description="At most this many objects listed per key (the count is exact).",
    )


class LookupRequest(BaseModel):
    """Look a value up."""

    value: str = Field(
        description="A phone number, e-mail address, URL, handle, domain, IP address or "
        "network, or file hash; prefix phone:, email:, url:, handle:, domain:, ip:, cidr:, "
        "md5:, sha1:, sha256:, sha512: or entity: to say which.",
        max_length=2000,
    )
    limit: int = Field(
        default=DEFAULT_LIMIT,
        ge=1,
        le=MAX_LIMIT,
        description="At most this many objects listed (the count is exact).",
    )


# Responses ------------------------------------------------------------------------------


class Correlated(BaseModel):
    """An object you may see that carries the key (or a related one)."""

    id: str
    type: str
    name: str = Field(description="Its name, value or pattern, in its newest version you see.")
    channels: list[str] = Field(description="The channels you see it in.")
    via: list[str] = Field(
        description="Its keys that matched (an address matches the networks holding it)."
    )
    withheld: bool = Field(
        default=False,
        description="Withheld until you acknowledge its H3 restriction: no name, no key.",
    )


class Group(BaseModel):
    """The objects correlated through one key."""

    key: str = Field(description="ip:10.0.0.1, cidr:10.0.0.0/24, phone:+33..., entity:...")
    count: int = Field(description="How many objects you may see correlate through it.")
    objects: list[Correlated] = Field(description="The first of them, by id.")
    more: bool = Field(description="More objects than listed correlate through it.")


class Correlation(BaseModel):
    """What correlates with an object, or carries a value."""

    object_id: str | None = Field(default=None, description="The object asked about.")
    object_type: str | None = None
    object_name: str | None = None
    value: str | None = Field(default=None, description="The key looked up.")
    keys: list[str] = Field(description="The keys asked about (the object's, as you see it).")
    total: int = Field(description="Distinct objects you may see that correlate.")
    groups: list[Group] = Field(description="One group per key with something correlated.")


# Visibility -----------------------------------------------------------------------------


def _visible_version(viewer: Viewer, stix_id: Any, version: Any) -> ColumnElement[bool]:
    placement = channel_objects.alias("key_placement")
    return exists().where(
        placement.c.stix_id == stix_id,
        placement.c.version == version,
        visible_placement(viewer, placement),
    )


def key_matching(column: Any, condition: Condition) -> ColumnElement[bool]:
    """Filter a column of keys on a condition: equal to one, or inside a range."""
    equal, ranges = condition
    clauses: list[ColumnElement[bool]] = [column.in_(equal)] if equal else []
    # Not BETWEEN: PostgreSQL cannot parse it with the collated parameters.
    clauses += [and_(column >= low, column <= high) for low, high in ranges]
    return or_(*clauses)


def _holds(key: str, condition: Condition) -> bool:
    equal, ranges = condition
    return key in equal or any(low <= key <= high for low, high in ranges)


# Matching objects, as SELECTs of stix_id already held to the viewer's sight -------------


def _key_matches(viewer: Viewer, condition: Condition, exclude: str | None) -> Select[Any]:
    query = select(object_keys.c.stix_id.label("stix_id")).where(
        key_matching(object_keys.c.key, condition),
        _visible_version(viewer, object_keys.c.stix_id, object_keys.c.version),
    )
    if exclude is not None:
        query = query.where(object_keys.c.stix_id != exclude)
    return query.distinct()


# Reading what is shown ------------------------------------------------------------------


def _visible_versions(conn: Connection, viewer: Viewer, ids: Sequence[str]) -> dict[str, Any]:
    """Return, per object, the versions and the channels the viewer sees it in."""
    placement = channel_objects.alias("shown_placement")
    rows = conn.execute(
        select(placement.c.stix_id, placement.c.version, placement.c.type, channels.c.title)
        .join(channels, channels.c.id == placement.c.channel_id)
        .where(placement.c.stix_id.in_(ids), visible_placement(viewer, placement))
    ).all()
    found: dict[str, Any] = {}
    for row in rows:
        entry = found.setdefault(row.stix_id, {"versions": set(), "channels": set(), "type": ""})
        entry["versions"].add(row.version)
        entry["channels"].add(row.title)
        entry["type"] = row.type
    return found


def _name_of(body: dict[str, Any]) -> str:
    for prop in ("name", "value", "pattern", "account_login", "abstract"):
        value = body.get(prop)
        if isinstance(value, str) and value:
            return value[:MAX_SHOWN_NAME]
    return ""


class _Described(NamedTuple):
    """What a listing shows of one object."""

    type: str
    name: str
    channels: list[str]
    via: dict[str, list[str]]  # group key -> the object's keys that matched it
    withheld: bool


def _describe(
    conn: Connection,
    viewer: Viewer,
    ids: Sequence[str],
    conditions: dict[str, Condition],
    region: str,
) -> dict[str, _Described]:
    """Return, per object: type, name (newest visible version), channels, and per group
    key the object's keys that matched it (from visible versions only); of an object
    withheld under H3, no name and no key."""
    if not ids:
        return {}
    seen = _visible_versions(conn, viewer, ids)
    withheld = withheld_seen(conn, viewer, seen)
    newest = {stix_id: max(entry["versions"]) for stix_id, entry in seen.items()}
    stored = conn.execute(
        select(objects.c.stix_id, objects.c.version, objects.c.body).where(
            objects.c.stix_id.in_(sorted(set(seen) - withheld))
        )
    ).all()
    bodies = {row.stix_id: row.body for row in stored if newest.get(row.stix_id) == row.version}
    carried: dict[str, set[str]] = {}
    if conditions:
        regions = producer_regions(conn, [(row.stix_id, row.version) for row in stored])
        for row in stored:
            if row.version in seen[row.stix_id]["versions"]:
                read_in = regions.get((row.stix_id, row.version), region)
                carried.setdefault(row.stix_id, set()).update(body_keys(row.body, read_in))
    described = {}
    for stix_id, entry in seen.items():
        body = orjson.loads(bodies[stix_id]) if stix_id in bodies else {}
        via = {
            group: sorted(display_key(k) for k in carried.get(stix_id, ()) if _holds(k, cond))
            for group, cond in conditions.items()
        }
        name = _name_of(body) if isinstance(body, dict) else ""
        described[stix_id] = _Described(
            entry["type"], name, sorted(entry["channels"]), via, stix_id in withheld
        )
    return described


def _groups(
    conn: Connection,
    viewer: Viewer,
    wanted: list[tuple[str, Select[Any], Condition | None]],
    limit: int,
    region: str,
) -> tuple[int, list[Group]]:
    """Count and list each group's matches; return the distinct total and the groups."""
    listed: list[tuple[str, int, list[str]]] = []
    for key, matches, _ in wanted:
        inner = matches.subquery()
        count = conn.execute(select(func.count()).select_from(inner)).scalar_one()
        first = select(inner.c.stix_id).order_by(inner.c.stix_id).limit(limit)
        listed.append((key, count, list(conn.execute(first).scalars())))
    total = 0
    if wanted:
        every = union(*(matches for _, matches, _ in wanted)).subquery()
        total = conn.execute(select(func.count()).select_from(every)).scalar_one()
    conditions = {key: cond for key, _, cond in wanted if cond is not None}
    shown_ids = sorted({i for _, _, ids in listed for i in ids})
    described = _describe(conn, viewer, shown_ids, conditions, region)
    groups = []
    for key, count, shown in listed:
        # an object taken out of its channels since it was counted is not listed
        members = [
            _correlated(stix_id, key, described[stix_id])
            for stix_id in shown
            if stix_id in described
        ]
        more = count > len(shown)
        groups.append(Group(key=display_key(key), count=count, objects=members, more=more))
    return total, groups


def _correlated(stix_id: str, key: str, seen: _Described) -> Correlated:
    via = seen.via.get(key) or ([display_key(key)] if key.startswith(ENTITY) else [])
    return Correlated(
        id=stix_id,
        type=seen.type,
        name=seen.name,
        channels=seen.channels,
        via=[] if seen.withheld else via,
        withheld=seen.withheld,
    )


# Operations -----------------------------------------------------------------------------


def _not_found(object_id: str) -> NotFound:
    """The one answer for an object that does not exist or that the viewer may not see."""
    return NotFound(f"no object {object_id.strip()[:120]!r}")


def _withheld(object_id: str) -> Forbidden:
    """The answer for an object whose H3 restriction the viewer has not acknowledged."""
    return Forbidden(
        f"{object_id} is withheld until you acknowledge its H3 restriction "
        f"(passerelle acknowledge {object_id}, or POST /api/acknowledgements)"
    )


def correlate(ctx: Context, request: CorrelateRequest) -> Correlation:
    """List the objects you may see that share an observable or an entity with an object."""
    viewer = ctx.viewer
    require_worker(viewer)
    object_id = request.object_id.strip()
    region = ctx.keys.phone_region
    with ctx.database.read() as conn:
        versions = _visible_versions(conn, viewer, [object_id]).get(object_id)
        if versions is None:
            raise _not_found(request.object_id)
        if withheld_seen(conn, viewer, [object_id]):
            raise _withheld(object_id)
        own_keys = _own_keys(conn, object_id, versions["versions"], region)
        entity_roots = own_entities(conn, viewer, object_id)
        wanted = _correlating(conn, viewer, object_id, own_keys, entity_roots)
        total, groups = _groups(conn, viewer, wanted, request.limit, region)
        body = conn.execute(
            select(objects.c.body).where(
                objects.c.stix_id == object_id,
                objects.c.version == max(versions["versions"]),
            )
        ).scalar_one()
    shown = [g for g in groups if g.count]
    audit.record_alone(
        ctx.database,
        viewer,
        "correlate",
        [object_id, *sorted({o.id for g in shown for o in g.objects})],
        {"total": total},
    )
    parsed = orjson.loads(body)
    return Correlation(
        object_id=object_id,
        object_type=versions["type"],
        object_name=_name_of(parsed) if isinstance(parsed, dict) else "",
        keys=[display_key(k) for k in own_keys] + [f"{ENTITY}:{e}" for e in entity_roots],
        total=total,
        groups=shown,
    )


def _own_keys(conn: Connection, object_id: str, versions: set[str], region: str) -> list[str]:
    """The keys of an object, from the versions of it the viewer may see only."""
    rows = conn.execute(
        select(objects.c.version, objects.c.body).where(
            objects.c.stix_id == object_id, objects.c.version.in_(sorted(versions))
        )
    ).all()
    regions = producer_regions(conn, [(object_id, row.version) for row in rows])
    return sorted(
        {
            key
            for row in rows
            for key in body_keys(row.body, regions.get((object_id, row.version), region))
        }
    )


def _correlating(
    conn: Connection, viewer: Viewer, object_id: str, own_keys: list[str], roots: list[str]
) -> list[tuple[str, Select[Any], Condition | None]]:
    """The groups of a correlation: per key and per entity group, the objects that match
    it (the object itself left out)."""
    wanted: list[tuple[str, Select[Any], Condition | None]] = []
    for key in own_keys:
        condition = related_keys(key)
        wanted.append((key, _key_matches(viewer, condition, object_id), condition))
    for root in roots:
        members = group_members(conn, viewer, root)
        wanted.append((f"{ENTITY}:{root}", entity_matches(viewer, members, object_id), None))
    return wanted


def lookup_key(value: str, region: str) -> str:
    """Classify and normalise a value typed for a look-up into its key."""
    text = value.strip()
    kind, sep, rest = text.partition(":")
    if sep and kind.lower() == ENTITY:
        if not rest.strip():
            raise BadInput("entity: needs an entity id")
        return f"{ENTITY}:{rest.strip()}"
    return observable_key(text, region, CORRELATION_KINDS)


def lookup(ctx: Context, request: LookupRequest) -> Correlation:
    """List the objects you may see that carry a value (or, for an address, a network
    holding it; for a network, the addresses and networks inside it)."""
    viewer = ctx.viewer
    require_worker(viewer)
    key = lookup_key(request.value, ctx.keys.phone_region)
    with ctx.database.read() as conn:
        wanted: list[tuple[str, Select[Any], Condition | None]]
        if key.startswith(f"{ENTITY}:"):
            root, members = looked_up_group(conn, viewer, key.partition(":")[2])
            key = f"{ENTITY}:{root}"
            wanted = [(key, entity_matches(viewer, members, None), None)]
        else:
            condition = related_keys(key)
            wanted = [(key, _key_matches(viewer, condition, None), condition)]
        total, groups = _groups(conn, viewer, wanted, request.limit, ctx.keys.phone_region)
    audit.record_alone(
        ctx.database,
        viewer,
        "lookup",
        sorted({o.id for g in groups for o in g.objects}),
        {"key": key, "total": total},
    )
    return Correlation(value=display_key(key), keys=[display_key(key)], total=total, groups=groups)


CORRELATE = register(
    Operation(
        "correlation.correlate",
        "GET",
        "/api/correlations/{object_id}",
        CorrelateRequest,
        correlate,
    )
)
LOOKUP = register(Operation("correlation.lookup", "GET", "/api/lookup", LookupRequest, lookup))


__all__ = [
    "CORRELATE",
    "DEFAULT_LIMIT",
    "LOOKUP",
    "MAX_LIMIT",
    "CorrelateRequest",
    "Correlated",
    "Correlation",
    "Group",
    "LookupRequest",
    "correlate",
    "lookup",
    "lookup_key",
]
