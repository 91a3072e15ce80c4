"""Operations of the exchange workflow, each reachable the same way from the REST API and
the command line (locally, or against a node through that API).

An operation names its HTTP method and path once; the API routes serve it there and the
remote CLI client calls it there, so the two cannot drift apart (a test checks it).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from passerelle.audit.log import printable, record_alone
from passerelle.core.context import Context
from passerelle.errors import Forbidden

RequestT = TypeVar("RequestT", bound=BaseModel)


@dataclass(frozen=True)
class Operation(Generic[RequestT]):
    """One function of the workflow: where it lives in the API and what runs it.

    ``summary`` titles it in the API documentation (the run function's docstring describes
    it); ``status_code`` is the HTTP status of its success, 201 for one that creates.
    ``audited_read``: a read that tells who or what the viewer looked into (resolving a
    name, showing an entity), so :func:`perform` writes it to the audit log with its
    purpose. ``audits_refusals``: the run function writes its own refusals to the audit
    log (the administration's do, with before/after), so :func:`perform` does not.
    """

    name: str
    method: Literal["GET", "POST"]
    path: str
    request: type[RequestT]
    run: Callable[[Context, RequestT], Any]
    summary: str = ""
    status_code: int = 200
    audited_read: bool = False
    audits_refusals: bool = False

    @property
    def path_fields(self) -> list[str]:
        """Return the request fields that the path carries (``{tip_id}``)."""
        return re.findall(r"{(\w+)}", self.path)


REFUSED = "refused"
READ = "read"
# How much of a request an audit entry keeps: enough to tell what was asked, never a
# whole article or a long list.
_KEPT_TEXT = 200
_KEPT_ITEMS = 20


def perform(operation: Operation[RequestT], ctx: Context, request: RequestT) -> Any:
    """Run an operation for ``ctx.viewer``, the one way every path (REST, command line,
    web) runs it.

    A refusal goes to the audit log (on its own: the refused work was rolled back), with
    the operation, what was asked and why it was refused; so does an audited read, once
    it has answered. Each entry carries the viewer's purpose.
    """
    try:
        result = operation.run(ctx, request)
    except Forbidden as exc:
        if not operation.audits_refusals:
            detail = {"operation": operation.name, "asked": asked(request)}
            detail["reason"] = printable(exc.message, _KEPT_TEXT)
            record_alone(ctx.database, ctx.viewer, REFUSED, named(request), detail)
        raise
    if operation.audited_read:
        detail = {"operation": operation.name, "asked": asked(request)}
        record_alone(ctx.database, ctx.viewer, READ, named(request), detail)
    return result


def named(request: BaseModel) -> list[str]:
    """Return the ids a request names (its ``..._id`` fields), for the entry's object ids."""
    values = request.model_dump(mode="json")
    return [
        printable(value, _KEPT_TEXT)
        for name, value in values.items()
        if name.endswith("_id") and isinstance(value, str)
    ]


def asked(request: BaseModel) -> dict[str, Any]:
    """Return a request's values as an audit entry keeps them (long values cut short)."""
    return {name: _kept(value) for name, value in request.model_dump(mode="json").items()}


def _kept(value: Any) -> Any:
    """Cut a value of a request down to what the audit log keeps of it."""
    if isinstance(value, str):
        return printable(value, _KEPT_TEXT)
    if isinstance(value, list):
        return [_kept(item) for item in value[:_KEPT_ITEMS]]
    if isinstance(value, dict):
        return {key: _kept(item) for key, item in list(value.items())[:_KEPT_ITEMS]}
    return value


def jsonable(result: Any) -> Any:
    """Turn an operation's result (models, lists of them) into plain JSON values."""
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    if isinstance(result, list | tuple):
        return [jsonable(item) for item in result]
    if isinstance(result, dict):
        return {key: jsonable(value) for key, value in result.items()}
    return result


# What the register calls do not say themselves yet: the API title of each operation, and
# which ones create (HTTP 201). The feature modules are being split into packages; once
# they are, each register call can pass summary= and status_code= and these tables go.
_SUMMARIES = {
    "tips.share": "Share a tip",
    "tips.inbox": "Read your inbox",
    "tips.sent": "List sent tips",
    "tips.overdue": "List overdue receipts",
    "tips.show": "Show a tip",
    "tips.ack": "Acknowledge a tip",
    "tips.investigate": "Investigate a tip",
    "tips.close": "Close a tip",
    "rfi.send": "Send an RFI",
    "rfi.list": "List RFIs",
    "rfi.show": "Show an RFI",
    "rfi.answer": "Answer an RFI",
    "rfi.refuse": "Refuse an RFI",
    "watch.add": "Add a watch",
    "watch.list": "List watches",
    "watch.hits": "List watch hits",
    "watch.show": "Show a watch",
    "watch.end": "End a watch",
    "watch.extend": "Extend a watch",
    "partners": "Show partner figures",
    "correlation.correlate": "Correlate an object",
    "correlation.lookup": "Look a value up",
    "entity.resolve": "Resolve a name",
    "entity.show": "Show an entity",
    "entity.merge": "Merge entities",
    "entity.unmerge": "Unmerge an entity",
    "entity.alias": "Add a name",
    "review.list": "List the review queue",
    "review.accept": "Accept a proposed link",
    "review.reject": "Reject a proposed link",
    "intake.store": "Store a draft",
    "intake.list": "List drafts",
    "intake.show": "Show a draft",
    "intake.accept": "Accept an element",
    "intake.reject": "Reject an element",
    "intake.correct": "Correct an element",
    "intake.publish": "Publish a draft",
    "admin.org": "Show your organisation",
    "admin.org-rename": "Rename your organisation",
    "admin.client-add": "Declare a client",
    "admin.client-remove": "Withdraw a client",
    "admin.user-add": "Add a user",
    "admin.user-disable": "Disable a user",
    "admin.user-enable": "Enable a user",
    "admin.user-role": "Change a user's role",
    "admin.user-token": "Rotate a user's token",
    "admin.channels": "List your channels",
    "admin.channel-rename": "Rename a channel",
    "admin.channel-rights": "Lower your rights in a channel",
    "notify.subscribe": "Subscribe to notifications",
    "notify.unsubscribe": "Unsubscribe from notifications",
    "notify.list": "List your notification subscriptions",
    "federation.lookup": "Answer a federated look-up",
}
_CREATES = frozenset(
    {
        "tips.share",
        "rfi.send",
        "watch.add",
        "entity.alias",
        "intake.store",
        "admin.user-add",
        "notify.subscribe",
    }
)


def _declared(operation: Operation[RequestT]) -> Operation[RequestT]:
    """Fill in what the operation's register call left at its default from the tables."""
    summary = operation.summary or _SUMMARIES.get(operation.name, "")
    status = operation.status_code
    if status == 200 and operation.name in _CREATES:
        status = 201
    return dataclasses.replace(operation, summary=summary, status_code=status)


REGISTRY: dict[str, Operation[Any]] = {}


def register(operation: Operation[RequestT]) -> Operation[RequestT]:
    """Record an operation so that the API serves it (and tests check that it does)."""
    operation = _declared(operation)
    REGISTRY[operation.name] = operation
    return operation
