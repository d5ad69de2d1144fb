"""The caller's plans, kept per learner and progress version, and answered before routing.

GET /me/recommendations, /me/roadmap and /me/gaps are pure functions of the catalog version, the
learner's progress version, the path, the query and the UTC date of `as_of` (retrievability
counts whole days; without `as_of` in the query, the date is today's). Their endpoints keep
what they rendered under (learner, progress version, path, query, and today's UTC date when
the query names no `as_of`) in the catalog snapshot's answers; the same request again, while
neither the catalog nor the learner's progress changed and on the same UTC date, is answered
from there by `api.middleware.kept_answers`, after the same token check as the endpoint's: its
one indexed read refuses a revoked token and answers the progress version
(api/auth/revocation.py).
"""

from datetime import UTC, date, datetime

from fastapi.security.utils import get_authorization_scheme_param
from starlette.datastructures import Headers, QueryParams
from starlette.types import Scope

from api import clock
from api.catalog.snapshot import CatalogSnapshot
from api.deps import UnitsOfWork
from api.planning.learner_states import LearnerStates
from api.planning.service import caller_with_state

LEARNER_READS = frozenset({"/api/v1/me/recommendations", "/api/v1/me/roadmap", "/api/v1/me/gaps"})

LearnerAnswerKey = tuple[str, int, int, str, bytes, date | None]
# Where a request's scope keeps whether its query names `as_of` (`_names_as_of`).
_NAMES_AS_OF = "skillpath.names_as_of"


def _key(
    learner_id: int, progress_version: int, scope: Scope, default_day: date | None
) -> LearnerAnswerKey:
    path, query = scope["path"], scope["query_string"]
    return ("learner read", learner_id, progress_version, path, query, default_day)


def _names_as_of(scope: Scope) -> bool:
    # A query that names `as_of` is told apart by the query itself; one without it asks about
    # today, so the date joins the key. Parsed once per request: looked up before routing and
    # kept by the endpoint.
    names = scope.get(_NAMES_AS_OF)
    if names is None:
        names = scope[_NAMES_AS_OF] = "as_of" in QueryParams(scope["query_string"])
    return bool(names)


def keep_learner_answer(
    scope: Scope,
    snapshot: CatalogSnapshot,
    *,
    learner_id: int,
    progress_version: int,
    as_of: datetime,
    body: bytes,
) -> None:
    """Keep the body a /me plan endpoint rendered for this learner at this progress version,
    looking at `as_of` (the query's, or the moment the request came)."""
    day = None if _names_as_of(scope) else as_of.astimezone(UTC).date()
    snapshot.answers.keep(_key(learner_id, progress_version, scope, day), body)


async def kept_learner_answer(
    scope: Scope, db: UnitsOfWork, states: LearnerStates, *, secret: str
) -> bytes | None:
    """The body kept for this request's learner, path and query at the learner's current
    progress version; None when the token is not valid or revoked (the endpoint then answers
    401) or nothing is kept. The token's check brings the learner's planner state in `states`
    up to date too, for the endpoint when nothing is kept (`service.caller_with_state`)."""
    scheme, token = get_authorization_scheme_param(Headers(scope=scope).get("authorization"))
    if scheme.lower() != "bearer" or not token:
        return None
    caller = await caller_with_state(scope, token, db, states, secret=secret)
    if caller is None:
        return None
    day = None if _names_as_of(scope) else clock.now().date()
    return db.catalog.answers.get(_key(caller.learner_id, caller.progress_version, scope, day))
