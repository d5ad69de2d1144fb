"""Service configuration, read from `SKILLPATH_*` environment variables."""

import re
from functools import lru_cache
from typing import Literal, Self

from limits import parse_many
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.database import POSTGRES_ASYNC_POOL_SIZE, POSTGRES_MAX_OVERFLOW, POSTGRES_POOL_SIZE

DEFAULT_DATABASE_URL = "sqlite:///./data/skillpath.db"
# Only good enough for a laptop: the service refuses to start with it outside development.
DEVELOPMENT_SECRET = "development-secret-change-me-0123456789abcdef"  # noqa: S105
# Storages of the `limits` library whose client is installed (redis-py).
RATE_LIMIT_STORAGE_SCHEMES = ("memory", "redis", "rediss", "redis+unix", "redis+sentinel")


class Settings(BaseSettings):
    """Every setting of the service; the environment variable is `SKILLPATH_` + the name."""

    model_config = SettingsConfigDict(env_prefix="SKILLPATH_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    database_pool_size: int = Field(
        default=POSTGRES_ASYNC_POOL_SIZE,
        ge=1,
        le=500,
        description=(
            "PostgreSQL connections each worker process may hold open for requests; the "
            "requests beyond them wait their turn. Each worker also opens a few of its own for "
            "start-up, the catalog's poll, health checks, metrics and catalog edits: usually "
            "one or two, though that pool is not bounded by this setting (up to "
            f"{POSTGRES_POOL_SIZE + POSTGRES_MAX_OVERFLOW} under a burst of them). So keep "
            "workers x (this + 2) under the server's max_connections (100 by default), with "
            "room to spare. Raise it for a database far enough away "
            "that a worker's requests spend most of their time waiting on it."
        ),
    )
    migrate_on_start: bool = True
    seed_on_start: bool = True
    # How often each process checks whether another process changed the catalog (seconds);
    # 0 turns the check off (a single process sees its own writes at once anyway).
    catalog_poll_seconds: float = Field(default=1.0, ge=0, le=60)

    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    access_token_minutes: int = Field(default=60, ge=1, le=60 * 24 * 30)
    admin_email: str | None = None
    admin_password: SecretStr | None = None

    cors_origins: list[str] = []
    # Cookies and HTTP auth cross-origin; bearer tokens need no credentials mode. Never with "*".
    cors_allow_credentials: bool = False
    # 2 MiB holds the largest valid body: a plan whose `known` and `in_progress` each list
    # 10,000 slugs of 64 characters (about 1.4 MB of JSON, 1.5 MB pretty-printed).
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    # Strict-Transport-Security max-age; 0 sends none. Set it only when clients use HTTPS.
    hsts_seconds: int = Field(default=0, ge=0)

    # Login and registration limits, in the `limits` notation ("10/minute;100/hour"). Counted
    # in process memory by default; several processes share counts through `redis://...`.
    rate_limits_enabled: bool = True
    login_rate_limit: str = "10/minute"  # per client address
    login_account_rate_limit: str = "5/minute;30/hour"  # per email, whatever the address
    register_rate_limit: str = "5/hour"  # per client address
    rate_limit_storage_uri: str = "memory://"
    check_rate_limit: str = Field(
        default="3/minute;30/hour",
        description=(
            "Self-checks a learner may submit, in the `limits` notation, counted per learner "
            "(whatever the address) in the same storage as the login limits. A check's result "
            "reveals its topic's right answers, so a loop submitting checks could harvest the "
            "question bank; a person needs a minute or more to read and answer a topic's 3-5 "
            "questions, so 3 a minute never stops one, and 30 an hour leaves room for a long "
            "study session of retakes while a script needs hours per account to sweep every "
            "topic."
        ),
    )

    # Spaced review: a topic is due once the chance of recalling it falls below this (FSRS's
    # desired retention). Anki allows 0.7 to 0.99; lower means fewer, later reviews.
    review_retention: float = Field(default=0.9, ge=0.7, le=0.99)

    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator(
        "login_rate_limit", "login_account_rate_limit", "register_rate_limit", "check_rate_limit"
    )
    @classmethod
    def _parse_rate_limit(cls, value: str) -> str:
        parse_many(value)  # raises ValueError on a malformed limit
        return value

    @field_validator("rate_limit_storage_uri")
    @classmethod
    def _known_storage(cls, value: str) -> str:
        if value.split("://", 1)[0] not in RATE_LIMIT_STORAGE_SCHEMES:
            raise ValueError(f"rate limit storage must be one of {RATE_LIMIT_STORAGE_SCHEMES}")
        return value

    @field_validator("cors_origins")
    @classmethod
    def _exact_origins(cls, origins: list[str]) -> list[str]:
        # A browser sends `Origin: https://host[:port]`; anything else would never match.
        for origin in origins:
            if origin != "*" and not re.fullmatch(r"https?://[^/\s]+", origin):
                raise ValueError(f"CORS origin {origin!r} is not of the form https://host[:port]")
        return origins

    @model_validator(mode="after")
    def _refuse_credentials_for_any_origin(self) -> Self:
        # With "*" and credentials, Starlette echoes any Origin back: every site could call the
        # API with the user's cookies.
        if self.cors_allow_credentials and "*" in self.cors_origins:
            raise ValueError("SKILLPATH_CORS_ALLOW_CREDENTIALS cannot be used with the origin '*'")
        return self

    @model_validator(mode="after")
    def _refuse_development_secret(self) -> Self:
        if self.environment != "development" and (
            self.secret_key.get_secret_value() == DEVELOPMENT_SECRET
            or len(self.secret_key.get_secret_value()) < 32
        ):
            raise ValueError(
                "SKILLPATH_SECRET_KEY must be set to a random value of at least 32 characters "
                "outside development"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
