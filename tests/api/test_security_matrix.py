"""Security as a matrix over every route the app has, so a new route is covered unaided.

Each route is classified by the dependencies it declares: public, learner (a bearer token) or
admin. Every route under /api/v1 that changes state must be in one of the protected classes
unless it is listed as public on purpose.
"""

import ast
import base64
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth.security import create_access_token
from models.database import Database
from tests.api.builders import (
    Account,
    add_member,
    new_admin,
    new_learner,
    new_team,
    record_progress,
)
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
    "learner_id": "1",
    "team_id": "1",
    "member_id": "1",
}


# Path parameters that are integers: no text of any kind reaches a query through them.
INTEGER_IDS = {"resource_id", "question_id", "learner_id", "team_id", "member_id"}
ROUTED_INTS = {"team_id", "member_id"}


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
    # Learners reach their own data through /me only, so there is no id to swap; only admins
    # name accounts by id. (A team's routes take the team's id and a member's id: they reach
    # team data, not a learner's records, and test_teams_access.py proves who may use them.)
    for _method, path, op in OPERATIONS:
        if op.get("x-required-role") == "admin":
            continue
        assert "learner" not in path
        assert "{id}" not in path


def _unsigned(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _bad_tokens(learner_id: int) -> dict[str, str | None]:
    """Tokens that must be refused, each naming `learner_id`, who exists: only the token's
    own flaw can refuse it."""
    valid = create_access_token(
        learner_id=learner_id, secret=TEST_SECRET, lifetime=timedelta(hours=1)
    )
    head, body, signature = valid.split(".")
    return {
        "none": None,
        "expired": create_access_token(
            learner_id=learner_id, secret=TEST_SECRET, lifetime=timedelta(seconds=-1)
        ),
        "tampered": f"{head}.{body}.{signature[::-1]}",
        "other-key": create_access_token(
            learner_id=learner_id,
            secret="another-secret-0123456789abcdef0123",
            lifetime=timedelta(hours=1),
        ),
        "alg-none": _unsigned(
            {"sub": str(learner_id), "type": "access", "exp": 9999999999, "iat": 0}
        ),
        "garbage": "not-a-token",
    }


BAD_TOKENS = list(_bad_tokens(1))


def _learner_id(client: TestClient, account: Account) -> int:
    # Never assume an id: PostgreSQL's sequences are not rolled back with the test.
    response = client.get("/api/v1/me", headers=account.headers)
    assert response.status_code == 200, response.text
    identifier: int = response.json()["id"]
    return identifier


@pytest.mark.parametrize(("method", "path"), PROTECTED)
@pytest.mark.parametrize("token", BAD_TOKENS)
def test_protected_routes_refuse_bad_tokens(client: TestClient, method, path, token):
    learner_id = _learner_id(client, new_learner(client))
    value = _bad_tokens(learner_id)[token]
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


# A request each learner route serves to a learner holding a record on PATH_VALUES' topic, and
# the status it answers. A new learner route must be added here: the exact status shows the
# learner got through (a 401, 403, 404 or 422 would all pass an `!= 403`).
LEARNER_REQUESTS: dict[tuple[str, str], tuple[str, dict[str, Any] | None, int]] = {
    ("GET", "/api/v1/me"): ("/api/v1/me", None, 200),
    ("GET", "/api/v1/me/summary"): ("/api/v1/me/summary", None, 200),
    ("GET", "/api/v1/me/progress"): ("/api/v1/me/progress", None, 200),
    ("GET", "/api/v1/me/progress/{topic_slug}"): ("/api/v1/me/progress/transformers", None, 200),
    ("PUT", "/api/v1/me/progress/{topic_slug}"): (
        "/api/v1/me/progress/transformers",
        {"status": "in_progress"},
        200,
    ),
    ("GET", "/api/v1/me/progress/{topic_slug}/history"): (
        "/api/v1/me/progress/transformers/history",
        None,
        200,
    ),
    ("GET", "/api/v1/me/recommendations"): (
        "/api/v1/me/recommendations?goal=job-interview",
        None,
        200,
    ),
    ("GET", "/api/v1/me/roadmap"): ("/api/v1/me/roadmap?goal=job-interview", None, 200),
    ("GET", "/api/v1/me/gaps"): ("/api/v1/me/gaps?goal=job-interview", None, 200),
    ("GET", "/api/v1/me/export"): ("/api/v1/me/export", None, 200),
    ("DELETE", "/api/v1/me"): ("/api/v1/me", {"password": "not the password"}, 400),
    ("POST", "/api/v1/auth/password"): (
        "/api/v1/auth/password",
        {"current_password": "not the password", "new_password": "a new passphrase"},
        400,
    ),
    ("POST", "/api/v1/auth/logout"): ("/api/v1/auth/logout", None, 204),
    ("POST", "/api/v1/me/checks/{slug}"): ("/api/v1/me/checks/transformers", {"answers": []}, 422),
    ("GET", "/api/v1/me/checks"): ("/api/v1/me/checks", None, 200),
    # Completing transformers (above) started its review schedule.
    ("GET", "/api/v1/me/reviews"): ("/api/v1/me/reviews", None, 200),
    ("POST", "/api/v1/me/reviews/{topic_slug}"): (
        "/api/v1/me/reviews/transformers",
        {"rating": "good"},
        200,
    ),
    # A team's routes: test_teams_access.py proves who may use each; here, that a learner is
    # not refused as a non-admin (no such team is a 404, as for any outsider).
    ("POST", "/api/v1/teams"): ("/api/v1/teams", {"name": "Study circle"}, 201),
    ("GET", "/api/v1/teams"): ("/api/v1/teams", None, 200),
    ("POST", "/api/v1/teams/join"): ("/api/v1/teams/join", {"code": "no-such-code"}, 404),
    ("GET", "/api/v1/teams/{team_id}"): ("/api/v1/teams/999999", None, 404),
    ("PATCH", "/api/v1/teams/{team_id}"): ("/api/v1/teams/999999", {"name": "x"}, 404),
    ("DELETE", "/api/v1/teams/{team_id}"): ("/api/v1/teams/999999", None, 404),
    ("POST", "/api/v1/teams/{team_id}/invitations"): (
        "/api/v1/teams/999999/invitations",
        {"email": "friend@example.com", "role": "member"},
        404,
    ),
    ("GET", "/api/v1/teams/{team_id}/members"): ("/api/v1/teams/999999/members", None, 404),
    ("DELETE", "/api/v1/teams/{team_id}/members/{member_id}"): (
        "/api/v1/teams/999999/members/1",
        None,
        404,
    ),
    ("GET", "/api/v1/teams/{team_id}/matrix"): (
        "/api/v1/teams/999999/matrix?goal=job-interview",
        None,
        404,
    ),
    ("GET", "/api/v1/teams/{team_id}/coverage"): (
        "/api/v1/teams/999999/coverage?goal=job-interview",
        None,
        404,
    ),
}


def test_every_learner_route_has_a_request_with_its_expected_status():
    assert set(LEARNER) == set(LEARNER_REQUESTS), "add the new learner route to LEARNER_REQUESTS"


@pytest.mark.parametrize(("method", "path"), LEARNER)
def test_learner_routes_are_documented_as_such(client: TestClient, method, path):
    # An admin-only route that forgot its x-required-role marker would answer 403 here.
    learner = new_learner(client)
    assert record_progress(client, learner, "transformers").status_code == 201
    url, body, expected = LEARNER_REQUESTS[(method, path)]
    response = client.request(method, url, headers=learner.headers, json=body)
    assert response.status_code == expected, response.text


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
    for learner, level in ((alice, "proficient"), (bob, None)):
        gaps = client.get(
            "/api/v1/me/gaps", params={"targets": "calculus"}, headers=learner.headers
        )
        assert gaps.json()["targets"][0]["current_level"] == level
    assert record_progress(client, bob, "calculus", status="skipped").status_code == 201
    mine = client.get("/api/v1/me/progress/calculus", headers=alice.headers).json()
    assert (mine["status"], mine["notes"], mine["version"]) == ("completed", "alice's secret", 1)
    summary = client.get("/api/v1/me/summary", headers=bob.headers).json()
    assert summary["overall"]["counts"]["completed"] == 0


def test_no_response_contains_a_password_hash(client: TestClient, database: Database):
    admin = new_admin(client, database)
    learner = new_learner(client)
    record_progress(client, learner, "calculus")
    team_id = new_team(client, admin)
    add_member(client, admin, team_id, learner)
    responses = [
        client.get("/api/v1/me", headers=learner.headers),
        client.get("/api/v1/me", headers=admin.headers),
        client.get("/api/v1/me/progress/calculus/history", headers=learner.headers),
        client.get("/api/v1/me/export", headers=learner.headers),
        client.get("/api/v1/admin/learners", headers=admin.headers),
        client.get(f"/api/v1/teams/{team_id}/members", headers=learner.headers),
        client.post(
            "/api/v1/auth/register",
            json={"email": "c@example.com", "password": "pass-word-1", "display_name": "C"},
        ),
        client.get("/openapi.json"),
    ]
    for response in responses:
        assert response.status_code in {200, 201}, response.text
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
    # Every path parameter gets one (an id too: "1%00" is no integer).
    account = new_admin(client, database) if admin_only else new_learner(client)
    odd = re.sub(r"\{(\w+)\}", lambda m: "1%00" if m.group(1) in INTEGER_IDS else "a%00b", path)
    assert "%00" in odd
    response = client.request(method, odd, headers=account.headers, json={})
    # Team routes declare their ids `:int`: the router itself finds no route for "1%00".
    routed_ints_only = set(re.findall(r"\{(\w+)\}", path)) <= ROUTED_INTS
    assert_problem(response, 404 if routed_ints_only else 422)


def test_the_threat_model_names_only_tests_that_exist():
    # docs/security.md names tests as `file::function`, or `::function` after a file on its line.
    tests = Path(__file__).parents[1]
    missing = []
    for line in (tests.parent / "docs" / "security.md").read_text().splitlines():
        file = ""
        for reference in re.findall(r"`([\w/]+\.py(?:::\w+)?|::\w+)`", line):
            named, _, function = reference.partition("::")
            file = named or file
            source = tests / file
            if not file or not source.is_file():
                missing.append(f"{file or '?'}::{function}")
            elif function and function not in {
                node.name
                for node in ast.walk(ast.parse(source.read_text()))
                if isinstance(node, ast.FunctionDef)
            }:
                missing.append(f"{file}::{function}")
    assert missing == []
