"""Security as a matrix over every route the app has, so a new route is covered unaided.

Each route is classified by the dependencies it declares: public, learner (a bearer token) or
admin. Every route under /api/v1 that changes state must be in one of the protected classes
unless it is listed as public on purpose.
"""

import base64
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth.security import create_access_token
from models.database import Database
from tests.api.builders import new_admin, new_learner, record_progress
from tests.api.test_catalog_reads import assert_problem
from tests.conftest import TEST_SECRET, make_settings

# State-changing routes anyone may call, and why.
PUBLIC_WRITES = {
    ("POST", "/api/v1/auth/register"),  # opening an account
    ("POST", "/api/v1/auth/token"),  # logging in
    ("POST", "/api/v1/plans"),  # a stateless plan: stores nothing
}
PATH_VALUES = {
    "slug": "transformers",
    "prerequisite_slug": "sequence-models",
    "topic_slug": "transformers",
    "resource_id": "1",
    "question_id": "1",
}


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    """Every operation the OpenAPI document lists: the contract clients see."""
    schema = create_app(make_settings(database_url="sqlite://")).openapi()
    return [
        (method.upper(), path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], path)


OPERATIONS = _operations()
PROTECTED = [(m, p) for m, p, op in OPERATIONS if op.get("security")]
ADMIN = [(m, p) for m, p, op in OPERATIONS if op.get("x-required-role") == "admin"]
LEARNER = [route for route in PROTECTED if route not in ADMIN]
WITH_BODY = [
    (m, p, op.get("x-required-role") == "admin")
    for m, p, op in OPERATIONS
    if "application/json" in op.get("requestBody", {}).get("content", {})
]


def test_every_state_changing_route_is_protected_or_public_on_purpose():
    unprotected = {
        (method, path)
        for method, path, _op in OPERATIONS
        if method in {"POST", "PUT", "PATCH", "DELETE"} and (method, path) not in PROTECTED
    }
    assert unprotected <= PUBLIC_WRITES
    assert set(ADMIN) <= set(PROTECTED)
    assert len(ADMIN) >= 13
    assert LEARNER


def test_no_route_takes_a_learner_id():
    # Learners reach their own data through /me only, so there is no id to swap.
    for _method, path, _op in OPERATIONS:
        assert "learner" not in path
        assert "{id}" not in path


def _unsigned(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _bad_tokens() -> dict[str, str | None]:
    valid = create_access_token(learner_id=1, secret=TEST_SECRET, lifetime=timedelta(hours=1))
    head, body, signature = valid.split(".")
    return {
        "none": None,
        "expired": create_access_token(
            learner_id=1, secret=TEST_SECRET, lifetime=timedelta(seconds=-1)
        ),
        "tampered": f"{head}.{body}.{signature[::-1]}",
        "other-key": create_access_token(
            learner_id=1, secret="another-secret-0123456789abcdef0123", lifetime=timedelta(hours=1)
        ),
        "alg-none": _unsigned({"sub": "1", "type": "access", "exp": 9999999999, "iat": 0}),
        "garbage": "not-a-token",
    }


@pytest.mark.parametrize(("method", "path"), PROTECTED)
@pytest.mark.parametrize("token", list(_bad_tokens()))
def test_protected_routes_refuse_bad_tokens(client: TestClient, method, path, token):
    new_learner(client)  # learner id 1 exists, so only the token's flaw can refuse it
    value = _bad_tokens()[token]
    headers = {} if value is None else {"Authorization": f"Bearer {value}"}
    response = client.request(method, _url(path), headers=headers, json={})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path"), ADMIN)
def test_learners_get_403_on_admin_routes(client: TestClient, method, path):
    learner = new_learner(client)
    before = client.get("/api/v1/graph").json()
    response = client.request(method, _url(path), headers=learner.headers, json={})
    assert_problem(response, 403)
    assert client.get("/api/v1/graph").json() == before


@pytest.mark.parametrize(("method", "path"), LEARNER)
def test_learner_routes_are_documented_as_such(client: TestClient, method, path):
    # An admin-only route that forgot its x-required-role marker would answer 403 here.
    learner = new_learner(client)
    response = client.request(method, _url(path), headers=learner.headers, json={})
    assert response.status_code != 403


@pytest.mark.parametrize(("method", "path", "admin_only"), WITH_BODY)
def test_unknown_body_fields_are_refused(
    client: TestClient, database: Database, method, path, admin_only
):
    account = new_admin(client, database) if admin_only else new_learner(client)
    response = client.request(method, _url(path), headers=account.headers, json={"is_admin": True})
    body = assert_problem(response, 422)
    assert any(issue["loc"][-1] == "is_admin" for issue in body["errors"])


def test_learners_never_see_or_change_each_others_records(client: TestClient):
    alice = new_learner(client, name="alice")
    bob = new_learner(client, name="bob")
    assert record_progress(client, alice, "calculus", notes="alice's secret").status_code == 201
    assert client.get("/api/v1/me/progress", headers=bob.headers).json()["total"] == 0
    assert_problem(client.get("/api/v1/me/progress/calculus", headers=bob.headers), 404)
    bob_history = client.get("/api/v1/me/progress/calculus/history", headers=bob.headers)
    assert bob_history.json()["items"] == []
    assert record_progress(client, bob, "calculus", status="skipped").status_code == 201
    mine = client.get("/api/v1/me/progress/calculus", headers=alice.headers).json()
    assert (mine["status"], mine["notes"], mine["version"]) == ("completed", "alice's secret", 1)
    summary = client.get("/api/v1/me/summary", headers=bob.headers).json()
    assert summary["overall"]["counts"]["completed"] == 0


def test_no_response_contains_a_password_hash(client: TestClient, database: Database):
    admin = new_admin(client, database)
    learner = new_learner(client)
    record_progress(client, learner, "calculus")
    responses = [
        client.get("/api/v1/me", headers=learner.headers),
        client.get("/api/v1/me", headers=admin.headers),
        client.get("/api/v1/me/progress/calculus/history", headers=learner.headers),
        client.post(
            "/api/v1/auth/register",
            json={"email": "c@example.com", "password": "pass-word-1", "display_name": "C"},
        ),
        client.get("/openapi.json"),
    ]
    for response in responses:
        assert "$argon2" not in response.text
        assert "password_hash" not in response.text


@pytest.mark.parametrize(
    ("method", "path", "admin_only"),
    [(m, p, op.get("x-required-role") == "admin") for m, p, op in OPERATIONS if "{" in p],
)
def test_odd_bytes_in_path_slugs_are_refused_before_the_database(
    client: TestClient, database: Database, method, path, admin_only
):
    # PostgreSQL cannot hold NUL in text: it must be refused as bad input, never reach a query.
    account = new_admin(client, database) if admin_only else new_learner(client)
    odd = re.sub(r"\{(\w+)\}", lambda m: "1" if m.group(1) == "resource_id" else "a%00b", path)
    response = client.request(method, odd, headers=account.headers, json={})
    if "%00" in odd:
        assert_problem(response, 422)
