"""The per-learner limit on submitting self-checks (`SKILLPATH_CHECK_RATE_LIMIT`).

Counted by the app's limiter (api/auth/ratelimit.py): the same storage and the same 429 with
`Retry-After` as the login limits, and off when rate limiting is off.
"""

from fastapi import FastAPI, Request
from limits import RateLimitItem, parse_many

from api.auth.deps import CurrentCaller
from api.auth.ratelimit import rate_limits_of


def _check_limits(app: FastAPI) -> list[RateLimitItem]:
    items: list[RateLimitItem] | None = getattr(app.state, "check_rate_limits", None)
    if items is None:
        items = app.state.check_rate_limits = parse_many(app.state.settings.check_rate_limit)
    return items


async def limit_checks(request: Request, caller: CurrentCaller) -> None:
    """Refuse a check beyond the learner's limit. Every submission counts, refused ones too,
    so probing with invalid answers is no way round it."""
    await rate_limits_of(request.app).hit(
        _check_limits(request.app), "check-learner", str(caller.learner_id)
    )
