"""Operations of the exchange workflow, each reachable the same way from the REST API and
the command line (locally, or against a node through that API).

An operation names its HTTP method and path once; the API routes serve it there and the
remote CLI client calls it there, so the two cannot drift apart (a test checks it).
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from passerelle.audit.log import printable, record_alone
from passerelle.core.catalogue import OPERATIONS
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


def _declared(operation: Operation[RequestT]) -> Operation[RequestT]:
    """Give the operation its title and success status from the catalogue, once its method
    and path are checked against the catalogue's (the command line calls a node there)."""
    declared = OPERATIONS.get(operation.name)
    if declared is None:
        raise LookupError(f"operation {operation.name} is not in core/catalogue.py")
    if (operation.method, operation.path) != (declared.method, declared.path):
        raise LookupError(f"operation {operation.name} is not at its catalogue's method and path")
    summary = operation.summary or declared.summary
    status = operation.status_code if operation.status_code != 200 else declared.status_code
    return dataclasses.replace(operation, summary=summary, status_code=status)


def register(operation: Operation[RequestT]) -> Operation[RequestT]:
    """Declare an operation of a feature, as the catalogue describes it (the registry finds
    it by the catalogue's ``module:NAME``)."""
    return _declared(operation)


class Registry(Mapping[str, "Operation[Any]"]):
    """Every operation of the catalogue by name, each imported from its feature the first
    time it is asked for: a command that performs one operation imports that feature's
    module alone, while the app, which iterates over all, imports them all."""

    def __init__(self) -> None:
        self._found: dict[str, Operation[Any]] = {}

    def __getitem__(self, name: str) -> Operation[Any]:
        found = self._found.get(name)
        if found is None:
            declared = OPERATIONS[name]
            found = getattr(importlib.import_module(declared.module), declared.attribute)
            if not isinstance(found, Operation) or found.name != name:
                raise LookupError(f"{declared.where} is not the operation {name}")
            self._found[name] = found
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(OPERATIONS)

    def __len__(self) -> int:
        return len(OPERATIONS)


REGISTRY = Registry()
