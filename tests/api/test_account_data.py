"""A learner takes their data away (export) or erases it with the account (deletion)."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Column, func, select

from models import Base, Team
from models.database import Database
from tests.api.builders import (
    PASSWORD,
    Account,
    account_id,
    add_member,
    log_in,
    new_admin,
    new_learner,
    new_team,
    record_progress,
)
from tests.api.test_catalog_reads import assert_problem
from tests.api.test_checks import take
from tests.api.test_revocable_tokens import WRONG_PASSWORD, assert_refused_everywhere

EXPORT = "/api/v1/me/export"
SECTIONS = {"account", "progress", "history", "checks", "reviews", "teams"}


def delete_account(client: TestClient, account: Account, password: str = PASSWORD):
    return client.request(
        "DELETE", "/api/v1/me", json={"password": password}, headers=account.headers
    )


def learner_columns() -> list[Column]:
    """Every column that names a learner: a foreign key to learners, or an actor."""
    learner_ids = Base.metadata.tables["learners"].c.id
    return [
        column
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if any(key.column is learner_ids for key in column.foreign_keys) or "actor" in column.name
    ]


def rows_naming(database: Database, learner_id: int) -> dict[str, int]:
    """{table.column: rows naming the learner}, plus the learner's own row."""
    counts: dict[str, int] = {}
    with database.session_factory() as session:
        learners = Base.metadata.tables["learners"]
        counts["learners.id"] = (
            session.scalar(
                select(func.count()).select_from(learners).where(learners.c.id == learner_id)
            )
            or 0
        )
        for column in learner_columns():
            counts[f"{column.table.name}.{column.name}"] = (
                session.scalar(
                    select(func.count()).select_from(column.table).where(column == learner_id)
                )
                or 0
            )
    return counts


def test_the_export_holds_everything_stored_about_the_caller(client: TestClient):
    learner, other = new_learner(client, name="exporter"), new_learner(client)
    record_progress(client, learner, "python", status="in_progress", notes="week one")
    record_progress(client, learner, "python", notes="done")
    record_progress(client, learner, "probability-basics", status="skipped")
    assert record_progress(client, other, "version-control", notes="someone else's").is_success
    assert take(client, other, "calculus", right=1).status_code == 201
    assert take(client, learner, "calculus", right=2).status_code == 201
    team_id = new_team(client, learner, name="Study circle")

    response = client.get(EXPORT, headers=learner.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["cache-control"] == "no-store"
    export = response.json()
    assert set(export) == SECTIONS
    assert export["account"] == client.get("/api/v1/me", headers=learner.headers).json()
    assert "password" not in response.text
    assert "argon2" not in response.text
    assert learner.headers["Authorization"].removeprefix("Bearer ") not in response.text

    progress = client.get("/api/v1/me/progress", headers=learner.headers).json()["items"]
    assert sorted(export["progress"], key=lambda r: r["topic"]) == sorted(
        progress, key=lambda r: r["topic"]
    )
    assert [(e["topic"], e["version"], e["source"]) for e in export["history"]] == [
        ("python", 1, "self"),
        ("python", 2, "self"),
        ("probability-basics", 1, "self"),
        ("calculus", 1, "check"),
    ]
    python_history = client.get(
        "/api/v1/me/progress/python/history", headers=learner.headers
    ).json()["items"]
    assert [
        {k: v for k, v in e.items() if k != "topic"} for e in export["history"][:2]
    ] == python_history
    assert "someone else's" not in response.text
    checks = client.get("/api/v1/me/checks", headers=learner.headers).json()["items"]
    assert len(checks) == 1
    assert export["checks"] == checks
    # Completing python and the check's awarded level on calculus started their schedules.
    schedules = client.get("/api/v1/me/reviews", headers=learner.headers).json()["items"]
    assert [(r["topic"], r["due_at"] is not None) for r in export["reviews"]] == [
        ("calculus", True),
        ("python", True),
    ]
    assert sorted(i["topic"]["slug"] for i in schedules) == ["calculus", "python"]
    assert [(t["id"], t["name"], t["role"]) for t in export["teams"]] == [
        (team_id, "Study circle", "manager")
    ]


def test_the_export_needs_a_token(client: TestClient):
    response = client.get(EXPORT)
    assert_problem(response, 401)


def test_deleting_the_account_leaves_no_row_naming_the_learner(
    client: TestClient, database: Database
):
    admin = new_admin(client, database)
    learner = new_learner(client, name="leaver")
    learner_id = account_id(client, learner)
    # An admin (this learner, promoted) who edited the catalog, kept a record with history and
    # logged a session out: rows naming them in every table this service has.
    promote = client.patch(
        f"/api/v1/admin/learners/{learner_id}", json={"role": "admin"}, headers=admin.headers
    )
    assert promote.status_code == 200
    edit = client.patch(
        "/api/v1/topics/transformers", json={"title": "Transformers!"}, headers=learner.headers
    )
    assert edit.status_code == 200
    record_progress(client, learner, "python")
    record_progress(client, learner, "probability-basics", status="in_progress")
    spare = log_in(client, learner.email, PASSWORD)
    assert client.post("/api/v1/auth/logout", headers=spare).status_code == 204
    before = rows_naming(database, learner_id)
    for column in (
        "learners.id",
        "progress.learner_id",
        "progress_events.learner_id",
        "progress_events.actor_id",
        "revoked_tokens.learner_id",
        "audit_entries.actor_id",
    ):
        assert before[column] > 0, column
    audit_before = client.get(
        "/api/v1/admin/audit", params={"action": "topic.update"}, headers=admin.headers
    ).json()

    response = delete_account(client, learner)
    assert response.status_code == 204, response.text

    assert rows_naming(database, learner_id) == dict.fromkeys(before, 0)
    assert_refused_everywhere(client, learner.headers)
    refused = client.post(
        "/api/v1/auth/token", data={"username": learner.email, "password": PASSWORD}
    )
    assert_problem(refused, 401)
    # The audit entries stay, without the actor.
    audit_after = client.get(
        "/api/v1/admin/audit", params={"action": "topic.update"}, headers=admin.headers
    ).json()
    assert audit_after["total"] == audit_before["total"]
    assert [e["actor_id"] for e in audit_after["items"]] == [None]
    assert audit_after["items"][0]["detail"] == audit_before["items"][0]["detail"]
    # The email is free again: a new account, with nothing of the old one. (SQLite may give
    # it the deleted account's id: the old tokens must not work for it either.)
    again = client.post(
        "/api/v1/auth/register",
        json={"email": learner.email, "password": PASSWORD, "display_name": "Back"},
    )
    assert again.status_code == 201, again.text
    headers = log_in(client, learner.email, PASSWORD)
    assert client.get("/api/v1/me/progress", headers=headers).json()["total"] == 0
    assert_refused_everywhere(client, learner.headers)


def test_the_metadata_walk_sees_every_learner_column():
    # The deletion test walks the metadata: a new table naming learners is checked unaided.
    names = {f"{c.table.name}.{c.name}" for c in learner_columns()}
    assert {"progress.learner_id", "progress_events.actor_id", "audit_entries.actor_id"} <= names


def test_a_wrong_password_deletes_nothing(client: TestClient, database: Database):
    learner = new_learner(client)
    learner_id = account_id(client, learner)
    record_progress(client, learner, "python")
    before = rows_naming(database, learner_id)
    body = assert_problem(delete_account(client, learner, "not the password"), 400)
    assert body["type"] == WRONG_PASSWORD
    assert rows_naming(database, learner_id) == before
    assert client.get("/api/v1/me/progress", headers=learner.headers).json()["total"] == 1


@pytest.mark.parametrize("body", [None, {}, {"password": ""}, {"password": PASSWORD, "x": 1}])
def test_a_malformed_deletion_deletes_nothing(client: TestClient, body: dict | None):
    learner = new_learner(client)
    response = client.request("DELETE", "/api/v1/me", json=body, headers=learner.headers)
    assert_problem(response, 422)
    assert client.get("/api/v1/me", headers=learner.headers).status_code == 200


def test_a_deletion_needs_a_token(client: TestClient):
    response = client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
    assert_problem(response, 401)


def test_the_last_manager_of_a_team_with_members_cannot_go(client: TestClient, database: Database):
    manager, member = new_learner(client), new_learner(client)
    team_id = new_team(client, manager)
    add_member(client, manager, team_id, member)
    manager_id = account_id(client, manager)
    record_progress(client, manager, "python")
    before = rows_naming(database, manager_id)
    assert_problem(delete_account(client, manager), 409)
    assert rows_naming(database, manager_id) == before
    assert client.get("/api/v1/me", headers=manager.headers).status_code == 200

    # Once the member has left, the manager is the last person: going deletes the team.
    member_id = account_id(client, member)
    path = f"/api/v1/teams/{team_id}/members/{member_id}"
    assert client.delete(path, headers=member.headers).status_code == 204
    assert delete_account(client, manager).status_code == 204
    assert rows_naming(database, manager_id) == dict.fromkeys(before, 0)
    with database.read_session_factory() as session:
        assert session.get(Team, team_id) is None


def test_a_member_who_goes_leaves_the_team_to_the_others(client: TestClient):
    manager, member = new_learner(client), new_learner(client)
    team_id = new_team(client, manager)
    add_member(client, manager, team_id, member)
    assert delete_account(client, member).status_code == 204
    members = client.get(f"/api/v1/teams/{team_id}/members", headers=manager.headers).json()
    assert [m["id"] for m in members["items"]] == [account_id(client, manager)]
