"""The databases the suite runs on: SQLite always, PostgreSQL when one is configured."""

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from models.database import create_db_engine

POSTGRES_URL_VARIABLE = "SKILLPATH_TEST_POSTGRES_URL"
# CI sets this so that a missing or unreachable PostgreSQL fails the run instead of skipping.
REQUIRE_POSTGRES_VARIABLE = "SKILLPATH_TEST_REQUIRE_POSTGRES"

BACKENDS = ["sqlite", "postgresql"]


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_URL_VARIABLE) or None


def skip_or_fail_without_postgres(reason: str) -> None:
    if os.environ.get(REQUIRE_POSTGRES_VARIABLE) == "1":
        pytest.fail(f"PostgreSQL is required here but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


def make_engine(backend: str, tmp_dir: Path, *, schema: str | None = None) -> Engine:
    """A new, empty database of `backend`: a SQLite file, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        return create_db_engine(f"sqlite:///{tmp_dir / f'{uuid.uuid4().hex}.db'}")
    url = postgres_url()
    if url is None:
        skip_or_fail_without_postgres(f"{POSTGRES_URL_VARIABLE} is not set")
        raise AssertionError("unreachable")
    schema = schema or f"skillpath_test_{uuid.uuid4().hex[:8]}"
    admin = create_db_engine(url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        skip_or_fail_without_postgres(f"{url} is unreachable ({type(exc).__name__}: {exc})")
    finally:
        admin.dispose()
    return create_db_engine(url, connect_args={"options": f"-c search_path={schema}"})


def drop_engine(engine: Engine) -> None:
    """Remove what `make_engine` created."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()
