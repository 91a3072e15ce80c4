"""Federated look-ups, the far node's side: a peer asks whether this node holds an
observable or a resolved name that the asking organisation may know exists, and hears hit
or no-hit, the holding organisations and an RFI to send them; never the content.

Asked at ``POST /api/federation/lookups`` by a peer node's account, for the organisation
it speaks for (its own; :func:`passerelle.policy.lookups.asking_organisation`). The answer
is decided for that organisation as a whole, with the same rule as every read
(:func:`passerelle.correlation.value_holders`, :func:`passerelle.correlation.entity_holders`):
an object it may not see, whatever the reason (TLP:RED, AMBER+STRICT in a channel it does
not read, H2 kept from onward sharing), holds nothing for it, so that no-hit is the very
answer of a value this node never heard of. A name is resolved as ``passerelle resolve``
does, across scripts and spellings; only entities it matches (score >= the automatic
link's) count. An organisation this node refuses look-ups from hears ``refused``.

Every look-up is in this node's audit log (action ``federated-lookup``): the node account,
the asking organisation, the purpose, the value, the answer and the holders.
"""

from __future__ import annotations

import dataclasses
from typing import Final, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, delete, select

from passerelle.audit import log as audit
from passerelle.core.context import Context
from passerelle.core.operations import Operation, register
from passerelle.correlation import entity_holders, queries, value_holders
from passerelle.errors import BadInput, NotFound
from passerelle.policy.directory import find_organisation
from passerelle.policy.lookups import asking_organisation, lookups_refused
from passerelle.policy.naming import name_key
from passerelle.policy.viewer import Viewer
from passerelle.resolution import entities
from passerelle.store.federation_tables import federation_lookup_refusals
from passerelle.store.schema import organisations

Answer = Literal["hit", "no-hit", "refused"]
LOOKED_UP: Final = "federated-lookup"
MAX_PURPOSE: Final = 2000
# Prefixes that say a value is an observable of that kind (a bad one is an error, never a
# name); ``name:`` says it is a name.
_TYPED: Final = frozenset(
    {"phone", "tel", "email", "url", "handle", "domain", "ip", "cidr"}
    | {"md5", "sha1", "sha256", "sha512"}
)
_NAME: Final = "name"


class FederatedLookup(BaseModel):
    """A peer's question: does this node hold something carrying this value?"""

    value: str = Field(
        max_length=2000,
        description="An observable (as for GET /api/lookup, without entity:) or a name in "
        "any script or spelling; prefix name: to say it is a name.",
    )
    asking_org: str = Field(
        max_length=200, description="The asking organisation: the one your account speaks for."
    )
    purpose: str = Field(
        max_length=MAX_PURPOSE, description="Why it is asked (required; audited on both nodes)."
    )


class SuggestedRfi(BaseModel):
    """An RFI the asker may send to learn more."""

    to: str = Field(description="The holding organisation.")
    purpose: str = Field(description="A question to start from.")


class FederatedAnswer(BaseModel):
    """Hit or no-hit, who holds it and whom to ask; never what is held, nor how much."""

    answer: Answer
    holders: list[str] = Field(description="The organisations holding it, by name.")
    suggested_rfis: list[SuggestedRfi] = Field(
        description="One RFI per holder other than the asker."
    )


def federated_lookup(ctx: Context, request: FederatedLookup) -> FederatedAnswer:
    """Answer a peer's federated look-up: hit or no-hit, with the holding organisations
    and a suggested RFI, for what the asking organisation may know exists here."""
    purpose = request.purpose.strip()
    if not purpose:
        raise BadInput("a federated look-up needs a purpose: say why it is asked")
    asker = dataclasses.replace(
        asking_organisation(ctx.viewer, request.asking_org), purpose=purpose
    )
    with ctx.database.read() as conn:
        refused = lookups_refused(conn, asker.org_id)
    if refused:
        found = FederatedAnswer(answer="refused", holders=[], suggested_rfis=[])
        kind = "refused"
    else:
        kind, holders = _holders(ctx, asker, request.value)
        own = name_key(asker.org_name)
        found = FederatedAnswer(
            answer="hit" if holders else "no-hit",
            holders=holders,
            suggested_rfis=[
                _suggested(holder, request.value) for holder in holders if name_key(holder) != own
            ],
        )
    detail = {"asking_org": asker.org_name, "value": audit.printable(request.value, 200),
              "kind": kind, "answer": found.answer, "holders": found.holders}  # fmt: skip
    account = dataclasses.replace(ctx.viewer, purpose=purpose[:200])
    audit.record_alone(ctx.database, account, LOOKED_UP, [], detail)
    return found


def _holders(ctx: Context, asker: Viewer, value: str) -> tuple[str, list[str]]:
    """Say whether the value is read as an observable or a name, and who holds it."""
    text = value.strip()
    prefix, sep, rest = text.partition(":")
    if sep and prefix.lower() == "entity":
        raise BadInput("an entity id is its node's own: give the entity's name (name:...)")
    if sep and prefix.lower() == _NAME:
        return _NAME, _name_holders(ctx, asker, rest)
    try:
        key = queries.lookup_key(text, ctx.keys.phone_region)
    except BadInput:
        if sep and prefix.lower() in _TYPED:
            raise
        return _NAME, _name_holders(ctx, asker, text)
    with ctx.database.read() as conn:
        return "observable", value_holders(conn, asker, key)


def _name_holders(ctx: Context, asker: Viewer, name: str) -> list[str]:
    """The holders of the objects linked to the entities a name matches, as the asking
    organisation may know them."""
    request = entities.Resolve(name=name, limit=entities.MAX_RESULTS)
    found = entities.resolve(ctx.for_viewer(asker), request)
    roots = [candidate.entity_id for candidate in found if candidate.decision == "match"]
    with ctx.database.read() as conn:
        return entity_holders(conn, asker, roots)


def _suggested(holder: str, value: str) -> SuggestedRfi:
    shown = audit.printable(value.strip(), 200)
    return SuggestedRfi(
        to=holder,
        purpose=f"A federated look-up for {shown!r} hit on your holdings: what do you hold "
        "on it, and may you share it with us?",
    )


LOOKUP = register(
    Operation(
        "federation.lookup",
        "POST",
        "/api/federation/lookups",
        FederatedLookup,
        federated_lookup,
    )
)


# The administrator's decision: organisations whose look-ups this node refuses -----------


def refuse_lookups(conn: Connection, org_name: str, reason: str, now: int) -> None:
    """Refuse federated look-ups from an organisation's node accounts (again: the reason
    is updated)."""
    org = find_organisation(conn, org_name)
    conn.execute(delete(federation_lookup_refusals).where(
        federation_lookup_refusals.c.org_id == org.id))  # fmt: skip
    conn.execute(
        federation_lookup_refusals.insert().values(
            org_id=org.id, created=now, reason=reason.strip()[:500]
        )
    )


def allow_lookups(conn: Connection, org_name: str) -> None:
    """Answer federated look-ups from an organisation again."""
    org = find_organisation(conn, org_name)
    done = conn.execute(
        delete(federation_lookup_refusals).where(federation_lookup_refusals.c.org_id == org.id)
    )
    if done.rowcount == 0:
        raise NotFound(f"look-ups from {org.name!r} are not refused")


def lookup_refusals(conn: Connection) -> list[tuple[str, int, str]]:
    """Return the organisations whose look-ups are refused: name, since when, why."""
    rows = conn.execute(
        select(organisations.c.name, federation_lookup_refusals.c.created,
               federation_lookup_refusals.c.reason)
        .join(organisations, organisations.c.id == federation_lookup_refusals.c.org_id)
        .order_by(organisations.c.name)
    )  # fmt: skip
    return [(row.name, row.created, row.reason) for row in rows]
