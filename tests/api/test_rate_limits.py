"""Rate limits on logging in (per client and per account) and on registering.

Each test builds its own app with the limits on (the shared test app has them off), behind
uvicorn's proxy-headers middleware trusting everyone, so `X-Forwarded-For` picks the client
address the way a deployment behind a reverse proxy does.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.app import create_app
from models.database import Database
from tests.api.builders import PASSWORD, new_learner
from tests.api.test_catalog_reads import assert_problem
from tests.conftest import make_settings
from tests.databases import REDIS_URL_VARIABLE, skip_or_fail_without_redis

REDIS_URL = os.environ.get(REDIS_URL_VARIABLE, "redis://127.0.0.1:6379/0")
GENEROUS = "1000/minute"


@contextmanager
def limited_client(database: Database, **limits: object) -> Iterator[TestClient]:
    settings = make_settings(
        rate_limits_enabled=True,
        login_rate_limit=limits.pop("login_rate_limit", GENEROUS),
        login_account_rate_limit=limits.pop("login_account_rate_limit", GENEROUS),
        register_rate_limit=limits.pop("register_rate_limit", GENEROUS),
        **limits,
    )
    # uvicorn and Starlette type ASGI apps differently; both are plain ASGI callables.
    app: Any = create_app(settings, database=database)
    proxied: Any = ProxyHeadersMiddleware(app, trusted_hosts="*")
    with TestClient(proxied) as client:
        yield client


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def log_in(client: TestClient, email: str, password: str = PASSWORD, *, address: str):
    data = {"username": email, "password": password}
    return client.post("/api/v1/auth/token", data=data, headers=_from(address))


def register(client: TestClient, email: str, *, address: str):
    body = {"email": email, "password": PASSWORD, "display_name": "Rate"}
    return client.post("/api/v1/auth/register", json=body, headers=_from(address))


def assert_limited(response, *, at_most: int) -> int:
    problem = assert_problem(response, 429)
    assert problem["type"] == "urn:skillpath:problem:too-many-requests"
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= at_most
    assert str(retry_after) in problem["detail"]
    return retry_after


def test_logins_are_limited_per_client_address(database: Database):
    with limited_client(database, login_rate_limit="3/minute") as client:
        for attempt in range(3):
            wrong = log_in(client, f"guess{attempt}@example.com", address="203.0.113.7")
            assert_problem(wrong, 401)
        assert_limited(log_in(client, "guess9@example.com", address="203.0.113.7"), at_most=60)
        # Another client keeps its own budget.
        assert_problem(log_in(client, "guess9@example.com", address="198.51.100.1"), 401)


def test_logins_are_limited_per_account_across_addresses(database: Database):
    with limited_client(database, login_account_rate_limit="4/minute") as client:
        victim = new_learner(client)  # its first login counts too
        for attempt in range(3):
            wrong = log_in(client, victim.email, "wrong-password", address=f"10.0.0.{attempt}")
            assert_problem(wrong, 401)
        # Spread over addresses, the guesses still hit the account's limit, and while it holds
        # even the right password learns nothing.
        assert_limited(log_in(client, victim.email, address="10.0.0.99"), at_most=60)
        assert_limited(log_in(client, victim.email.upper(), address="10.0.0.98"), at_most=60)
        other = new_learner(client)
        assert log_in(client, other.email, address="10.0.0.99").status_code == 200


def test_every_limit_of_a_semicolon_list_applies(database: Database):
    # The hour's limit is the stricter one and comes second: a list read only in part would
    # let the third attempt through.
    with limited_client(database, login_rate_limit="5/minute;2/hour") as client:
        for attempt in range(2):
            assert_problem(log_in(client, f"list{attempt}@example.com", address="192.0.2.77"), 401)
        retry_after = assert_limited(
            log_in(client, "list9@example.com", address="192.0.2.77"), at_most=3600
        )
        assert retry_after > 60  # the hour's window, not the minute's


def test_successful_logins_count_too(database: Database):
    with limited_client(database, login_account_rate_limit="2/minute") as client:
        learner = new_learner(client)  # one login
        assert log_in(client, learner.email, address="192.0.2.1").status_code == 200
        assert_limited(log_in(client, learner.email, address="192.0.2.1"), at_most=60)


def test_registrations_are_limited_per_client_address(database: Database):
    with limited_client(database, register_rate_limit="2/hour") as client:
        assert register(client, "one@example.com", address="203.0.113.9").status_code == 201
        assert_problem(register(client, "one@example.com", address="203.0.113.9"), 409)
        refused = register(client, "two@example.com", address="203.0.113.9")
        assert_limited(refused, at_most=3600)
        assert log_in(client, "two@example.com", address="192.0.2.50").status_code == 401
        assert register(client, "two@example.com", address="203.0.113.10").status_code == 201


def test_limits_belong_to_one_app(database: Database):
    with limited_client(database, login_rate_limit="1/minute") as client:
        assert_problem(log_in(client, "a@example.com", address="192.0.2.7"), 401)
        assert_limited(log_in(client, "a@example.com", address="192.0.2.7"), at_most=60)
    with limited_client(database, login_rate_limit="1/minute") as fresh:
        assert_problem(log_in(fresh, "a@example.com", address="192.0.2.7"), 401)


def test_operations_declare_429(client: TestClient):
    paths = client.get("/openapi.json").json()["paths"]
    assert "429" in paths["/api/v1/auth/token"]["post"]["responses"]
    assert "429" in paths["/api/v1/auth/register"]["post"]["responses"]


def test_an_unreachable_store_lets_requests_through(database: Database):
    # Nothing listens on port 1: the limiter fails open rather than answering 500.
    with limited_client(
        database, login_rate_limit="1/minute", rate_limit_storage_uri="redis://127.0.0.1:1/0"
    ) as client:
        for _ in range(3):
            assert_problem(log_in(client, "nobody@example.com", address="192.0.2.8"), 401)


@pytest.fixture(scope="module")
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError as exc:
        skip_or_fail_without_redis(f"nothing answers at {REDIS_URL} ({exc})")
    return REDIS_URL


def test_processes_sharing_redis_share_the_counts(database: Database, redis_url: str):
    # A fresh address per run, so counts left in Redis by an earlier run cannot interfere.
    address = f"2001:db8::{uuid.uuid4().hex[:4]}"
    limits = {"login_rate_limit": "2/minute", "rate_limit_storage_uri": redis_url}
    with limited_client(database, **limits) as first, limited_client(database, **limits) as second:
        assert_problem(log_in(first, "r@example.com", address=address), 401)
        assert_problem(log_in(second, "r@example.com", address=address), 401)
        assert_limited(log_in(first, "r@example.com", address=address), at_most=60)
        assert_limited(log_in(second, "r@example.com", address=address), at_most=60)
