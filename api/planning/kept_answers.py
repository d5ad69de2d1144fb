"""The caller's plans, kept per learner and progress version, and answered before routing.

GET /me/recommendations and /me/roadmap are pure functions of the catalog version, the
learner's progress version, the path and the query. Their endpoints keep what they rendered
under (learner, progress version, path, query) in the catalog snapshot's answers; the same
request again, while neither the catalog nor the learner's progress changed, is answered from
there by `api.middleware.kept_answers`, after the same token check as the endpoint's: its one
indexed read refuses a revoked token and answers the progress version (api/auth/revocation.py).
"""

from fastapi.security.utils import get_authorization_scheme_param
from starlette.datastructures import Headers
from starlette.types import Scope

from api.auth.revocation import caller_of
from api.catalog.snapshot import CatalogSnapshot
from api.deps import UnitsOfWork

LEARNER_READS = frozenset({"/api/v1/me/recommendations", "/api/v1/me/roadmap"})

LearnerAnswerKey = tuple[str, int, int, str, bytes]


def _key(learner_id: int, progress_version: int, scope: Scope) -> LearnerAnswerKey:
    return ("learner read", learner_id, progress_version, scope["path"], scope["query_string"])


def keep_learner_answer(
    scope: Scope, snapshot: CatalogSnapshot, *, learner_id: int, progress_version: int, body: bytes
) -> None:
    """Keep the body a /me plan endpoint rendered for this learner at this progress version."""
    snapshot.answers.keep(_key(learner_id, progress_version, scope), body)


async def kept_learner_answer(scope: Scope, db: UnitsOfWork, *, secret: str) -> bytes | None:
    """The body kept for this request's learner, path and query at the learner's current
    progress version; None when the token is not valid or revoked (the endpoint then answers
    401) or nothing is kept."""
    scheme, token = get_authorization_scheme_param(Headers(scope=scope).get("authorization"))
    if scheme.lower() != "bearer" or not token:
        return None
    caller = await caller_of(token, db, secret=secret)
    if caller is None:
        return None
    return db.catalog.answers.get(_key(caller.learner_id, caller.progress_version, scope))
