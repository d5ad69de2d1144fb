"""Repeated catalog reads, answered from the catalog snapshot before routing.

A catalog read is a pure function of the catalog version, the path and the query. Its first
request is routed and answered by its endpoint, which keeps the rendered answer in the snapshot
(`api.catalog.http`); the same request again is answered here, with the same body and headers
(a 304 included), skipping routing, parameter validation and the endpoint. A catalog write
replaces the snapshot, so nothing kept outlives the version it was rendered from.
"""

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from api.catalog.http import kept_catalog_response
from api.catalog.store import CatalogStore
from api.observability.routes import KEPT_ANSWER_ROUTE


class CatalogAnswersMiddleware:
    """Answer a GET from the current snapshot's kept answers when it holds one."""

    def __init__(self, app: ASGIApp, *, catalog: Callable[[], CatalogStore]) -> None:
        self.app = app
        self.catalog = catalog

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            kept = kept_catalog_response(scope, self.catalog().snapshot)
            if kept is not None:
                response, route = kept
                scope[KEPT_ANSWER_ROUTE] = route
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
