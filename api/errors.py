"""Domain errors and their RFC 9457 problem+json rendering, handled in one place."""

import logging
import re
import sqlite3
from http import HTTPStatus
from typing import Any, ClassVar

import psycopg
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ValidationIssue(BaseModel):
    """One reason a request was refused."""

    loc: list[str | int] = Field(examples=[["query", "limit"]])
    msg: str = Field(examples=["Input should be less than or equal to 100"])


class Problem(BaseModel):
    """An error response (RFC 9457)."""

    type: str = Field(examples=["urn:skillpath:problem:not-found"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["No topic with slug 'quantum-ml'."])
    instance: str = Field(examples=["/api/v1/topics/quantum-ml"])
    errors: list[ValidationIssue] | None = None


class ApiError(Exception):
    """An error a client caused or must know about; subclasses fix the status code."""

    status: ClassVar[HTTPStatus] = HTTPStatus.BAD_REQUEST
    code: ClassVar[str] = "bad-request"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers


class NotFound(ApiError):
    status = HTTPStatus.NOT_FOUND
    code = "not-found"


class Conflict(ApiError):
    status = HTTPStatus.CONFLICT
    code = "conflict"


class Unauthorized(ApiError):
    status = HTTPStatus.UNAUTHORIZED
    code = "unauthorized"

    def __init__(self, detail: str = "Missing or invalid bearer token.") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    status = HTTPStatus.FORBIDDEN
    code = "forbidden"


class PreconditionFailed(ApiError):
    status = HTTPStatus.PRECONDITION_FAILED
    code = "precondition-failed"


class InvalidInput(ApiError):
    """Input that passed the schema but breaks a rule only the service can check."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "invalid-input"


class WrongPassword(ApiError):
    """The account's password, asked again before a sensitive change, was not right."""

    status = HTTPStatus.BAD_REQUEST
    code = "wrong-password"


class TooManyRequests(ApiError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "too-many-requests"


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    code: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Render a problem+json response for `request`."""
    status = int(status)  # an HTTPStatus would show as its repr in logs and metrics
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": f"urn:skillpath:problem:{code or phrase.lower().replace(' ', '-')}",
        "title": phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _location(loc: tuple[Any, ...] | list[Any]) -> list[str | int]:
    return [part if isinstance(part, int) else str(part) for part in loc]


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return problem_response(request, exc.status, exc.detail, code=exc.code, headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": _location(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(part) for part in first["loc"])
    detail = f"{where}: {first['msg']}" if where else str(first["msg"])
    return problem_response(request, 422, detail, code="validation-error", errors=errors)


def _path_pattern(template: str, operation: dict[str, Any]) -> str:
    """A regex of the paths an operation serves: an integer path parameter matches digits only,
    as its route's `:int` converter does (`/teams/join` is not `/teams/{team_id}`)."""
    integers = {
        parameter["name"]
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer"
    }
    parts = re.split(r"\{([^/}]+)\}", template)
    pattern = ""
    for index, part in enumerate(parts):
        if index % 2 == 0:
            pattern += re.escape(part)
        else:
            pattern += "[0-9]+" if part in integers else "[^/]+"
    return pattern


def _documented_methods(request: Request) -> list[str]:
    """The methods the OpenAPI document lists for the request's path."""
    methods: list[str] = []
    for template, operations in request.app.openapi().get("paths", {}).items():
        for method, operation in operations.items():
            if re.fullmatch(_path_pattern(template, operation), request.url.path):
                methods.append(method.upper())
    return methods


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:
        # The router answers 405 from the first route matching the path, whose Allow names only
        # that route's methods; several routes may serve one path (GET and POST /topics).
        methods = _documented_methods(request)
        if methods:
            headers = {**(headers or {}), "Allow": ", ".join(methods)}
    return problem_response(request, exc.status_code, str(exc.detail), headers=headers)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(request, 500, "An unexpected error occurred.")


# Errors that may say the database cannot answer now (`database_unavailable` tells which): a
# lost or refused connection, no free connection in time (psycopg_pool.PoolTimeout is a
# psycopg.OperationalError), a lock not given in time, a deadlock or serialization failure, a
# full disk. SQLAlchemy wraps the driver's errors in its own when it runs the statement, and
# says when one means the connection is gone (`connection_invalidated`).
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    psycopg.OperationalError,
    sqlite3.OperationalError,
    sqlalchemy.exc.DBAPIError,
    sqlalchemy.exc.TimeoutError,  # no connection free in a synchronous engine's pool in time
)
# SQLite's primary result codes of that kind; its other OperationalErrors (a syntax error, a
# missing table) are the service's own faults, and stay 500s.
_SQLITE_UNAVAILABLE = frozenset(
    {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
    }
)
DATABASE_RETRY_AFTER_SECONDS = 2


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot answer now (one of DATABASE_ERRORS that a retry
    may get past), rather than that the service asked it something wrong."""
    if isinstance(exc, sqlalchemy.exc.TimeoutError):
        return True
    cause: BaseException | None = exc
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        cause = exc.orig
    if isinstance(cause, psycopg.OperationalError):
        return True
    if isinstance(cause, sqlite3.OperationalError):
        return cause.sqlite_errorcode & 0xFF in _SQLITE_UNAVAILABLE
    return False


def database_unavailable_response(request: Request, exc: BaseException) -> JSONResponse:
    """503 with Retry-After for a request the database could not serve (`database_unavailable`):
    the same request may succeed in a moment. (A write whose connection was lost after it was
    sent may have been made: a PUT can be sent again as it is, a POST's outcome is read back
    first.) The log names the error's type only: SQLAlchemy's message quotes the
    statement's parameters."""
    logger.warning(
        "database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__
    )
    return problem_response(
        request,
        503,
        "The database is not answering right now; try again shortly.",
        code="database-unavailable",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if not database_unavailable(exc):
        # The service's own fault (an integrity error it did not expect, a bad statement):
        # on to `_unexpected_error`, as every other error.
        raise exc
    return database_unavailable_response(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    """Render every error the app can raise as problem+json."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for database_error in DATABASE_ERRORS:
        app.add_exception_handler(database_error, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries declaring problem+json bodies for `statuses`."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": {"$ref": "#/components/schemas/Problem"},
                }
            },
        }
        for status in statuses
    }


# OpenAPI extension on admin-only operations, so clients (and the security tests) can tell them.
ADMIN_ONLY: dict[str, object] = {"x-required-role": "admin"}
