"""Rate limits on logging in and registering: per client address and per account.

Counts live in the storage `SKILLPATH_RATE_LIMIT_STORAGE_URI` names: process memory by default
(each process counts alone, so N workers allow N times the limit), or Redis (`redis://host:6379/0`)
shared by every process. One limiter belongs to one app, so apps never share counts.

The client is the address the ASGI server reports. Behind a reverse proxy that is the proxy's
address, so every client would share one budget: run uvicorn with `--proxy-headers` and
`--forwarded-allow-ips=<proxy address>` (or `FORWARDED_ALLOW_IPS`) so it takes the client from
`X-Forwarded-For` (uvicorn trusts only 127.0.0.1 by default). Never trust `*` on a server that
clients reach directly: each request could then name its own address and dodge the per-client
limit (the per-account limit still holds).
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.security import OAuth2PasswordRequestForm
from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string

from api.errors import TooManyRequests
from api.settings import Settings

logger = logging.getLogger(__name__)

# A stuck Redis must not hold logins: give up on it quickly and let the request through.
_REDIS_TIMEOUT_SECONDS = 0.5


@dataclass(frozen=True)
class RateLimits:
    """The limits of one app and the storage counting them."""

    limiter: MovingWindowRateLimiter | None
    login_per_client: list[RateLimitItem]
    login_per_account: list[RateLimitItem]
    register_per_client: list[RateLimitItem]

    @classmethod
    def from_settings(cls, settings: Settings) -> "RateLimits":
        """Limits as configured; without a limiter when rate limiting is off."""
        limiter = None
        if settings.rate_limits_enabled:
            limiter = MovingWindowRateLimiter(_storage(settings.rate_limit_storage_uri))
        return cls(
            limiter=limiter,
            login_per_client=parse_many(settings.login_rate_limit),
            login_per_account=parse_many(settings.login_account_rate_limit),
            register_per_client=parse_many(settings.register_rate_limit),
        )

    async def hit(self, items: list[RateLimitItem], *identifiers: str) -> None:
        """Count one attempt against every item, or raise 429 when one is used up."""
        if self.limiter is None:
            return
        try:
            for item in items:
                # The moving window's hit is atomic: a burst of concurrent requests cannot all
                # slip under the limit, as it could between a separate check and count.
                if not await self.limiter.hit(item, *identifiers):
                    stats = await self.limiter.get_window_stats(item, *identifiers)
                    retry_after = max(1, math.ceil(stats.reset_time - time.time()))
                    raise TooManyRequests(
                        f"Too many attempts; try again in {retry_after} seconds.",
                        headers={"Retry-After": str(retry_after)},
                    )
        except StorageError:
            # Failing open: an unreachable shared store must not lock every user out.
            logger.error("rate limit storage unavailable; request allowed", exc_info=True)


def _storage(uri: str) -> Storage:
    if uri.startswith("memory://"):
        storage = storage_from_string(f"async+{uri}", wrap_exceptions=True)
    else:
        storage = storage_from_string(
            f"async+{uri}",
            implementation="redispy",
            wrap_exceptions=True,
            socket_timeout=_REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=_REDIS_TIMEOUT_SECONDS,
        )
    assert isinstance(storage, Storage)
    return storage


def rate_limits_of(app: FastAPI) -> RateLimits:
    """The app's limits, made on first use from its settings."""
    limits: RateLimits | None = getattr(app.state, "rate_limits", None)
    if limits is None:
        limits = app.state.rate_limits = RateLimits.from_settings(app.state.settings)
    return limits


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _account(email: str) -> str:
    # Normalised like login does; hashed so a shared store holds no email addresses.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


async def limit_login(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> None:
    """Refuse a login beyond the client's or the account's limit.

    Every attempt counts, successful ones too: counting before the password is checked is
    what keeps concurrent guesses from racing past the limit, and a person logs in far less
    often than the per-account limit allows. Refusing before the check also means a guess made
    while limited learns nothing, right or wrong.
    """
    rate_limits = rate_limits_of(request.app)
    await rate_limits.hit(rate_limits.login_per_client, "login-client", _client(request))
    await rate_limits.hit(rate_limits.login_per_account, "login-account", _account(form.username))


async def limit_registration(request: Request) -> None:
    """Refuse a registration beyond the client's limit; every attempt counts."""
    rate_limits = rate_limits_of(request.app)
    await rate_limits.hit(rate_limits.register_per_client, "register-client", _client(request))


async def limit_password_check(request: Request, email: str) -> None:
    """Refuse a password check of a signed-in account (a password change, an account deletion)
    beyond the account's login limit: a stolen token must not become a way to guess the
    password. Counted like logins, so the two share one budget."""
    rate_limits = rate_limits_of(request.app)
    await rate_limits.hit(rate_limits.login_per_account, "login-account", _account(email))
