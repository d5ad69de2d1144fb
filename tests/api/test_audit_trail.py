"""Every catalog write and admin action leaves one audit entry, written in the change's own
transaction: an entry for every change that committed, none for a change that did not."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from api.app import create_app
from models.database import Database
from tests.api.builders import PASSWORD, Account, account_id, new_admin, new_learner
from tests.api.test_catalog_editing import NEW_TOPIC
from tests.api.test_catalog_reads import assert_problem
from tests.api.test_questions import QUESTION
from tests.conftest import make_settings
from tests.databases import BACKENDS, new_engine

AUDIT = "/api/v1/admin/audit"
FIELDS = {"id", "at", "actor_id", "action", "target", "detail"}
NEW_RESOURCE = {
    "title": "The Illustrated Transformer",
    "url": "https://example.org/illustrated-transformer",
    "kind": "article",
    "provider": "Example",
    "free": True,
    "hours": 1.5,
    "topics": ["transformers"],
}


@pytest.fixture
def admin(client: TestClient, database: Database) -> Account:
    return new_admin(client, database)


def entries(client: TestClient, admin: Account, **params: object) -> list[dict]:
    page = client.get(AUDIT, params={"limit": 100, **params}, headers=admin.headers)
    assert page.status_code == 200, page.text
    return page.json()["items"]


def newest(client: TestClient, admin: Account) -> dict:
    entry = entries(client, admin)[0]
    assert set(entry) == FIELDS
    return entry


def test_topic_and_prerequisite_writes_are_recorded(client: TestClient, admin: Account):
    admin_id = account_id(client, admin)
    assert client.post("/api/v1/topics", json=NEW_TOPIC, headers=admin.headers).status_code == 201
    created = newest(client, admin)
    assert created["actor_id"] == admin_id
    assert created["action"] == "topic.create"
    assert created["target"] == "topic:diffusion-models"
    assert created["detail"]["title"] == "Diffusion models"
    assert created["detail"]["area"] == "deep-learning"

    response = client.patch(
        "/api/v1/topics/diffusion-models",
        json={"title": "Diffusion", "level": 5, "tags": ["generative-models", "images"]},
        headers=admin.headers,
    )
    assert response.status_code == 200
    updated = newest(client, admin)
    assert (updated["action"], updated["target"]) == ("topic.update", "topic:diffusion-models")
    # What changed, from and to; the level was sent unchanged, so it is not listed.
    assert updated["detail"] == {
        "title": {"from": "Diffusion models", "to": "Diffusion"},
        "tags": {"from": ["generative-models"], "to": ["generative-models", "images"]},
    }

    edge = "/api/v1/topics/diffusion-models/prerequisites/transformers"
    assert client.put(edge, headers=admin.headers).status_code == 200
    added = newest(client, admin)
    assert added["action"] == "prerequisite.add"
    assert added["target"] == "prerequisite:transformers>diffusion-models"
    assert added["detail"] == {"topic": "diffusion-models", "prerequisite": "transformers"}
    # Adding the edge again changes nothing, and records nothing.
    assert client.put(edge, headers=admin.headers).status_code == 200
    assert newest(client, admin)["id"] == added["id"]

    assert client.delete(edge, headers=admin.headers).status_code == 204
    removed = newest(client, admin)
    assert removed["action"] == "prerequisite.remove"
    assert removed["target"] == "prerequisite:transformers>diffusion-models"

    assert (
        client.delete("/api/v1/topics/diffusion-models", headers=admin.headers).status_code == 204
    )
    deleted = newest(client, admin)
    assert (deleted["action"], deleted["target"]) == ("topic.delete", "topic:diffusion-models")
    assert deleted["detail"] == {"title": "Diffusion"}
    ids = [entry["id"] for entry in (created, updated, added, removed, deleted)]
    assert ids == sorted(ids)


def test_resource_writes_are_recorded(client: TestClient, admin: Account):
    created = client.post("/api/v1/resources", json=NEW_RESOURCE, headers=admin.headers)
    assert created.status_code == 201
    resource_id = created.json()["id"]
    entry = newest(client, admin)
    assert (entry["action"], entry["target"]) == ("resource.create", f"resource:{resource_id}")
    assert entry["detail"] == NEW_RESOURCE

    path = f"/api/v1/resources/{resource_id}"
    change = {"free": False, "topics": ["transformers", "embeddings"]}
    assert client.patch(path, json=change, headers=admin.headers).status_code == 200
    entry = newest(client, admin)
    assert entry["action"] == "resource.update"
    assert entry["detail"] == {
        "free": {"from": True, "to": False},
        "topics": {"from": ["transformers"], "to": ["embeddings", "transformers"]},
    }

    assert client.delete(path, headers=admin.headers).status_code == 204
    entry = newest(client, admin)
    assert (entry["action"], entry["target"]) == ("resource.delete", f"resource:{resource_id}")
    assert entry["detail"] == {"title": NEW_RESOURCE["title"], "url": NEW_RESOURCE["url"]}


def test_goal_writes_are_recorded(client: TestClient, admin: Account):
    goal = {
        "slug": "vision-engineer",
        "title": "Work as a computer vision engineer",
        "description": "Train and ship image models.",
        "targets": [{"topic": "convolutional-networks", "weight": 1.0}],
    }
    assert client.post("/api/v1/goals", json=goal, headers=admin.headers).status_code == 201
    entry = newest(client, admin)
    assert (entry["action"], entry["target"]) == ("goal.create", "goal:vision-engineer")
    assert entry["detail"]["title"] == goal["title"]
    assert [t["topic"] for t in entry["detail"]["targets"]] == ["convolutional-networks"]

    patched = client.patch(
        "/api/v1/goals/vision-engineer", json={"title": "Vision"}, headers=admin.headers
    )
    assert patched.status_code == 200
    entry = newest(client, admin)
    assert entry["action"] == "goal.update"
    assert entry["detail"] == {"title": {"from": goal["title"], "to": "Vision"}}

    target = "/api/v1/goals/vision-engineer/targets/model-deployment"
    assert client.put(target, json={"weight": 0.5}, headers=admin.headers).status_code == 200
    entry = newest(client, admin)
    assert entry["action"] == "goal.update"
    after = {t["topic"]: t["weight"] for t in entry["detail"]["targets"]["to"]}
    assert after == {"convolutional-networks": 1.0, "model-deployment": 0.5}
    assert client.delete(target, headers=admin.headers).status_code == 204
    entry = newest(client, admin)
    assert [t["topic"] for t in entry["detail"]["targets"]["to"]] == ["convolutional-networks"]

    assert client.delete("/api/v1/goals/vision-engineer", headers=admin.headers).status_code == 204
    entry = newest(client, admin)
    assert (entry["action"], entry["target"]) == ("goal.delete", "goal:vision-engineer")


def test_question_writes_are_recorded(client: TestClient, admin: Account):
    created = client.post(
        "/api/v1/topics/transformers/questions", json=QUESTION, headers=admin.headers
    )
    assert created.status_code == 201, created.text
    question = created.json()["id"]
    entry = newest(client, admin)
    assert (entry["action"], entry["target"]) == ("question.create", f"question:{question}")
    assert entry["detail"]["topic"] == "transformers"
    assert entry["detail"]["prompt"] == QUESTION["prompt"]

    path = f"/api/v1/questions/{question}"
    assert (
        client.patch(path, json={"prompt": "Reworded?"}, headers=admin.headers).status_code == 200
    )
    entry = newest(client, admin)
    assert entry["action"] == "question.update"
    assert entry["detail"] == {"prompt": {"from": QUESTION["prompt"], "to": "Reworded?"}}

    assert client.delete(path, headers=admin.headers).status_code == 204
    entry = newest(client, admin)
    assert (entry["action"], entry["target"]) == ("question.delete", f"question:{question}")
    assert entry["detail"] == {"topic": "transformers", "prompt": "Reworded?"}


def test_admin_actions_on_accounts_are_recorded(client: TestClient, admin: Account):
    learner = new_learner(client)
    learner_id = account_id(client, learner)
    path = f"/api/v1/admin/learners/{learner_id}"
    assert client.patch(path, json={"disabled": True}, headers=admin.headers).status_code == 200
    entry = newest(client, admin)
    assert entry["actor_id"] == account_id(client, admin)
    assert (entry["action"], entry["target"]) == ("learner.update", f"learner:{learner_id}")
    assert entry["detail"] == {"disabled": {"from": False, "to": True}}
    assert client.patch(path, json={"role": "admin"}, headers=admin.headers).status_code == 200
    assert newest(client, admin)["detail"] == {"role": {"from": "learner", "to": "admin"}}


def test_the_trail_is_newest_first_filtered_and_paginated(
    client: TestClient, admin: Account, database: Database
):
    other = new_admin(client, database)
    admin_id, other_id = account_id(client, admin), account_id(client, other)
    for title in ("One", "Two"):
        response = client.patch(
            "/api/v1/topics/transformers", json={"title": title}, headers=admin.headers
        )
        assert response.status_code == 200
    response = client.patch(
        "/api/v1/topics/transformers", json={"title": "Three"}, headers=other.headers
    )
    assert response.status_code == 200
    created = client.post("/api/v1/resources", json=NEW_RESOURCE, headers=admin.headers)
    assert created.status_code == 201

    everything = entries(client, admin)
    ids = [entry["id"] for entry in everything]
    assert ids == sorted(ids, reverse=True)
    ats = [entry["at"] for entry in everything]
    assert ats == sorted(ats, reverse=True)

    updates = entries(client, admin, action="topic.update")
    assert [e["detail"]["title"]["to"] for e in updates][:3] == ["Three", "Two", "One"]
    assert {e["action"] for e in updates} == {"topic.update"}
    by_other = entries(client, admin, actor=other_id)
    assert [e["detail"]["title"]["to"] for e in by_other] == ["Three"]
    mine = entries(client, admin, actor=admin_id, action="topic.update")
    assert [e["detail"]["title"]["to"] for e in mine] == ["Two", "One"]
    assert entries(client, admin, action="topic.updat") == []

    page = client.get(
        AUDIT, params={"actor": admin_id, "limit": 1, "offset": 1}, headers=admin.headers
    ).json()
    assert page["total"] == 3
    assert page["limit"] == 1
    assert page["offset"] == 1
    assert page["items"][0]["detail"]["title"]["to"] == "Two"


def test_a_change_that_is_refused_leaves_no_entry(client: TestClient, admin: Account):
    before = entries(client, admin)
    # transformers needs embeddings: the other way round would close a cycle.
    cycle = client.put(
        "/api/v1/topics/embeddings/prerequisites/transformers", headers=admin.headers
    )
    assert_problem(cycle, 409)
    duplicate = {**NEW_TOPIC, "slug": "transformers"}
    assert_problem(client.post("/api/v1/topics", json=duplicate, headers=admin.headers), 409)
    assert entries(client, admin) == before


@pytest.fixture(params=BACKENDS)
def own_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database of its own, outside the suite's rolled-back transaction: there, everything
    shares one connection, which would hide a write made in a transaction of its own."""
    with new_engine(request.param, tmp_path) as engine:
        yield Database(engine)


def test_a_change_whose_commit_fails_leaves_no_entry(
    own_database: Database, monkeypatch: pytest.MonkeyPatch
):
    # Were the entry written in a transaction of its own, it would outlive the change this
    # failed commit throws away.
    settings = make_settings(migrate_on_start=True, seed_on_start=True)
    app = create_app(settings, database=own_database)
    with TestClient(app, raise_server_exceptions=False) as client:
        admin = new_admin(client, own_database)
        before = entries(client, admin)

        def failing_commit(self: Session) -> None:
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

        with monkeypatch.context() as patch:
            patch.setattr(Session, "commit", failing_commit)
            response = client.post("/api/v1/topics", json=NEW_TOPIC, headers=admin.headers)
        assert response.status_code == 500
        assert client.get("/api/v1/topics/diffusion-models").status_code == 404
        assert entries(client, admin) == before
        # The same change, committed, is recorded.
        created = client.post("/api/v1/topics", json=NEW_TOPIC, headers=admin.headers)
        assert created.status_code == 201
        assert newest(client, admin)["target"] == "topic:diffusion-models"


def test_the_trail_holds_no_secret(client: TestClient, admin: Account):
    learner = new_learner(client)
    learner_id = account_id(client, learner)
    new_password = "another long passphrase"
    change = {"current_password": PASSWORD, "new_password": new_password}
    changed = client.post("/api/v1/auth/password", json=change, headers=learner.headers)
    assert changed.status_code == 204
    path = f"/api/v1/admin/learners/{learner_id}"
    assert client.patch(path, json={"role": "admin"}, headers=admin.headers).status_code == 200
    text = client.get(AUDIT, headers=admin.headers).text
    token = admin.headers["Authorization"].split()[1]
    for secret in (PASSWORD, new_password, "argon2", token, learner.email):
        assert secret not in text


def test_only_admins_read_the_trail(client: TestClient):
    learner = new_learner(client)
    assert_problem(client.get(AUDIT, headers=learner.headers), 403)
    response = client.get(AUDIT)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_no_one_writes_or_edits_the_trail_through_the_api(
    client: TestClient, admin: Account, method: str
):
    created = client.post("/api/v1/topics", json=NEW_TOPIC, headers=admin.headers)
    assert created.status_code == 201
    before = entries(client, admin)
    for path in (AUDIT, f"{AUDIT}/{before[0]['id']}"):
        forged = {**before[0], "actor_id": None, "detail": {}}
        response = client.request(method, path, json=forged, headers=admin.headers)
        assert_problem(response, 405 if path == AUDIT else 404)
    assert entries(client, admin) == before


@pytest.mark.parametrize("params", [{"actor": 0}, {"actor": "me"}, {"action": ""}, {"limit": 0}])
def test_bad_filters_are_refused(client: TestClient, admin: Account, params: dict):
    assert_problem(client.get(AUDIT, params=params, headers=admin.headers), 422)
