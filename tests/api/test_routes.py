"""The REST routes built from the operation registry: every operation served once at its
method and path, documented from the one error map, taking its request as the remote
command line sends it."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from starlette.routing import BaseRoute, Match

from passerelle.api.deps import exchange_context
from passerelle.api.routes import FEATURE_TAGS, operation_router, rest_model, tag_of
from passerelle.app import create_app
from passerelle.core.catalogue import OPERATIONS
from passerelle.core.context import Context
from passerelle.core.operations import REGISTRY, Operation
from passerelle.errors import BadInput, Conflict, Forbidden, NotFound, PasserelleError
from passerelle.exchange import tips
from passerelle.exchange.tips import AckBody
from passerelle.http.errors import DOMAIN_ERRORS, UNAUTHENTICATED, install_error_handlers
from passerelle.settings import Settings


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The node's app over a file of its own (no test here reads or writes it)."""
    path = tmp_path_factory.mktemp("routes") / "node.db"
    return create_app(Settings(db_url=f"sqlite:///{path}"))


def _routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Yield the API routes in the order they are tried, inside included routers too (this
    FastAPI keeps an included router whole, older ones copied its routes)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _routes(included.routes)


def _first_route(app: FastAPI, method: str, path: str) -> APIRoute:
    """Return the route a request takes: the first that matches it fully."""
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in _routes(app.router.routes):
        if route.matches(scope)[0] == Match.FULL:
            return route
    raise AssertionError(f"no route serves {method} {path}")


def test_every_operation_is_served_once_at_its_method_and_path(app: FastAPI) -> None:
    routes = list(_routes(app.router.routes))
    for op in REGISTRY.values():
        serving = [r for r in routes if r.path == op.path and op.method in r.methods]
        assert len(serving) == 1, op.name
        # ... and a request there reaches it, not a route with a path field at that place
        # (GET /api/tips/inbox is no tip called "inbox").
        probe = op.path
        for field in op.path_fields:
            probe = probe.replace("{" + field + "}", f"probe-{field}")
        assert _first_route(app, op.method, probe) is serving[0], op.name
        assert serving[0].status_code == op.status_code, op.name
    assert len({route.unique_id for route in routes}) == len(routes)


def test_literal_paths_are_tried_before_path_fields_whatever_the_registration_order() -> None:
    backwards = list(REGISTRY.values())[::-1]
    assert backwards.index(tips.SHOW) < backwards.index(tips.INBOX)
    app = FastAPI()
    app.include_router(operation_router(backwards))
    assert _first_route(app, "GET", "/api/tips/inbox").path == "/api/tips/inbox"
    assert _first_route(app, "GET", "/api/tips/sent").path == "/api/tips/sent"


def test_every_operation_documents_the_errors_of_the_one_table(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    for op in REGISTRY.values():
        spec = paths[op.path][op.method.lower()]
        failures = [BadInput, Forbidden, NotFound] + ([Conflict] if op.method == "POST" else [])
        answers = [UNAUTHENTICATED, *(DOMAIN_ERRORS[failure] for failure in failures)]
        responses = spec["responses"].items()
        documented = {k: v["description"] for k, v in responses if int(k) >= 400}
        # FastAPI documents its 422 of a malformed request; the error handler answers 400.
        documented.pop("422", None)
        assert documented == {str(a.status): a.meaning for a in answers}, op.name
        assert str(op.status_code) in spec["responses"], op.name
        assert spec["summary"] == op.summary != "", op.name
        assert spec["description"] == inspect.getdoc(op.run), op.name
        assert spec["tags"] == [tag_of(op)], op.name


def test_the_catalogue_gives_every_operation_its_title_and_status() -> None:
    assert all(declared.summary for declared in OPERATIONS.values())
    for name, operation in REGISTRY.items():
        assert operation.summary == OPERATIONS[name].summary, name
        assert operation.status_code == OPERATIONS[name].status_code, name
    created = {op.name for op in REGISTRY.values() if op.status_code == 201}
    assert created == {
        "tips.share",
        "rfi.send",
        "watch.add",
        "entity.alias",
        "intake.store",
        "intake.add-entity",
        "intake.add-fact",
        "admin.user-add",
        "admin.org-add",
        "admin.channel-add",
        "notify.subscribe",
    }
    assert {op.status_code for op in REGISTRY.values()} == {200, 201}


def test_each_feature_has_its_tag_and_the_documentation_lists_them_in_order(
    app: FastAPI,
) -> None:
    assert {tag_of(op) for op in REGISTRY.values()} == set(FEATURE_TAGS.values())
    listed = [tag["name"] for tag in app.openapi()["tags"]]
    assert listed == ["TAXII", "Handling", "Bundles", *FEATURE_TAGS.values(), "Health"]


def test_the_handling_routes_use_the_same_error_map(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    extension = paths["/api/extensions/handling"]["get"]["responses"]
    assert extension["401"]["description"] == UNAUTHENTICATED.meaning
    acknowledgement = paths["/api/acknowledgements"]["post"]["responses"]
    assert acknowledgement["404"]["description"] == DOMAIN_ERRORS[NotFound].meaning


def test_a_request_model_lends_its_body_model_when_it_has_one() -> None:
    assert rest_model(tips.ACK) is AckBody
    assert rest_model(tips.SHARE) is tips.SHARE.request
    assert rest_model(tips.INVESTIGATE) is None


# -- an operation of this module, served by a router of its own ----------------------------


class Rename(BaseModel):
    """Rename a thing (no model of the body fields alone: the router builds one)."""

    thing_id: str
    name: str
    note: str = ""


class EchoBody(BaseModel):
    """What a rename echoes besides the thing."""

    name: str


class Echo(EchoBody):
    """A rename as the run function received it."""

    thing_id: str


def rename(ctx: Context, request: Rename) -> Echo:
    """Echo the request, or fail with the domain error the name asks for."""
    failures: dict[str, type[PasserelleError]] = {
        error.__name__: error for error in (BadInput, Forbidden, NotFound, Conflict)
    }
    if request.name in failures:
        raise failures[request.name](f"asked for {request.name}")
    return Echo(thing_id=request.thing_id, name=request.name)


def echo(ctx: Context, request: Echo) -> Echo:
    """Echo the request."""
    return request


# These operations run without a node (no context, no database, so no audit log): the
# refusal RENAME raises is its own to record.
RENAME = Operation(
    "test.rename", "POST", "/api/things/{thing_id}/rename", Rename, rename, audits_refusals=True
)
ECHO = Operation("test.echo", "POST", "/api/things/{thing_id}/echo", Echo, echo)


@pytest.fixture
def things() -> Iterator[TestClient]:
    """A client of an app that serves this module's operations, with no one to authenticate."""
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(operation_router([RENAME, ECHO], tags={__name__: "Things"}))
    app.dependency_overrides[exchange_context] = lambda: None
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize("op", [RENAME, ECHO], ids=["built-body", "lent-body"])
def test_a_path_field_also_sent_in_the_body_is_taken_from_the_path(
    things: TestClient, op: Operation[Any]
) -> None:
    # Today's behaviour, kept: the body model has no field for what the path carries, so a
    # body field of that name is ignored like any other unknown field.
    path = op.path.replace("{thing_id}", "from-path")
    answer = things.post(path, json={"thing_id": "from-body", "name": "new"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"thing_id": "from-path", "name": "new"}
    schema = things.get("/openapi.json").json()
    body = schema["paths"][op.path]["post"]["requestBody"]["content"]["application/json"]
    name = body["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][name]["properties"]) == {"name"} | (
        {"note"} if op is RENAME else set()
    )


def test_a_built_body_model_holds_the_other_fields_under_the_request_name() -> None:
    body = rest_model(RENAME)
    assert body is not None
    assert body.__name__ == "RenameBody"
    assert list(body.model_fields) == ["name", "note"]
    assert body.model_fields["note"].default == ""


@pytest.mark.parametrize("error", [BadInput, Forbidden, NotFound, Conflict])
def test_each_domain_error_answers_the_status_it_is_documented_with(
    things: TestClient, error: type[PasserelleError]
) -> None:
    answer = things.post("/api/things/t/rename", json={"name": error.__name__})
    assert answer.status_code == DOMAIN_ERRORS[error].status
    assert answer.json()["description"] == f"asked for {error.__name__}"
    documented = things.get("/openapi.json").json()["paths"]["/api/things/{thing_id}/rename"]
    assert str(answer.status_code) in documented["post"]["responses"]


def test_a_malformed_body_answers_400(things: TestClient) -> None:
    answer = things.post("/api/things/t/rename", json={"note": "no name"})
    assert answer.status_code == 400
    assert "name" in answer.json()["description"]


def test_an_operation_of_no_served_feature_has_no_tag() -> None:
    with pytest.raises(LookupError, match="no feature"):
        tag_of(RENAME)
