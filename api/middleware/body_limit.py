"""A cap on request bodies, refused with 413 before the app sees them.

Starlette's and FastAPI's own `max_body_size` check a declared Content-Length only when the app
reads the body or starts its response, so a route that ignores its body would still run; this
refuses a declared oversize body before routing, and counts the bytes of a body sent without
Content-Length (chunked) as the app reads it.
"""

import contextlib
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem_response, problem_responses

STATUS = 413


class BodyTooLarge(HTTPException):
    """Raised from `receive` once a streamed body passes the limit. An HTTPException, so
    FastAPI's body reading lets it through to the app's problem+json handler."""

    def __init__(self, limit: int) -> None:
        super().__init__(STATUS, detail=_detail(limit))


def _detail(limit: int) -> str:
    return f"The request body is larger than the limit of {limit} bytes."


def _framing(scope: Scope) -> tuple[int | None, bool]:
    """The declared Content-Length, and whether a body may come without one: chunked, or
    over HTTP/2 and later (HTTP/1 without either header has no body)."""
    length = None
    streamed = scope.get("http_version", "1.1") not in ("1.0", "1.1")
    for name, value in scope["headers"]:
        if name == b"content-length":
            # A malformed length is refused by the server before the app runs.
            with contextlib.suppress(ValueError):
                length = int(value)
        elif name == b"transfer-encoding":
            streamed = True
    return length, streamed


class BodyLimitMiddleware:
    """Refuse request bodies over `max_body_bytes` with a 413 problem."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, streamed = _framing(scope)
        if declared is not None and declared > self.max_body_bytes:
            response = problem_response(Request(scope), STATUS, _detail(self.max_body_bytes))
            await response(scope, receive, send)
        elif streamed and declared is None:
            await self._call_counting(scope, receive, send)
        else:
            # The server delivers exactly the declared length, or no body: nothing to count.
            await self.app(scope, receive, send)

    async def _call_counting(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        started = False

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        async def send_tracking_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive_within_limit, send_tracking_start)
        except BodyTooLarge as exc:
            # Only reached when something read the body outside the app's exception handlers.
            if started:
                raise
            response = problem_response(Request(scope), STATUS, str(exc.detail))
            await response(scope, receive, send)


def declare_body_limit(app: FastAPI) -> None:
    """Declare the 413 problem on every operation that takes a body, in the OpenAPI document
    the app already builds (wraps `app.openapi`, so it runs after `install_openapi`)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if "requestBody" in operation:
                    responses = operation.setdefault("responses", {})
                    responses.setdefault(str(STATUS), problem_responses(STATUS)[STATUS])
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
