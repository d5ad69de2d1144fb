"""Password change and logout really revoke: the refused tokens stay refused on every route,
in another worker and after a restart, because what refuses them is stored in SQL."""

import time
from datetime import timedelta

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from api.auth.security import ALGORITHM, create_access_token
from models import RevokedToken
from models.database import Database
from tests.api.builders import (
    PASSWORD,
    Account,
    account_id,
    log_in,
    new_learner,
    record_progress,
)
from tests.api.test_catalog_reads import assert_problem
from tests.conftest import TEST_SECRET, make_settings

WRONG_PASSWORD = "urn:skillpath:problem:wrong-password"
NEW_PASSWORD = "a brand new passphrase"
PLAN = "/api/v1/me/recommendations?goal=job-interview"

# Every kind of authenticated request: the account, progress reads and writes, the plan
# (its first answer routed, its repeats answered before routing), the export.
AUTHENTICATED_READS = [
    "/api/v1/me",
    "/api/v1/me/progress",
    "/api/v1/me/summary",
    PLAN,
    "/api/v1/me/roadmap?goal=job-interview",
    "/api/v1/me/export",
]


def assert_refused_everywhere(client: TestClient, headers: dict[str, str]) -> None:
    for path in AUTHENTICATED_READS:
        response = assert_problem(client.get(path, headers=headers), 401)
        assert response["detail"] == "Invalid or expired bearer token.", path
    # A write checks the token in its own statement on PostgreSQL: refused the same way.
    write = client.put("/api/v1/me/progress/python", json={"status": "completed"}, headers=headers)
    assert assert_problem(write, 401)["detail"] == "Invalid or expired bearer token."
    unknown_topic = client.put(
        "/api/v1/me/progress/nope", json={"status": "completed"}, headers=headers
    )
    assert assert_problem(unknown_topic, 401)["detail"] == "Invalid or expired bearer token."
    assert_problem(client.post("/api/v1/auth/logout", headers=headers), 401)


def assert_accepted_everywhere(client: TestClient, headers: dict[str, str]) -> None:
    for path in AUTHENTICATED_READS:
        assert client.get(path, headers=headers).status_code == 200, path


def claims_of(account: Account) -> dict:
    token = account.headers["Authorization"].split()[1]
    claims: dict = jwt.decode(token, TEST_SECRET, algorithms=[ALGORITHM])
    return claims


def change_password(client: TestClient, account: Account, **body: object):
    payload = {"current_password": account.password, "new_password": NEW_PASSWORD, **body}
    return client.post("/api/v1/auth/password", json=payload, headers=account.headers)


def test_a_token_names_its_own_id(client: TestClient):
    learner = new_learner(client)
    other = Account(learner.email, PASSWORD, log_in(client, learner.email, PASSWORD))
    claims = [claims_of(learner), claims_of(other)]
    assert all(claim["jti"] for claim in claims)
    assert claims[0]["jti"] != claims[1]["jti"]


def test_a_password_change_refuses_every_token_issued_before(client: TestClient):
    learner = new_learner(client)
    second_session = log_in(client, learner.email, PASSWORD)
    record_progress(client, learner, "python")
    # Plans answered once are kept: their repeats are answered before routing, and must be
    # refused there too.
    assert_accepted_everywhere(client, learner.headers)
    assert_accepted_everywhere(client, second_session)

    response = change_password(client, learner)
    assert response.status_code == 204, response.text
    assert response.content == b""

    assert_refused_everywhere(client, learner.headers)
    assert_refused_everywhere(client, second_session)
    refused = client.post(
        "/api/v1/auth/token", data={"username": learner.email, "password": PASSWORD}
    )
    assert_problem(refused, 401)
    fresh = log_in(client, learner.email, NEW_PASSWORD)
    assert_accepted_everywhere(client, fresh)
    assert client.get("/api/v1/me/progress", headers=fresh).json()["total"] == 1


def test_a_wrong_current_password_changes_nothing(client: TestClient):
    learner = new_learner(client)
    body = assert_problem(change_password(client, learner, current_password="not it at all"), 400)
    assert body["type"] == WRONG_PASSWORD
    assert NEW_PASSWORD not in str(body)
    assert_accepted_everywhere(client, learner.headers)
    log_in(client, learner.email, PASSWORD)
    refused = client.post(
        "/api/v1/auth/token", data={"username": learner.email, "password": NEW_PASSWORD}
    )
    assert_problem(refused, 401)


@pytest.mark.parametrize(
    "body",
    [
        {"new_password": "short"},
        {"new_password": "x" * 257},
        {"new_password": None},
        {"current_password": ""},
        {"extra": "field"},
    ],
)
def test_a_new_password_is_validated_like_a_registration(client: TestClient, body: dict):
    learner = new_learner(client)
    assert_problem(change_password(client, learner, **body), 422)
    assert_accepted_everywhere(client, learner.headers)
    log_in(client, learner.email, PASSWORD)


def test_the_new_password_cannot_be_the_email(client: TestClient):
    learner = new_learner(client)
    response = change_password(client, learner, new_password=learner.email.upper())
    assert_problem(response, 422)
    log_in(client, learner.email, PASSWORD)


def test_a_password_change_needs_a_token(client: TestClient):
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    response = client.post("/api/v1/auth/password", json=body)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_logout_refuses_that_token_only(client: TestClient):
    learner = new_learner(client)
    other_session = log_in(client, learner.email, PASSWORD)
    assert_accepted_everywhere(client, learner.headers)
    response = client.post("/api/v1/auth/logout", headers=learner.headers)
    assert response.status_code == 204, response.text
    assert_refused_everywhere(client, learner.headers)
    assert_accepted_everywhere(client, other_session)
    saved = record_progress(client, Account(learner.email, PASSWORD, other_session), "python")
    assert saved.status_code == 201


def test_refused_tokens_stay_refused_in_another_worker_and_after_a_restart(
    client: TestClient, database: Database
):
    logged_out, changed = new_learner(client), new_learner(client)
    kept = new_learner(client)
    assert client.post("/api/v1/auth/logout", headers=logged_out.headers).status_code == 204
    assert change_password(client, changed).status_code == 204
    # A second app over the same database is another worker, or this one restarted: it has
    # no memory of what the first one did.
    with TestClient(create_app(make_settings(), database=database)) as restarted:
        assert_refused_everywhere(restarted, logged_out.headers)
        assert_refused_everywhere(restarted, changed.headers)
        assert_accepted_everywhere(restarted, kept.headers)


def test_tokens_without_an_id_or_a_generation_are_refused(client: TestClient):
    learner = new_learner(client)
    learner_id = account_id(client, learner)
    now = int(time.time())
    base = {"sub": str(learner_id), "type": "access", "iat": now, "exp": now + 600}
    for claims in (
        base,  # a token of the first round: no jti, no generation
        {**base, "jti": "abc"},
        {**base, "gen": 0},
        {**base, "jti": "abc", "gen": str(claims_of(learner)["gen"])},
        {**base, "jti": "abc", "gen": claims_of(learner)["gen"] - 1},
        {**base, "jti": "", "gen": 0},
    ):
        token = jwt.encode(claims, TEST_SECRET, algorithm=ALGORITHM)
        assert_problem(client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401)
    generation = claims_of(learner)["gen"]
    good = jwt.encode({**base, "jti": "abc", "gen": generation}, TEST_SECRET, algorithm=ALGORITHM)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {good}"}).status_code == 200


def test_logged_out_tokens_are_forgotten_once_they_expire(client: TestClient, database: Database):
    learner = new_learner(client)
    learner_id = account_id(client, learner)

    def denied() -> int:
        with database.session_factory() as session:
            return (
                session.scalar(select(func.count()).where(RevokedToken.learner_id == learner_id))
                or 0
            )

    short_lived = create_access_token(
        learner_id=learner_id,
        generation=claims_of(learner)["gen"],
        secret=TEST_SECRET,
        lifetime=timedelta(seconds=1),
    )
    response = client.post(
        "/api/v1/auth/logout", headers={"Authorization": f"Bearer {short_lived}"}
    )
    assert response.status_code == 204
    assert denied() == 1
    time.sleep(1.1)
    assert client.post("/api/v1/auth/logout", headers=learner.headers).status_code == 204
    # The expired token's row was pruned; the one just logged out is kept until it expires.
    assert denied() == 1
    assert_refused_everywhere(client, learner.headers)
