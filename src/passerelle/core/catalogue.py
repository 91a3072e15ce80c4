"""Every operation of the workflow as known before its feature is imported: its HTTP method
and path, its title in the API documentation, its success status, and where the feature
defines it (``"module:NAME"``).

The registry (:data:`passerelle.core.operations.REGISTRY`) imports an operation's module
from here the first time the operation is performed or described, so a command that runs
one operation imports one feature's module, not every feature; the app asks for all of
them when it builds its routes. The command line reads the method and path here to call a
running node without importing any feature. The registry checks, as it imports each
operation, that the feature's definition says the same method and path.

This module imports nothing but the standard library: ``passerelle --help`` loads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Declared:
    """An operation's place in the API, and the module attribute that defines it."""

    method: Literal["GET", "POST"]
    path: str
    where: str
    summary: str
    status_code: int = 200

    @property
    def module(self) -> str:
        """The module that defines the operation."""
        return self.where.partition(":")[0]

    @property
    def attribute(self) -> str:
        """The module's name for the operation."""
        return self.where.partition(":")[2]

    @property
    def path_fields(self) -> list[str]:
        """Return the request fields that the path carries (``{tip_id}``)."""
        return re.findall(r"{(\w+)}", self.path)


CREATED = 201

_TIPS_READ = "passerelle.exchange.tips.listing:"
_TIPS_STEP = "passerelle.exchange.tips.lifecycle:"
_RFIS_READ = "passerelle.exchange.rfis.reading:"
_RFIS_STEP = "passerelle.exchange.rfis.writing:"
_WATCHES = "passerelle.exchange.watches.operations:"
_ENTITIES = "passerelle.resolution.entities:"
_CORRELATION = "passerelle.correlation.queries:"
_DRAFTS = "passerelle.intake.review.operations:"
_ADMIN = "passerelle.admin.operations:"
_NOTIFY = "passerelle.notify.operations:"

_TIP = "/api/tips/{tip_id}"
_RFI = "/api/rfis/{rfi_id}"
_WATCH = "/api/watches/{watch_id}"
_ENTITY = "/api/entities/{entity_id}"
_LINK = "/api/review/{object_id}/{entity_id}"
_DRAFT = "/api/intake/drafts/{draft_id}"
_ELEMENT = _DRAFT + "/elements/{element}"
_ORG = "/api/admin/organisation"
_USER = "/api/admin/users/{username}"
_CHANNEL = "/api/admin/channels/{channel}"
_SUBSCRIPTIONS = "/api/notifications/subscriptions"

OPERATIONS: dict[str, Declared] = {
    "tips.share": Declared(
        "POST", "/api/tips", "passerelle.exchange.tips.sharing:SHARE", "Share a tip", CREATED
    ),
    "tips.inbox": Declared("GET", "/api/tips/inbox", _TIPS_READ + "INBOX", "Read your inbox"),
    "tips.sent": Declared("GET", "/api/tips/sent", _TIPS_READ + "SENT", "List sent tips"),
    "tips.overdue": Declared(
        "GET", "/api/tips/overdue", _TIPS_READ + "OVERDUE", "List overdue receipts"
    ),
    "tips.show": Declared("GET", _TIP, _TIPS_READ + "SHOW", "Show a tip"),
    "tips.ack": Declared("POST", _TIP + "/ack", _TIPS_STEP + "ACK", "Acknowledge a tip"),
    "tips.investigate": Declared(
        "POST", _TIP + "/investigate", _TIPS_STEP + "INVESTIGATE", "Investigate a tip"
    ),
    "tips.close": Declared("POST", _TIP + "/close", _TIPS_STEP + "CLOSE", "Close a tip"),
    "rfi.send": Declared("POST", "/api/rfis", _RFIS_STEP + "SEND", "Send an RFI", CREATED),
    "rfi.list": Declared("GET", "/api/rfis", _RFIS_READ + "LIST", "List RFIs"),
    "rfi.show": Declared("GET", _RFI, _RFIS_READ + "SHOW", "Show an RFI"),
    "rfi.answer": Declared("POST", _RFI + "/answer", _RFIS_STEP + "ANSWER", "Answer an RFI"),
    "rfi.refuse": Declared("POST", _RFI + "/refuse", _RFIS_STEP + "REFUSE", "Refuse an RFI"),
    "watch.add": Declared("POST", "/api/watches", _WATCHES + "ADD", "Add a watch", CREATED),
    "watch.list": Declared("GET", "/api/watches", _WATCHES + "LIST", "List watches"),
    "watch.hits": Declared("GET", "/api/watch-hits", _WATCHES + "HITS", "List watch hits"),
    "watch.show": Declared("GET", _WATCH, _WATCHES + "SHOW", "Show a watch"),
    "watch.end": Declared("POST", _WATCH + "/end", _WATCHES + "END", "End a watch"),
    "watch.extend": Declared("POST", _WATCH + "/extend", _WATCHES + "EXTEND", "Extend a watch"),
    "partners": Declared(
        "GET", "/api/partners", "passerelle.exchange.partners:PARTNERS", "Show partner figures"
    ),
    "correlation.correlate": Declared(
        "GET", "/api/correlations/{object_id}", _CORRELATION + "CORRELATE", "Correlate an object"
    ),
    "correlation.lookup": Declared(
        "GET", "/api/lookup", _CORRELATION + "LOOKUP", "Look a value up"
    ),
    "entity.resolve": Declared("GET", "/api/resolve", _ENTITIES + "RESOLVE", "Resolve a name"),
    "entity.show": Declared("GET", _ENTITY, _ENTITIES + "SHOW", "Show an entity"),
    "entity.merge": Declared("POST", _ENTITY + "/merge", _ENTITIES + "MERGE", "Merge entities"),
    "entity.unmerge": Declared(
        "POST", _ENTITY + "/unmerge", _ENTITIES + "UNMERGE", "Unmerge an entity"
    ),
    "entity.alias": Declared(
        "POST", _ENTITY + "/aliases", _ENTITIES + "ALIAS", "Add a name", CREATED
    ),
    "review.list": Declared(
        "GET", "/api/review", _ENTITIES + "REVIEW_LIST", "List the review queue"
    ),
    "review.accept": Declared(
        "POST", _LINK + "/accept", _ENTITIES + "ACCEPT", "Accept a proposed link"
    ),
    "review.reject": Declared(
        "POST", _LINK + "/reject", _ENTITIES + "REJECT", "Reject a proposed link"
    ),
    "intake.store": Declared(
        "POST", "/api/intake/drafts", _DRAFTS + "STORE", "Store a draft", CREATED
    ),
    "intake.list": Declared("GET", "/api/intake/drafts", _DRAFTS + "LIST", "List drafts"),
    "intake.show": Declared("GET", _DRAFT, _DRAFTS + "SHOW", "Show a draft"),
    "intake.accept": Declared(
        "POST", _ELEMENT + "/accept", _DRAFTS + "ACCEPT", "Accept an element"
    ),
    "intake.reject": Declared(
        "POST", _ELEMENT + "/reject", _DRAFTS + "REJECT", "Reject an element"
    ),
    "intake.correct": Declared(
        "POST", _ELEMENT + "/correct", _DRAFTS + "CORRECT", "Correct an element"
    ),
    "intake.publish": Declared("POST", _DRAFT + "/publish", _DRAFTS + "PUBLISH", "Publish a draft"),
    "intake.add-entity": Declared(
        "POST", _DRAFT + "/entities", _DRAFTS + "ADD_ENTITY", "Add an entity to a draft", CREATED
    ),
    "intake.add-fact": Declared(
        "POST", _DRAFT + "/facts", _DRAFTS + "ADD_FACT", "Add a fact to a draft", CREATED
    ),
    "admin.org": Declared("GET", _ORG, _ADMIN + "ORG", "Show your organisation"),
    "admin.org-rename": Declared(
        "POST", _ORG + "/rename", _ADMIN + "ORG_RENAME", "Rename your organisation"
    ),
    "admin.client-add": Declared(
        "POST", _ORG + "/clients", _ADMIN + "CLIENT_ADD", "Declare a client"
    ),
    "admin.client-remove": Declared(
        "POST", _ORG + "/clients/remove", _ADMIN + "CLIENT_REMOVE", "Withdraw a client"
    ),
    "admin.user-add": Declared(
        "POST", "/api/admin/users", _ADMIN + "USER_ADD", "Add a user", CREATED
    ),
    "admin.user-disable": Declared(
        "POST", _USER + "/disable", _ADMIN + "USER_DISABLE", "Disable a user"
    ),
    "admin.user-enable": Declared(
        "POST", _USER + "/enable", _ADMIN + "USER_ENABLE", "Enable a user"
    ),
    "admin.user-role": Declared(
        "POST", _USER + "/role", _ADMIN + "USER_ROLE", "Change a user's role"
    ),
    "admin.user-token": Declared(
        "POST", _USER + "/token", _ADMIN + "USER_TOKEN", "Rotate a user's token"
    ),
    "admin.user-password": Declared(
        "POST", _USER + "/password", _ADMIN + "USER_PASSWORD", "Set a user's web password"
    ),
    "admin.user-link": Declared(
        "POST", _USER + "/link", _ADMIN + "USER_LINK", "Issue a one-time sign-in link"
    ),
    "admin.channels": Declared(
        "GET", "/api/admin/channels", _ADMIN + "CHANNELS", "List your channels"
    ),
    "admin.channel-rename": Declared(
        "POST", _CHANNEL + "/rename", _ADMIN + "CHANNEL_RENAME", "Rename a channel"
    ),
    "admin.channel-rights": Declared(
        "POST", _CHANNEL + "/rights", _ADMIN + "CHANNEL_RIGHTS", "Lower your rights in a channel"
    ),
    "admin.org-add": Declared(
        "POST", "/api/admin/organisations", _ADMIN + "ORG_ADD", "Add an organisation", CREATED
    ),
    "admin.org-set": Declared("POST", _ORG + "/region", _ADMIN + "ORG_SET", "Set a phone region"),
    "admin.channel-add": Declared(
        "POST", "/api/admin/channels", _ADMIN + "CHANNEL_ADD", "Add a channel", CREATED
    ),
    "admin.channel-member": Declared(
        "POST", _CHANNEL + "/members", _ADMIN + "CHANNEL_MEMBER", "Set a member's rights"
    ),
    "notify.subscribe": Declared(
        "POST", _SUBSCRIPTIONS, _NOTIFY + "SUBSCRIBE", "Subscribe to notifications", CREATED
    ),
    "notify.unsubscribe": Declared(
        "POST",
        _SUBSCRIPTIONS + "/remove",
        _NOTIFY + "UNSUBSCRIBE",
        "Unsubscribe from notifications",
    ),
    "notify.list": Declared(
        "GET", _SUBSCRIPTIONS, _NOTIFY + "LIST", "List your notification subscriptions"
    ),
    "objects.erase": Declared(
        "POST",
        "/api/objects/{object_id}/erase",
        "passerelle.admin.erasure:ERASE",
        "Erase an object for data protection",
    ),
    "federation.lookup": Declared(
        "POST",
        "/api/federation/lookups",
        "passerelle.federation.lookups:LOOKUP",
        "Answer a federated look-up",
    ),
    "federation.withheld": Declared(
        "GET",
        "/api/federation/withheld",
        "passerelle.federation.withheld:WITHHELD",
        "List your versions withheld from peers",
    ),
}
