"""TAXII error messages (TAXII 2.1 section 3.6.1) for every failure, never an HTML page."""

from __future__ import annotations

from typing import NamedTuple

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from passerelle.errors import BadInput, Conflict, Forbidden, NotFound, PasserelleError
from passerelle.http.media import TaxiiResponse

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
}

UNAUTHORISED_HEADERS = {"WWW-Authenticate": 'Basic realm="passerelle", charset="UTF-8"'}


class TaxiiError(Exception):
    """An error answered as a TAXII error message with an HTTP status."""

    def __init__(self, status: int, description: str, headers: dict[str, str] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers or {}


def error_response(
    status: int, description: str, headers: dict[str, str] | None = None
) -> TaxiiResponse:
    """Build a TAXII error message response."""
    body = {
        "title": _TITLES.get(status, "Error"),
        "description": description,
        "http_status": str(status),
    }
    return TaxiiResponse(body, status_code=status, headers=headers)


class ErrorAnswer(NamedTuple):
    """How the API answers a failure: its HTTP status, and what that status means there."""

    status: int
    meaning: str


# One table both answers each domain error and documents it in the OpenAPI schema, so that
# the statuses the routes promise are the ones they send.
DOMAIN_ERRORS: dict[type[PasserelleError], ErrorAnswer] = {
    BadInput: ErrorAnswer(400, "Malformed request, or a rule of the request refused it"),
    Forbidden: ErrorAnswer(403, "Your role, or your side of the exchange, forbids this"),
    NotFound: ErrorAnswer(404, "No such record or object that you may know of"),
    Conflict: ErrorAnswer(409, "Its state refuses it: done already, or no longer open"),
}
UNAUTHENTICATED = ErrorAnswer(401, "Valid credentials are required")


def install_error_handlers(app: FastAPI) -> None:
    """Make every failure of the app answer as a TAXII error message."""

    @app.exception_handler(TaxiiError)
    async def taxii_error(_request: Request, exc: TaxiiError) -> TaxiiResponse:
        return error_response(exc.status, exc.description, exc.headers)

    @app.exception_handler(PasserelleError)
    async def domain_error(_request: Request, exc: PasserelleError) -> TaxiiResponse:
        answer = DOMAIN_ERRORS.get(type(exc))
        return error_response(answer.status if answer else 400, exc.message)

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(_request: Request, exc: RequestValidationError) -> TaxiiResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ())[1:])}: {err.get('msg', '')}"
            for err in exc.errors()
        )
        return error_response(400, f"invalid request parameters: {problems}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> TaxiiResponse:
        return error_response(exc.status_code, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, _exc: Exception) -> TaxiiResponse:
        return error_response(500, "the server failed to handle this request; it is logged")
