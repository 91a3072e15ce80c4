"""The subscription operations (subscribe, unsubscribe, list), as the REST API and the
command line reach them.

A user subscribes only themselves: every subscription is the caller's own, and its
notices say only what the caller may be told (:mod:`passerelle.policy.notices`).
Auditors take no part in the workflow, so they are told of none of it. Every operation
goes to the audit log, with the kind and where notices go (a webhook's address without
its path or query, never its secret).
"""

from __future__ import annotations

import re
import urllib.parse

from sqlalchemy import and_, delete, select

from passerelle.audit import log as audit
from passerelle.core.context import Context, stamp
from passerelle.core.operations import Operation, register
from passerelle.errors import BadInput, Conflict, NotFound
from passerelle.notify.kinds import Via
from passerelle.notify.models import (
    ListSubscriptions,
    Subscribe,
    Subscription,
    Unsubscribe,
    Unsubscribed,
)
from passerelle.notify.queue import counts_by_state, drop_notices
from passerelle.policy.workflow import require_worker
from passerelle.store.notify_tables import notify_subscriptions

_MAILBOX = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+")


def _target(email: str | None, webhook: str | None) -> tuple[Via, str]:
    """Return (via, address) of the one destination named, checked."""
    email = (email or "").strip()
    webhook = (webhook or "").strip()
    if bool(email) == bool(webhook):
        raise BadInput("say where notices go: exactly one of --email ADDRESS or --webhook URL")
    if email:
        if not _MAILBOX.fullmatch(email):
            raise BadInput(f"not an e-mail address: {email[:80]!r}")
        return "email", email
    parts = urllib.parse.urlsplit(webhook)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadInput(f"not a webhook URL: {webhook[:80]!r} (say https://HOST/PATH)")
    return "webhook", webhook


def _shown(via: str, address: str) -> str:
    """What the audit log keeps of a destination: a webhook's scheme and host only."""
    if via == "email":
        return address
    parts = urllib.parse.urlsplit(address)
    return f"{parts.scheme}://{parts.hostname}"


def subscribe(ctx: Context, request: Subscribe) -> Subscription:
    """Be told of one kind of event, by e-mail or by a webhook signed with your secret."""
    viewer = ctx.viewer
    require_worker(viewer)
    via, address = _target(request.email, request.webhook)
    secret = (request.secret or "").strip()
    if via == "webhook" and len(secret) < 16:
        raise BadInput("a webhook needs a secret of at least 16 characters (--secret-file)")
    if via == "email" and secret:
        raise BadInput("a secret signs webhooks; an e-mail subscription takes none")
    now = ctx.now()
    with ctx.database.write() as conn:
        clash = conn.execute(
            select(notify_subscriptions.c.id).where(
                notify_subscriptions.c.user_id == viewer.user_id,
                notify_subscriptions.c.kind == request.kind,
                notify_subscriptions.c.via == via,
                notify_subscriptions.c.address == address,
            )
        ).first()
        if clash:
            raise Conflict(f"you are already told of {request.kind} at {_shown(via, address)}")
        conn.execute(
            notify_subscriptions.insert().values(
                user_id=viewer.user_id,
                kind=request.kind,
                via=via,
                address=address,
                secret=secret,
                created=now,
            )
        )
        detail = {"kind": request.kind, "via": via, "to": _shown(via, address)}
        audit.record(ctx.database, conn, viewer, "notify-subscribe", [], detail)
    return Subscription(
        kind=request.kind,
        via=via,
        address=address,
        created=stamp(now) or "",
        pending=0,
        delivered=0,
        failed=0,
    )


def unsubscribe(ctx: Context, request: Unsubscribe) -> Unsubscribed:
    """Stop being told of a kind of event (at one address, or at all of them); the notices
    still waiting are dropped."""
    viewer = ctx.viewer
    require_worker(viewer)
    mine = and_(
        notify_subscriptions.c.user_id == viewer.user_id,
        notify_subscriptions.c.kind == request.kind,
    )
    if request.email or request.webhook:
        via, address = _target(request.email, request.webhook)
        mine = and_(mine, notify_subscriptions.c.via == via)
        mine = and_(mine, notify_subscriptions.c.address == address)
    with ctx.database.write() as conn:
        found = conn.execute(select(notify_subscriptions.c.id).where(mine)).scalars().all()
        if not found:
            raise NotFound(f"you are not told of {request.kind} there")
        dropped = sum(drop_notices(conn, subscription) for subscription in found)
        conn.execute(delete(notify_subscriptions).where(notify_subscriptions.c.id.in_(found)))
        detail = {"kind": request.kind, "removed": len(found), "dropped": dropped}
        audit.record(ctx.database, conn, viewer, "notify-unsubscribe", [], detail)
    return Unsubscribed(removed=len(found), dropped=dropped)


def list_subscriptions(ctx: Context, request: ListSubscriptions) -> list[Subscription]:
    """List your subscriptions and how their notices stand (never a webhook's secret)."""
    viewer = ctx.viewer
    require_worker(viewer)
    query = (
        select(notify_subscriptions)
        .where(notify_subscriptions.c.user_id == viewer.user_id)
        .order_by(notify_subscriptions.c.kind, notify_subscriptions.c.id)
    )
    found = []
    with ctx.database.write() as conn:
        for row in conn.execute(query).all():
            counts = counts_by_state(conn, row.id)
            found.append(
                Subscription(
                    kind=row.kind,
                    via=row.via,
                    address=row.address,
                    created=stamp(row.created) or "",
                    pending=counts.get("pending", 0) + counts.get("sending", 0),
                    delivered=counts.get("delivered", 0),
                    failed=counts.get("failed", 0),
                )
            )
        audit.record(ctx.database, conn, viewer, "notify-list", [], {"found": len(found)})
    return found


_PATH = "/api/notifications/subscriptions"
SUBSCRIBE = register(Operation("notify.subscribe", "POST", _PATH, Subscribe, subscribe))
UNSUBSCRIBE = register(
    Operation("notify.unsubscribe", "POST", _PATH + "/remove", Unsubscribe, unsubscribe)
)
LIST = register(Operation("notify.list", "GET", _PATH, ListSubscriptions, list_subscriptions))
