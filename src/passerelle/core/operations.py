"""Operations of the exchange workflow, each reachable the same way from the REST API and
the command line (locally, or against a node through that API).

An operation names its HTTP method and path once; the API routes serve it there and the
remote CLI client calls it there, so the two cannot drift apart (a test checks it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from passerelle.core.context import Context

RequestT = TypeVar("RequestT", bound=BaseModel)


@dataclass(frozen=True)
class Operation(Generic[RequestT]):
    """One function of the workflow: where it lives in the API and what runs it."""

    name: str
    method: Literal["GET", "POST"]
    path: str
    request: type[RequestT]
    run: Callable[[Context, RequestT], Any]

    @property
    def path_fields(self) -> list[str]:
        """Return the request fields that the path carries (``{tip_id}``)."""
        return re.findall(r"{(\w+)}", self.path)


def jsonable(result: Any) -> Any:
    """Turn an operation's result (models, lists of them) into plain JSON values."""
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    if isinstance(result, list | tuple):
        return [jsonable(item) for item in result]
    if isinstance(result, dict):
        return {key: jsonable(value) for key, value in result.items()}
    return result


REGISTRY: dict[str, Operation[Any]] = {}


def register(operation: Operation[RequestT]) -> Operation[RequestT]:
    """Record an operation so that tests can check the API serves every one of them."""
    REGISTRY[operation.name] = operation
    return operation
