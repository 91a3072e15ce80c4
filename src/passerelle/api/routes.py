"""The REST API's routes, built in one loop from the operation registry.

Every route is written one way: at its operation's own path in full (what the remote
command line calls), documented with the one error map of :mod:`passerelle.http.errors`,
taking the path fields from the path and the others from the query string (GET) or the
JSON body (POST). Its description is the run function's docstring, its response model the
run function's return annotation.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError, create_model
from pydantic.fields import FieldInfo

from passerelle.admin import erasure
from passerelle.admin import operations as administration
from passerelle.api.deps import ContextDep
from passerelle.core.context import Context
from passerelle.core.operations import Operation, perform
from passerelle.correlation import queries
from passerelle.errors import BadInput, Conflict, Forbidden, NotFound, PasserelleError
from passerelle.exchange import partners, rfis, tips, watches
from passerelle.federation import lookups, withheld
from passerelle.http.errors import DOMAIN_ERRORS, UNAUTHENTICATED
from passerelle.intake import review
from passerelle.notify import operations as notifications
from passerelle.resolution import entities

Responses = dict[int | str, dict[str, Any]]

# The features whose operations the API serves (importing them registers those), each with
# the tag that groups its routes in the documentation, in the documentation's order.
FEATURE_TAGS: dict[str, str] = {
    tips.__name__: "Tips",
    rfis.__name__: "RFIs",
    watches.__name__: "Watches",
    partners.__name__: "Partners",
    queries.__name__: "Correlation",
    entities.__name__: "Entities",
    review.__name__: "Intake",
    administration.__name__: "Administration",
    erasure.__name__: "Data protection",
    notifications.__name__: "Notifications",
    lookups.__name__: "Federation",
    withheld.__name__: "Federation",
}

# A read cannot clash with what is stored; a write can.
_FAILURES: dict[str, tuple[type[PasserelleError], ...]] = {
    "GET": (BadInput, Forbidden, NotFound),
    "POST": (BadInput, Forbidden, NotFound, Conflict),
}

# The endpoint's own parameters, beside the path fields (a path field may not take these).
_CONTEXT = "ctx"
_REST = "rest"


def error_responses(*errors: type[PasserelleError]) -> Responses:
    """Return the documented failures of a route: no valid credentials, and these errors."""
    answers = sorted([UNAUTHENTICATED, *(DOMAIN_ERRORS[error] for error in errors)])
    return {answer.status: {"description": answer.meaning} for answer in answers}


def tag_of(operation: Operation[Any], tags: Mapping[str, str] = FEATURE_TAGS) -> str:
    """Return the documentation tag of the feature (module) that runs an operation."""
    module = operation.run.__module__
    for feature, tag in tags.items():
        if module == feature or module.startswith(feature + "."):
            return tag
    raise LookupError(f"{operation.name}: {module} is no feature the REST API serves")


def operation_router(
    operations: Iterable[Operation[Any]], tags: Mapping[str, str] = FEATURE_TAGS
) -> APIRouter:
    """Return a router that serves each operation at its method and path."""
    router = APIRouter()
    # Starlette tries routes in order: a literal segment goes before a path field at the
    # same place, so /api/tips/inbox is never taken for a tip called "inbox", whatever
    # order the features register their operations in.
    for operation in sorted(operations, key=lambda op: route_order(op.path)):
        router.add_api_route(
            operation.path,
            _endpoint(operation),
            methods=[operation.method],
            name=operation.run.__name__,
            summary=operation.summary or None,
            description=inspect.getdoc(operation.run),
            response_model=_result_type(operation),
            status_code=operation.status_code,
            responses=error_responses(*_FAILURES[operation.method]),
            tags=[tag_of(operation, tags)],
        )
    return router


def route_order(path: str) -> list[tuple[bool, str]]:
    """Return the sort key of a path that puts literal segments before path fields."""
    return [(segment.startswith("{"), segment) for segment in path.split("/")]


def _result_type(operation: Operation[Any]) -> Any:
    """Return what the run function's return annotation says it returns."""
    hints = typing.get_type_hints(operation.run)
    if "return" not in hints:
        raise TypeError(f"{operation.name}: its run function must annotate its result type")
    return hints["return"]


def rest_model(operation: Operation[Any]) -> type[BaseModel] | None:
    """Return the model of the request fields the path does not carry (None: there are none).

    Without path fields it is the request model itself. A request model that extends one
    declaring exactly the other fields, the same way (``AckRequest`` extends ``AckBody``),
    lends it, so the schema keeps that model's name and docstring; for any other one it is
    built here, once.
    """
    request = operation.request
    path = set(operation.path_fields)
    rest = {name: field for name, field in request.model_fields.items() if name not in path}
    if not rest:
        return None
    if not path:
        return request
    for base in request.__mro__[1:]:
        if issubclass(base, BaseModel) and _declares(base, rest):
            return base
    suffix = "Query" if operation.method == "GET" else "Body"
    fields: dict[str, Any] = {name: (field.annotation, field) for name, field in rest.items()}
    return create_model(f"{request.__name__}{suffix}", __doc__=request.__doc__, **fields)


def _declares(model: type[BaseModel], fields: dict[str, FieldInfo]) -> bool:
    """Tell whether a model declares exactly these fields, each the same way."""
    declared = model.model_fields
    # FieldInfo has no equality of its own; its repr shows the type, default and rules.
    return declared.keys() == fields.keys() and all(
        repr(declared[name]) == repr(field) for name, field in fields.items()
    )


def _endpoint(operation: Operation[Any]) -> Callable[..., Any]:
    """Return the endpoint of an operation: it builds the request and runs the operation."""
    signature = _signature(operation, rest_model(operation))

    def endpoint(ctx: Context, **values: Any) -> Any:
        return perform(operation, ctx, _request(operation, values))

    # FastAPI reads the parameters, and so the OpenAPI schema, from this signature.
    endpoint.__signature__ = signature  # type: ignore[attr-defined]
    endpoint.__name__ = endpoint.__qualname__ = operation.run.__name__
    return endpoint


def _signature(operation: Operation[Any], rest: type[BaseModel] | None) -> inspect.Signature:
    """Return the endpoint's parameters: the context, the path fields, the query or body."""
    clashes = {_CONTEXT, _REST} & set(operation.path_fields)
    if clashes:
        raise ValueError(f"{operation.name}: no path field may be called {sorted(clashes)}")
    kind = inspect.Parameter.KEYWORD_ONLY
    parameters = [inspect.Parameter(_CONTEXT, kind, annotation=ContextDep)]
    fields = operation.request.model_fields
    for name in operation.path_fields:
        where = Path(description=fields[name].description)
        annotation: Any = Annotated[fields[name].annotation, where]
        parameters.append(inspect.Parameter(name, kind, annotation=annotation))
    if rest is not None:
        where = Query() if operation.method == "GET" else Body()
        parameters.append(inspect.Parameter(_REST, kind, annotation=Annotated[rest, where]))
    return inspect.Signature(parameters)


def _request(operation: Operation[Any], values: dict[str, Any]) -> BaseModel:
    """Build an operation's request from the path fields and the query or body model."""
    rest: BaseModel | None = values.pop(_REST, None)
    _refuse_nul(("request",), {**(dict(rest) if rest is not None else {}), **values})
    if rest is not None and type(rest) is operation.request:
        return rest
    # The path fields go last: a body field of the same name never overrides the path.
    fields = {**(dict(rest) if rest is not None else {}), **values}
    try:
        request: BaseModel = operation.request.model_validate(fields)
    except ValidationError as exc:
        # The error handler drops the first part of the location, as for FastAPI's own.
        errors = [{**error, "loc": ("request", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors) from exc
    return request


def _refuse_nul(where: tuple[str | int, ...], value: Any) -> None:
    """Refuse a request whose text holds NUL: no value needs one, PostgreSQL stores none."""
    if isinstance(value, str):
        if "\x00" in value:
            problem = {"loc": where, "msg": "holds a NUL character", "type": "value_error"}
            raise RequestValidationError([problem])
    elif isinstance(value, BaseModel):
        _refuse_nul(where, dict(value))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _refuse_nul((*where, str(key)), key)
            _refuse_nul((*where, str(key)), item)
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            _refuse_nul((*where, index), item)
