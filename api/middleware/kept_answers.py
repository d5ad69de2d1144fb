"""Repeated reads answered before routing, from the answers the catalog snapshot keeps.

A catalog read is a pure function of the catalog version, the path and the query; the caller's
recommendations and roadmap, of those and the learner's progress version. The first request is
routed and answered by its endpoint, which keeps the rendered answer in the snapshot
(api/catalog/http.py, api/planning/kept_answers.py); the same request again is answered here
with the same body and headers (a catalog 304 included), skipping routing, dependency solving
and parameter validation. A catalog write replaces the snapshot and a progress write moves
the learner's progress version, so nothing kept outlives what it was rendered from.
"""

from collections.abc import Callable

from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.catalog.http import kept_catalog_response
from api.deps import UnitsOfWork
from api.errors import DATABASE_ERRORS, database_unavailable, database_unavailable_response
from api.observability.routes import KEPT_ANSWER, ROUTE_BEFORE_ROUTING
from api.planning.kept_answers import LEARNER_READS, kept_learner_answer
from api.responses import JSONBytes


class KeptAnswersMiddleware:
    """Answer a GET from the current snapshot's kept answers when it holds one."""

    def __init__(self, app: ASGIApp, *, state: Callable[[], State]) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            try:
                kept = await self._kept(scope)
            except DATABASE_ERRORS as exc:
                if not database_unavailable(exc):
                    raise
                # The token's check could not be made: the endpoint could not make it either.
                # (Only the /me plan reads check before routing; their paths are their routes.)
                scope[ROUTE_BEFORE_ROUTING] = scope["path"]
                await database_unavailable_response(Request(scope), exc)(scope, receive, send)
                return
            if kept is not None:
                response, route = kept
                scope[ROUTE_BEFORE_ROUTING] = route
                scope[KEPT_ANSWER] = True
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _kept(self, scope: Scope) -> tuple[Response, str] | None:
        state = self.state()
        kept = kept_catalog_response(scope, state.catalog.snapshot)
        if kept is not None or scope["path"] not in LEARNER_READS:
            return kept
        body = await kept_learner_answer(
            scope,
            UnitsOfWork(state.database, state.catalog),
            state.learner_states,
            secret=state.settings.secret_key.get_secret_value(),
        )
        # These routes have no path parameters: the path is the route template.
        return None if body is None else (JSONBytes(body), scope["path"])
