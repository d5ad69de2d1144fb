"""While the database cannot answer, a request gets 503 problem+json with Retry-After (not a
500), and once it answers again the service goes on by itself, having lost nothing it
acknowledged and made nothing it refused.

SQLite: another process holds the database's write lock past the busy timeout; reads still
answer (WAL). PostgreSQL: the server ends every session of the database and refuses new ones,
so a write meets a lost connection and a read finds no connection to be had in time
(psycopg_pool.PoolTimeout); then the server takes connections again.
"""

import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.exc
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import make_url, text

from api.app import create_app
from api.errors import PROBLEM_MEDIA_TYPE, database_unavailable
from models import async_connections
from models import database as database_module
from models.database import create_db_engine
from tests.conftest import make_settings
from tests.databases import BACKENDS, fresh_database_url, require_postgres_url

PASSWORD = "unavailable database passphrase"
TOPIC = "linear-regression"
RECOMMENDATIONS = "/api/v1/me/recommendations?goal=job-interview&limit=3"
# How long the service waits for the lock or a connection before it answers 503.
WAIT_SECONDS = 0.5
RECOVERY_SECONDS = 30


@contextmanager
def sqlite_write_lock(url: str) -> Iterator[None]:
    """Another connection holds the SQLite file's write lock for the block."""
    holder = sqlite3.connect(make_url(url).database or "", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
        holder.execute("ROLLBACK")
    finally:
        holder.close()


@contextmanager
def postgres_refusing(url: str) -> Iterator[None]:
    """The server ends every session of the database at `url` and refuses new ones for the
    block (the sessions of a database being restarted, or one at its connection limit)."""
    name = make_url(url).database
    # From the suite's own database (the one fresh_database_url made this one from).
    admin = create_db_engine(require_postgres_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        try:
            yield
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    finally:
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def served(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str, TestClient]]:
    """The backend, its database URL and a client of an app serving it (migrated and seeded by
    its own start-up), waiting WAIT_SECONDS for a lock or a connection."""
    monkeypatch.setattr(database_module, "SQLITE_BUSY_TIMEOUT_MS", int(WAIT_SECONDS * 1000))
    monkeypatch.setattr(async_connections, "CHECKOUT_TIMEOUT_SECONDS", WAIT_SECONDS)
    with fresh_database_url(request.param, tmp_path) as url:
        settings = make_settings(database_url=url, migrate_on_start=True, seed_on_start=True)
        with TestClient(create_app(settings)) as client:
            yield request.param, url, client


@contextmanager
def unavailable(backend: str, url: str) -> Iterator[None]:
    with sqlite_write_lock(url) if backend == "sqlite" else postgres_refusing(url):
        yield


def log_in(client: TestClient) -> dict[str, str]:
    email = f"unavailable-{uuid.uuid4().hex[:8]}@example.com"
    registered = client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "Unavailable"},
    )
    assert registered.status_code == 201, registered.text
    token = client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def put(client: TestClient, headers: dict[str, str], status: str) -> Any:
    return client.put(f"/api/v1/me/progress/{TOPIC}", json={"status": status}, headers=headers)


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["retry-after"] == "2"
    problem = response.json()
    assert problem["type"] == "urn:skillpath:problem:database-unavailable"
    assert problem["status"] == 503


def unavailable_by_route(client: TestClient) -> dict[str, float]:
    """How many 503 answers /metrics counts, by route. (Its counts of learners are read on a
    synchronous pool's connection, which the server may have ended: that read answers 503
    once, and the pool opens new connections for the next.)"""
    metrics = client.get("/metrics")
    if metrics.status_code == 503:
        metrics = client.get("/metrics")
    assert metrics.status_code == 200, metrics.text
    return {
        sample.labels["route"]: sample.value
        for family in text_string_to_metric_families(metrics.text)
        for sample in family.samples
        if sample.name == "skillpath_http_requests_total" and sample.labels["status"] == "503"
    }


def test_an_unavailable_database_gets_503_and_the_service_recovers_by_itself(
    served: tuple[str, str, TestClient],
):
    backend, url, client = served
    headers = log_in(client)
    assert put(client, headers, "in_progress").status_code == 201
    assert client.get(RECOMMENDATIONS, headers=headers).status_code == 200

    with unavailable(backend, url):
        assert_unavailable(put(client, headers, "completed"))
        read = client.get(RECOMMENDATIONS, headers=headers)
        if backend == "sqlite":
            assert read.status_code == 200, read.text  # a reader never waits for the writer
        else:
            assert_unavailable(read)

    # Back: the next requests are served again (the pool reconnects on its own, with backoff).
    deadline = time.monotonic() + RECOVERY_SECONDS
    while (again := put(client, headers, "completed")).status_code == 503:
        assert time.monotonic() < deadline, "the service did not recover"
        time.sleep(0.2)
    assert again.status_code == 200, again.text
    assert client.get(RECOMMENDATIONS, headers=headers).status_code == 200
    # The refused write made nothing: the history holds the first write and the last.
    history = client.get(f"/api/v1/me/progress/{TOPIC}/history", headers=headers).json()
    assert [event["new"]["status"] for event in history["items"]] == ["in_progress", "completed"]
    assert again.json()["version"] == 2
    # Counted under their routes (the GET's 503 came from the token's check before routing).
    refused = {"/api/v1/me/progress/{topic_slug}"}
    if backend == "postgresql":
        refused.add("/api/v1/me/recommendations")
    assert refused <= set(unavailable_by_route(client))


def sqlite_error(statement: str, *, locked_by: sqlite3.Connection | None = None) -> Exception:
    """The error SQLite raises for `statement` (run on a connection of its own, waiting for no
    lock, when `locked_by` holds the write lock of the same file)."""
    path = locked_by.execute("PRAGMA database_list").fetchone()[2] if locked_by else ":memory:"
    connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        connection.execute(statement)
    except sqlite3.Error as exc:
        return exc
    finally:
        connection.close()
    raise AssertionError(f"{statement!r} did not fail")


def test_only_a_database_that_cannot_answer_now_is_unavailable(tmp_path: Path):
    holder = sqlite3.connect(tmp_path / "held.db", isolation_level=None)
    try:
        holder.execute("CREATE TABLE t (x)")
        holder.execute("BEGIN IMMEDIATE")
        assert database_unavailable(sqlite_error("INSERT INTO t VALUES (1)", locked_by=holder))
    finally:
        holder.close()
    # The service's own mistakes stay 500s: SQLite raises OperationalError for them too.
    assert not database_unavailable(sqlite_error("SELEC 1"))
    assert not database_unavailable(sqlite_error("SELECT * FROM missing"))


def test_a_checkout_that_finds_no_free_connection_gives_up_as_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # The synchronous pools wait as long as the event loop's (CHECKOUT_TIMEOUT_SECONDS): here
    # the SQLite file's one writing connection, taken by another thread's work.
    monkeypatch.setattr(database_module, "CHECKOUT_TIMEOUT_SECONDS", WAIT_SECONDS)
    database = database_module.Database.from_url(f"sqlite:///{tmp_path / 'busy.db'}")
    try:
        with database.write_engine.connect(), pytest.raises(sqlalchemy.exc.TimeoutError) as gave_up:
            database.write_engine.connect()
        assert database_unavailable(gave_up.value)
    finally:
        database.dispose()
