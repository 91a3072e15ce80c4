"""Where the command line reaches each operation, known without importing the feature that
runs it: a command with ``--url`` then starts without SQLAlchemy, FastAPI or numpy.

Each operation names its method and path in its feature's ``register`` call; this table
repeats them for the command line alone, and ``tests/cli/test_startup.py`` checks that the
two agree for every registered operation, so they cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_TIPS = "passerelle.exchange.tips"
_RFIS = "passerelle.exchange.rfis"
_WATCHES = "passerelle.exchange.watches"
_ENTITIES = "passerelle.resolution.entities"
_CORRELATION = "passerelle.correlation"
_DRAFTS = "passerelle.intake.review"
_ADMIN = "passerelle.admin.operations"
_NOTIFY = "passerelle.notify.operations"
_SUBSCRIPTIONS = "/api/notifications/subscriptions"
_ORG = "/api/admin/organisation"
_USER = "/api/admin/users/{username}"
_CHANNEL = "/api/admin/channels/{channel}"


@dataclass(frozen=True)
class Endpoint:
    """An operation's HTTP method and path, and the module that registers it."""

    method: Literal["GET", "POST"]
    path: str
    module: str

    @property
    def path_fields(self) -> list[str]:
        """Return the request fields that the path carries (``{tip_id}``)."""
        return re.findall(r"{(\w+)}", self.path)


_DRAFT = "/api/intake/drafts/{draft_id}"
_ELEMENT = _DRAFT + "/elements/{element}"

ENDPOINTS: dict[str, Endpoint] = {
    "tips.share": Endpoint("POST", "/api/tips", _TIPS),
    "tips.inbox": Endpoint("GET", "/api/tips/inbox", _TIPS),
    "tips.sent": Endpoint("GET", "/api/tips/sent", _TIPS),
    "tips.overdue": Endpoint("GET", "/api/tips/overdue", _TIPS),
    "tips.show": Endpoint("GET", "/api/tips/{tip_id}", _TIPS),
    "tips.ack": Endpoint("POST", "/api/tips/{tip_id}/ack", _TIPS),
    "tips.investigate": Endpoint("POST", "/api/tips/{tip_id}/investigate", _TIPS),
    "tips.close": Endpoint("POST", "/api/tips/{tip_id}/close", _TIPS),
    "rfi.send": Endpoint("POST", "/api/rfis", _RFIS),
    "rfi.list": Endpoint("GET", "/api/rfis", _RFIS),
    "rfi.show": Endpoint("GET", "/api/rfis/{rfi_id}", _RFIS),
    "rfi.answer": Endpoint("POST", "/api/rfis/{rfi_id}/answer", _RFIS),
    "rfi.refuse": Endpoint("POST", "/api/rfis/{rfi_id}/refuse", _RFIS),
    "watch.add": Endpoint("POST", "/api/watches", _WATCHES),
    "watch.list": Endpoint("GET", "/api/watches", _WATCHES),
    "watch.hits": Endpoint("GET", "/api/watch-hits", _WATCHES),
    "watch.show": Endpoint("GET", "/api/watches/{watch_id}", _WATCHES),
    "watch.end": Endpoint("POST", "/api/watches/{watch_id}/end", _WATCHES),
    "watch.extend": Endpoint("POST", "/api/watches/{watch_id}/extend", _WATCHES),
    "partners": Endpoint("GET", "/api/partners", "passerelle.exchange.partners"),
    "correlation.correlate": Endpoint("GET", "/api/correlations/{object_id}", _CORRELATION),
    "correlation.lookup": Endpoint("GET", "/api/lookup", _CORRELATION),
    "entity.resolve": Endpoint("GET", "/api/resolve", _ENTITIES),
    "entity.show": Endpoint("GET", "/api/entities/{entity_id}", _ENTITIES),
    "entity.merge": Endpoint("POST", "/api/entities/{entity_id}/merge", _ENTITIES),
    "entity.unmerge": Endpoint("POST", "/api/entities/{entity_id}/unmerge", _ENTITIES),
    "entity.alias": Endpoint("POST", "/api/entities/{entity_id}/aliases", _ENTITIES),
    "review.list": Endpoint("GET", "/api/review", _ENTITIES),
    "review.accept": Endpoint("POST", "/api/review/{object_id}/{entity_id}/accept", _ENTITIES),
    "review.reject": Endpoint("POST", "/api/review/{object_id}/{entity_id}/reject", _ENTITIES),
    "intake.store": Endpoint("POST", "/api/intake/drafts", _DRAFTS),
    "intake.list": Endpoint("GET", "/api/intake/drafts", _DRAFTS),
    "intake.show": Endpoint("GET", _DRAFT, _DRAFTS),
    "intake.accept": Endpoint("POST", _ELEMENT + "/accept", _DRAFTS),
    "intake.reject": Endpoint("POST", _ELEMENT + "/reject", _DRAFTS),
    "intake.correct": Endpoint("POST", _ELEMENT + "/correct", _DRAFTS),
    "intake.publish": Endpoint("POST", _DRAFT + "/publish", _DRAFTS),
    "admin.org": Endpoint("GET", _ORG, _ADMIN),
    "admin.org-rename": Endpoint("POST", _ORG + "/rename", _ADMIN),
    "admin.client-add": Endpoint("POST", _ORG + "/clients", _ADMIN),
    "admin.client-remove": Endpoint("POST", _ORG + "/clients/remove", _ADMIN),
    "admin.user-add": Endpoint("POST", "/api/admin/users", _ADMIN),
    "admin.user-disable": Endpoint("POST", _USER + "/disable", _ADMIN),
    "admin.user-enable": Endpoint("POST", _USER + "/enable", _ADMIN),
    "admin.user-role": Endpoint("POST", _USER + "/role", _ADMIN),
    "admin.user-token": Endpoint("POST", _USER + "/token", _ADMIN),
    "admin.channels": Endpoint("GET", "/api/admin/channels", _ADMIN),
    "admin.channel-rename": Endpoint("POST", _CHANNEL + "/rename", _ADMIN),
    "admin.channel-rights": Endpoint("POST", _CHANNEL + "/rights", _ADMIN),
    "notify.subscribe": Endpoint("POST", _SUBSCRIPTIONS, _NOTIFY),
    "notify.unsubscribe": Endpoint("POST", _SUBSCRIPTIONS + "/remove", _NOTIFY),
    "notify.list": Endpoint("GET", _SUBSCRIPTIONS, _NOTIFY),
    "federation.lookup": Endpoint(
        "POST", "/api/federation/lookups", "passerelle.federation.lookups"
    ),
}

# Choices and bounds of requests that the command line checks before it sends them (the
# node checks them too); the same test checks that they equal the features' own.
OUTCOMES = ("actioned", "corroborated", "refuted", "no_link_found", "no_longer_relevant")
CORRELATION_LIMIT = 200
CORRELATION_DEFAULT_LIMIT = 20
RESOLVE_MAX_RESULTS = 50
