"""Admins find accounts, promote, demote, disable and enable them; the rules of §9 hold."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from models.database import Database
from tests.api.builders import PASSWORD, Account, account_id, log_in, new_admin, new_learner
from tests.api.test_catalog_reads import assert_problem
from tests.api.test_revocable_tokens import assert_accepted_everywhere, assert_refused_everywhere
from tests.conftest import make_settings

LEARNERS = "/api/v1/admin/learners"
FIELDS = {"id", "email", "display_name", "role", "disabled", "created_at"}


@pytest.fixture
def admin(client: TestClient, database: Database) -> Account:
    return new_admin(client, database)


def patch(client: TestClient, admin: Account, learner_id: int, **body: object):
    return client.patch(f"{LEARNERS}/{learner_id}", json=body, headers=admin.headers)


def test_admins_find_accounts_by_email_or_display_name(client: TestClient, admin: Account):
    grace = new_learner(client, name="grace")
    new_learner(client, name="alan")
    page = client.get(LEARNERS, headers=admin.headers, params={"limit": 100}).json()
    assert page["total"] >= 3
    assert all(set(item) == FIELDS for item in page["items"])
    assert "password" not in str(page)
    assert "argon2" not in str(page)

    by_name = client.get(LEARNERS, headers=admin.headers, params={"q": "GRAC"}).json()
    assert [item["email"] for item in by_name["items"]] == [grace.email]
    assert by_name["items"][0] == {
        "id": account_id(client, grace),
        "email": grace.email,
        "display_name": "Grace",
        "role": "learner",
        "disabled": False,
        "created_at": by_name["items"][0]["created_at"],
    }
    by_email = client.get(
        LEARNERS, headers=admin.headers, params={"q": grace.email.split("@")[0].upper()}
    ).json()
    assert [item["email"] for item in by_email["items"]] == [grace.email]
    # `%` and `_` are text to find, not patterns.
    nothing = client.get(LEARNERS, headers=admin.headers, params={"q": "%"}).json()
    assert nothing == {"items": [], "total": 0, "limit": 20, "offset": 0}


def test_the_learner_list_is_paginated(client: TestClient, admin: Account):
    for _ in range(3):
        new_learner(client, name="paged")
    first = client.get(LEARNERS, headers=admin.headers, params={"q": "paged", "limit": 2}).json()
    second = client.get(
        LEARNERS, headers=admin.headers, params={"q": "paged", "limit": 2, "offset": 2}
    ).json()
    assert first["total"] == second["total"] == 3
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 3
    assert ids == sorted(ids)


def test_an_admin_promotes_and_demotes(client: TestClient, admin: Account):
    learner = new_learner(client)
    learner_id = account_id(client, learner)
    assert_problem(client.get(LEARNERS, headers=learner.headers), 403)
    promoted = patch(client, admin, learner_id, role="admin")
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["role"] == "admin"
    assert set(promoted.json()) == FIELDS
    # The role is read from the database: the same token is an admin's now.
    assert client.get(LEARNERS, headers=learner.headers).status_code == 200
    assert patch(client, admin, learner_id, role="learner").json()["role"] == "learner"
    assert_problem(client.get(LEARNERS, headers=learner.headers), 403)


def test_a_disabled_account_cannot_log_in_and_its_tokens_are_refused(
    client: TestClient, admin: Account
):
    learner = new_learner(client)
    learner_id = account_id(client, learner)
    assert_accepted_everywhere(client, learner.headers)
    disabled = patch(client, admin, learner_id, disabled=True)
    assert disabled.status_code == 200
    assert disabled.json()["disabled"] is True
    assert_refused_everywhere(client, learner.headers)

    right = client.post(
        "/api/v1/auth/token", data={"username": learner.email, "password": PASSWORD}
    )
    wrong = client.post(
        "/api/v1/auth/token", data={"username": learner.email, "password": "not the password"}
    )
    assert_problem(right, 401)
    assert_problem(wrong, 401)
    assert right.json() == wrong.json()
    assert right.headers["www-authenticate"] == wrong.headers["www-authenticate"]

    assert patch(client, admin, learner_id, disabled=False).json()["disabled"] is False
    assert_accepted_everywhere(client, log_in(client, learner.email, PASSWORD))


def test_an_admin_cannot_disable_or_demote_themselves(client: TestClient, admin: Account):
    admin_id = account_id(client, admin)
    assert_problem(patch(client, admin, admin_id, disabled=True), 409)
    assert_problem(patch(client, admin, admin_id, role="learner"), 409)
    assert_problem(patch(client, admin, admin_id, role="learner", disabled=True), 409)
    me = client.get("/api/v1/me", headers=admin.headers).json()
    assert me["role"] == "admin"
    # Asking for what already holds changes nothing and is allowed.
    unchanged = patch(client, admin, admin_id, role="admin", disabled=False)
    assert unchanged.status_code == 200
    assert unchanged.json()["role"] == "admin"


def test_another_admin_can_be_demoted(client: TestClient, admin: Account, database: Database):
    other = new_admin(client, database)
    other_id = account_id(client, other)
    assert patch(client, admin, other_id, role="learner").json()["role"] == "learner"
    assert_problem(client.get(LEARNERS, headers=other.headers), 403)


@pytest.mark.parametrize(
    "body",
    [
        {"role": "root"},
        {"disabled": "maybe"},
        {"disabled": 0},
        {"role": None},
        {"disabled": None},
        {"email": "x"},
    ],
)
def test_a_bad_patch_changes_nothing(client: TestClient, admin: Account, body: dict):
    learner = new_learner(client)
    learner_id = account_id(client, learner)
    assert_problem(patch(client, admin, learner_id, **body), 422)
    assert_accepted_everywhere(client, learner.headers)


def test_unknown_accounts_and_callers_without_the_role(client: TestClient, admin: Account):
    assert_problem(patch(client, admin, 2_000_000_000, disabled=True), 404)
    assert_problem(patch(client, admin, 0, disabled=True), 422)
    learner = new_learner(client)
    learner_id = account_id(client, learner)
    assert_problem(patch(client, learner, learner_id, role="admin"), 403)
    assert client.get("/api/v1/me", headers=learner.headers).json()["role"] == "learner"
    for response in (
        client.get(LEARNERS),
        client.patch(f"{LEARNERS}/{learner_id}", json={"role": "admin"}),
    ):
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"


def test_start_up_gives_the_configured_admin_back_and_a_reset_password_revokes(
    client: TestClient, admin: Account, database: Database
):
    locked_out = new_admin(client, database)
    assert patch(client, admin, account_id(client, locked_out), disabled=True).status_code == 200
    reset = "a reset admin passphrase"
    for account in (admin, locked_out):
        settings = make_settings(admin_email=account.email, admin_password=reset)
        with TestClient(create_app(settings, database=database)) as restarted:
            # A new password refuses the tokens of the old one; a disabled admin is enabled.
            assert_refused_everywhere(restarted, account.headers)
            headers = log_in(restarted, account.email, reset)
            assert restarted.get("/api/v1/me", headers=headers).json()["role"] == "admin"
