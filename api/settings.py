"""Service configuration, read from `SKILLPATH_*` environment variables."""

from functools import lru_cache
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./data/skillpath.db"
# Only good enough for a laptop: the service refuses to start with it outside development.
DEVELOPMENT_SECRET = "development-secret-change-me-0123456789abcdef"  # noqa: S105


class Settings(BaseSettings):
    """Every setting of the service; the environment variable is `SKILLPATH_` + the name."""

    model_config = SettingsConfigDict(env_prefix="SKILLPATH_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
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
    log_level: Literal["debug", "info", "warning", "error"] = "info"

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
