"""Fixtures: every API test runs once on SQLite and once on PostgreSQL, in a rolled-back
transaction on top of a database that was migrated and seeded once per run."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pydantic import SecretStr
from sqlalchemy import Connection, Engine

from api.app import create_app, use_database
from api.auth import security
from api.settings import Settings
from models.database import Database, transaction
from models.migrate import upgrade_to_head
from seed.loader import load_catalog
from seed.schema import load_seed_catalog
from tests.databases import BACKENDS, new_engine

TEST_SECRET = "test-secret-0123456789abcdef0123456789abcdef"


def make_settings(**overrides: object) -> Settings:
    """Settings for an app under test: no start-up work, no background polling."""
    values: dict[str, object] = {
        "environment": "test",
        "secret_key": SecretStr(TEST_SECRET),
        "migrate_on_start": False,
        "seed_on_start": False,
        "catalog_poll_seconds": 0,
        # The suite logs in hundreds of accounts from one address; tests/api/test_rate_limits.py
        # turns the limits on for apps of its own.
        "rate_limits_enabled": False,
    }
    values.update(overrides)
    return Settings.model_validate(values)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Hash test passwords with tiny argon2 costs: the suite registers hundreds of accounts,
    and the production costs exist to make guessing slow, which tests do not need."""
    fast = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(security, "_hasher", fast)
        patch.setattr(security, "_DUMMY_HASH", fast.hash("dummy"))
        yield


@pytest.fixture(scope="session", params=BACKENDS)
def seeded_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A database of each backend, migrated to head with the seed catalog committed."""
    with new_engine(request.param, tmp_path_factory.mktemp("db")) as engine:
        upgrade_to_head(engine)
        database = Database(engine)
        with transaction(database.session_factory) as session:
            load_catalog(session, load_seed_catalog())
        yield engine


@pytest.fixture
def connection(seeded_engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with seeded_engine.connect() as connection:
        outer = connection.begin()
        yield connection
        outer.rollback()


@pytest.fixture
def database(connection: Connection) -> Database:
    """The test's database: everything it does joins the test's transaction."""
    return Database.joined(connection)


@pytest.fixture(scope="session")
def _shared_app() -> FastAPI:
    # Building an app (its routes' state) costs more than most tests, so tests share one.
    return create_app(make_settings(), database=Database.from_url("sqlite://"))


@pytest.fixture
def app(_shared_app: FastAPI, database: Database) -> FastAPI:
    """The app, serving the test's database with a fresh catalog store."""
    use_database(_shared_app, database)
    return _shared_app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client
