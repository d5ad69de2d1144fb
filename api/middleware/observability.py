"""A request id on every request and response, one access log line, and request metrics."""

import os
import re
import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.observability.kept import start_request
from api.observability.metrics import Metrics
from api.observability.routes import KEPT_ANSWER, route_template

REQUEST_ID_HEADER = b"x-request-id"
# A client's id is kept only when it is short and plain, so it cannot forge log lines.
_SAFE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,128}")

access_log = structlog.get_logger()
# What an access line gives as its `logger`, as the standard library's records give theirs.
ACCESS_LOGGER = "skillpath.access"


class ObservabilityMiddleware:
    """Takes the request id from `X-Request-ID` or makes one, returns it, binds it to every
    log line of the request, and records one access line and the request's metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        status = 500
        marks = start_request()
        structlog.contextvars.bind_contextvars(request_id=request_id.decode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER, request_id)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            method: str = scope["method"]
            kept = "request" if KEPT_ANSWER in scope else ("body" if marks else None)
            self.metrics.observe(
                method=method, route=route, status=status, seconds=seconds, kept=kept
            )
            access_log.info(
                "request",
                logger=ACCESS_LOGGER,
                method=method,
                route=route,
                status=status,
                duration_ms=round(seconds * 1000, 3),
                request_id=request_id.decode(),
            )
            structlog.contextvars.unbind_contextvars("request_id")


def _request_id(scope: Scope) -> bytes:
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for name, value in headers:
        if name == REQUEST_ID_HEADER and _SAFE_REQUEST_ID.fullmatch(value):
            return value
    # 32 hex digits of random bits, as uuid4().hex looks, without building a UUID (that was
    # 1-2% of a request's time).
    return os.urandom(16).hex().encode()
