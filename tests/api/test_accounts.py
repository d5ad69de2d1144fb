"""Accounts: registration, login, the caller's account and the admin set-up."""

import importlib.util
import time
from datetime import timedelta

import jwt
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError

from api.app import create_app
from api.auth import security
from api.auth.security import create_access_token
from api.cli import main as cli_main
from api.settings import DEVELOPMENT_SECRET, Settings
from models.database import Database
from tests.api.builders import PASSWORD, log_in, new_learner
from tests.api.test_catalog_reads import assert_problem
from tests.conftest import TEST_SECRET, make_settings


def register(client: TestClient, **overrides: object):
    body = {"email": "ada@example.com", "password": PASSWORD, "display_name": "Ada", **overrides}
    return client.post("/api/v1/auth/register", json=body)


def test_register_log_in_and_read_the_account(client: TestClient):
    created = register(client, email="Ada@Example.COM")
    assert created.status_code == 201
    account = created.json()
    assert account["email"] == "ada@example.com"
    assert account["role"] == "learner"
    assert "password" not in created.text
    assert "argon2" not in created.text
    headers = log_in(client, "ADA@example.com", PASSWORD)
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.json() == account


def test_a_client_cannot_choose_its_role(client: TestClient):
    body = assert_problem(register(client, role="admin"), 422)
    assert any(issue["loc"][-1] == "role" for issue in body["errors"])


def test_emails_are_unique_whatever_their_case(client: TestClient):
    assert register(client).status_code == 201
    assert_problem(register(client, email="ADA@example.com"), 409)


@pytest.mark.parametrize(
    "overrides",
    [
        {"password": "short"},
        {"password": "ada@example.com"},
        {"password": "ADA@EXAMPLE.COM"},
        {"email": "not-an-email"},
        {"display_name": ""},
        {"password": "x" * 257},
    ],
)
def test_weak_or_malformed_registrations_are_refused(client: TestClient, overrides: dict):
    assert_problem(register(client, **overrides), 422)
    assert (
        client.post(
            "/api/v1/auth/token", data={"username": "ada@example.com", "password": PASSWORD}
        ).status_code
        == 401
    )


def test_unknown_email_and_wrong_password_answer_alike(client: TestClient):
    new = new_learner(client)
    wrong = client.post("/api/v1/auth/token", data={"username": new.email, "password": "nope-nope"})
    unknown = client.post(
        "/api/v1/auth/token", data={"username": "ghost@example.com", "password": "nope-nope"}
    )
    for response in (wrong, unknown):
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_an_unknown_email_is_checked_against_a_hash_with_a_passwords_costs():
    # Verifying takes its costs from the hash: with other costs than a password's, a login for
    # an unknown email would take another time and tell that the email is unknown. The suite
    # hashes with tiny costs (tests/conftest.py), so the module is read again as shipped.
    spec = importlib.util.spec_from_file_location("shipped_security", security.__file__)
    assert spec is not None
    assert spec.loader is not None
    shipped = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shipped)
    valid, rehashed = shipped._hasher.verify_and_update(
        "skillpath-dummy-password", shipped._DUMMY_HASH
    )
    assert valid
    assert rehashed is None  # made with the costs the hasher uses now


def learner_id(client: TestClient, headers: dict[str, str]) -> int:
    """The id of the account `headers` log in as (ids are not 1, 2, ... on PostgreSQL, whose
    sequences are not rolled back with the tests' transactions)."""
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    identifier: int = response.json()["id"]
    return identifier


def test_an_expired_token_is_refused(client: TestClient):
    me = learner_id(client, new_learner(client).headers)
    token = create_access_token(learner_id=me, secret=TEST_SECRET, lifetime=timedelta(seconds=-5))
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_token_that_expires_while_in_use_is_refused_from_then_on(client: TestClient):
    # Signatures are checked once per token and remembered (api/auth/security.py); the expiry
    # must still be checked on every use.
    learner = new_learner(client)
    me = learner_id(client, learner.headers)
    # The same account and token generation as a token from log-in, but two seconds to live.
    issued = learner.headers["Authorization"].removeprefix("Bearer ")
    generation = jwt.decode(issued, options={"verify_signature": False})["gen"]
    token = create_access_token(
        learner_id=me, secret=TEST_SECRET, lifetime=timedelta(seconds=2), generation=generation
    )
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).json()["id"] == me
    expires_at = jwt.decode(token, options={"verify_signature": False})["exp"]
    time.sleep(max(0.0, expires_at - time.time()) + 0.2)
    response = client.get("/api/v1/me", headers=headers)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_swagger_ui_can_authorize_with_the_password_flow(client: TestClient):
    schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]
    flow = next(iter(schemes.values()))["flows"]["password"]
    assert flow["tokenUrl"] == "/api/v1/auth/token"


def test_start_up_ensures_the_configured_admin(database: Database):
    settings = make_settings(admin_email="Root@Example.com", admin_password="an admin passphrase")
    with TestClient(create_app(settings, database=database)) as client:
        headers = log_in(client, "root@example.com", "an admin passphrase")
        assert client.get("/api/v1/me", headers=headers).json()["role"] == "admin"


def test_the_command_line_creates_an_admin(tmp_path, monkeypatch: pytest.MonkeyPatch, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SKILLPATH_DATABASE_URL", url)
    monkeypatch.setenv("SKILLPATH_ADMIN_PASSWORD", "a very good passphrase")
    from api.settings import get_settings

    get_settings.cache_clear()
    try:
        assert cli_main(["create-admin", "--email", "Boss@Example.com"]) == 0
        assert cli_main(["create-admin", "--email", "weak@example.com"]) == 0
        monkeypatch.setenv("SKILLPATH_ADMIN_PASSWORD", "short")
        assert cli_main(["create-admin", "--email", "weak@example.com"]) == 2
    finally:
        get_settings.cache_clear()
    assert "admin refused" in capsys.readouterr().err
    database = Database.from_url(url)
    settings = make_settings(database_url=url)
    try:
        with TestClient(create_app(settings, database=database)) as client:
            headers = log_in(client, "boss@example.com", "a very good passphrase")
            assert client.get("/api/v1/me", headers=headers).json()["role"] == "admin"
    finally:
        database.dispose()


def test_an_unknown_email_costs_a_password_check_like_a_wrong_password(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
):
    # Timing is not asserted (machines are noisy); the work that sets it is: one argon2
    # verification for an unknown email as for a wrong password.
    known = new_learner(client)
    checks: list[str] = []
    real_verify = security._hasher.verify

    def counting_verify(password: str, password_hash: str) -> bool:
        checks.append(password_hash)
        return real_verify(password, password_hash)

    monkeypatch.setattr(security._hasher, "verify", counting_verify)
    for email in (known.email, "ghost@example.com"):
        response = client.post(
            "/api/v1/auth/token", data={"username": email, "password": "not the password"}
        )
        assert response.status_code == 401
    assert len(checks) == 2
    assert all(check.startswith("$argon2") for check in checks)


@pytest.mark.parametrize("environment", ["test", "production"])
def test_outside_development_the_default_or_a_short_secret_is_refused(environment: str):
    with pytest.raises(ValidationError, match="SKILLPATH_SECRET_KEY"):
        Settings(environment=environment)
    with pytest.raises(ValidationError, match="SKILLPATH_SECRET_KEY"):
        Settings(environment=environment, secret_key=SecretStr("too-short"))
    accepted = Settings(environment=environment, secret_key=SecretStr(TEST_SECRET))
    assert accepted.secret_key.get_secret_value() == TEST_SECRET
    # In development the default (or any) secret is allowed, so `make run` needs no set-up.
    development = Settings(environment="development", secret_key=SecretStr(DEVELOPMENT_SECRET))
    assert development.secret_key.get_secret_value() == DEVELOPMENT_SECRET
