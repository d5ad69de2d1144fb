"""The databases the suite runs on: SQLite always, PostgreSQL when one is configured or
answers at the local default address; and Redis, the shared rate-limit store."""

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from models.database import create_db_engine

POSTGRES_URL_VARIABLE = "SKILLPATH_TEST_POSTGRES_URL"
# Tried when the variable is unset, so `make test` on a machine with a local PostgreSQL (the
# README's and CI's) runs the PostgreSQL cases instead of skipping them.
LOCAL_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# CI sets this so that a missing or unreachable PostgreSQL fails the run instead of skipping.
REQUIRE_POSTGRES_VARIABLE = "SKILLPATH_TEST_REQUIRE_POSTGRES"
PROBE_TIMEOUT_SECONDS = 2
# The shared rate-limit store: tried at its local default; CI requires it like PostgreSQL.
REDIS_URL_VARIABLE = "SKILLPATH_TEST_REDIS_URL"
REQUIRE_REDIS_VARIABLE = "SKILLPATH_TEST_REQUIRE_REDIS"

BACKENDS = ["sqlite", "postgresql"]


@functools.cache
def _local_postgres_problem() -> str | None:
    """Why the local default PostgreSQL cannot be used (None when it answers); asked once."""
    engine = create_db_engine(
        LOCAL_POSTGRES_URL, connect_args={"connect_timeout": PROBE_TIMEOUT_SECONDS}
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
    finally:
        engine.dispose()
    return None


def postgres_url() -> str | None:
    """The configured PostgreSQL, else the local default when it answers, else None."""
    configured = os.environ.get(POSTGRES_URL_VARIABLE)
    if configured:
        return configured
    return LOCAL_POSTGRES_URL if _local_postgres_problem() is None else None


def require_postgres_url() -> str:
    """`postgres_url()`, or skip (fail in CI) saying what was tried."""
    url = postgres_url()
    if url is None:
        skip_or_fail_without_postgres(
            f"{POSTGRES_URL_VARIABLE} is not set and nothing answers at {LOCAL_POSTGRES_URL} "
            f"({_local_postgres_problem()})"
        )
        raise AssertionError("unreachable")
    return url


def skip_or_fail_without_postgres(reason: str) -> None:
    if os.environ.get(REQUIRE_POSTGRES_VARIABLE) == "1":
        pytest.fail(f"PostgreSQL is required here but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


def _make_engine(backend: str, tmp_dir: Path) -> Engine:
    """A new, empty database of `backend`: a SQLite file, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        return create_db_engine(f"sqlite:///{tmp_dir / f'{uuid.uuid4().hex}.db'}")
    url = require_postgres_url()
    schema = f"skillpath_test_{uuid.uuid4().hex[:8]}"
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


def skip_or_fail_without_redis(reason: str) -> None:
    """Skip a test that needs Redis, or fail it where Redis is required (CI)."""
    if os.environ.get(REQUIRE_REDIS_VARIABLE) == "1":
        pytest.fail(f"Redis is required here but {reason}", pytrace=False)
    pytest.skip(f"Redis tests skipped ({REDIS_URL_VARIABLE}): {reason}")


def _drop_engine(engine: Engine) -> None:
    """Remove what `_make_engine` created."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@contextmanager
def new_engine(backend: str, tmp_dir: Path) -> Iterator[Engine]:
    """An engine on a new, empty database of `backend` (a SQLite file in `tmp_dir`, or a fresh
    PostgreSQL schema), removed afterwards."""
    engine = _make_engine(backend, tmp_dir)
    try:
        yield engine
    finally:
        _drop_engine(engine)


@contextmanager
def fresh_database_url(backend: str, tmp_dir: Path) -> Iterator[str]:
    """The URL of a new, empty database of `backend`, removed afterwards (PostgreSQL)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_dir / f'{uuid.uuid4().hex}.db'}"
        return
    url = require_postgres_url()
    name = f"skillpath_reliability_{uuid.uuid4().hex[:8]}"
    admin = create_db_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        skip_or_fail_without_postgres(f"{url} is unreachable ({type(exc).__name__}: {exc})")
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
