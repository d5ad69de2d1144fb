"""Admins edit the catalog; every edit is visible to the next read; the graph stays a DAG."""

import pytest
from fastapi.testclient import TestClient

from models.database import Database
from tests.api.builders import Account, new_admin, new_learner, record_progress
from tests.api.test_catalog_reads import all_items, assert_problem

NEW_TOPIC = {
    "slug": "diffusion-models",
    "title": "Diffusion models",
    "summary": "Generative models that learn to reverse a noising process.",
    "area": "deep-learning",
    "level": 5,
    "estimated_hours": 20,
    "tags": ["generative-models"],
}


@pytest.fixture
def admin(client: TestClient, database: Database) -> Account:
    return new_admin(client, database)


def edges(client: TestClient) -> set[tuple[str, str]]:
    return {(e["prerequisite"], e["topic"]) for e in client.get("/api/v1/graph").json()["edges"]}


def test_a_new_topic_is_visible_at_once(client: TestClient, admin: Account):
    created = client.post("/api/v1/topics", json=NEW_TOPIC, headers=admin.headers)
    assert created.status_code == 201
    assert created.json()["slug"] == "diffusion-models"
    assert client.get("/api/v1/topics/diffusion-models").json()["title"] == "Diffusion models"
    deep = client.get("/api/v1/areas").json()["items"][1]
    assert deep["slug"] == "deep-learning"
    assert deep["topic_count"] == len(all_items(client, "/api/v1/topics", area="deep-learning"))


def test_topic_create_conflicts_and_bad_areas_are_refused(client: TestClient, admin: Account):
    duplicate = {**NEW_TOPIC, "slug": "transformers"}
    assert_problem(client.post("/api/v1/topics", json=duplicate, headers=admin.headers), 409)
    no_area = {**NEW_TOPIC, "area": "cooking"}
    assert_problem(client.post("/api/v1/topics", json=no_area, headers=admin.headers), 422)
    assert client.get("/api/v1/topics/diffusion-models").status_code == 404


def test_patch_changes_only_the_given_fields(client: TestClient, admin: Account):
    before = client.get("/api/v1/topics/transformers").json()
    response = client.patch(
        "/api/v1/topics/transformers", json={"estimated_hours": 30}, headers=admin.headers
    )
    assert response.status_code == 200
    after = client.get("/api/v1/topics/transformers").json()
    assert after["estimated_hours"] == 30
    assert {**after, "estimated_hours": before["estimated_hours"]} == before
    null = client.patch("/api/v1/topics/transformers", json={"title": None}, headers=admin.headers)
    assert_problem(null, 422)


def test_adding_and_removing_a_prerequisite(client: TestClient, admin: Account):
    client.post("/api/v1/topics", json=NEW_TOPIC, headers=admin.headers)
    path = "/api/v1/topics/diffusion-models/prerequisites/transformers"
    added = client.put(path, headers=admin.headers)
    assert added.status_code == 200
    assert [p["slug"] for p in added.json()["prerequisites"]] == ["transformers"]
    assert client.put(path, headers=admin.headers).status_code == 200  # idempotent
    unlocks = client.get("/api/v1/topics/transformers").json()["unlocks"]
    assert "diffusion-models" in {t["slug"] for t in unlocks}
    assert client.delete(path, headers=admin.headers).status_code == 204
    assert ("transformers", "diffusion-models") not in edges(client)
    assert_problem(client.delete(path, headers=admin.headers), 404)


def test_self_edges_and_cycles_are_refused_and_nothing_is_stored(
    client: TestClient, admin: Account
):
    before = edges(client)
    # transformers needs (transitively) neural-network-basics, so the reverse closes a cycle.
    cycle = "/api/v1/topics/neural-network-basics/prerequisites/transformers"
    body = assert_problem(client.put(cycle, headers=admin.headers), 409)
    assert "cycle" in body["detail"]
    self_edge = "/api/v1/topics/transformers/prerequisites/transformers"
    assert_problem(client.put(self_edge, headers=admin.headers), 409)
    assert edges(client) == before


def test_deleting_a_topic_keeps_learners_history(client: TestClient, admin: Account):
    learner = new_learner(client)
    assert record_progress(client, learner, "transformers").status_code == 201
    assert client.delete("/api/v1/topics/transformers", headers=admin.headers).status_code == 204
    assert_problem(client.get("/api/v1/topics/transformers"), 404)
    assert not {e for e in edges(client) if "transformers" in e}
    for goal in client.get("/api/v1/goals").json()["items"]:
        assert "transformers" not in {t["topic"] for t in goal["targets"]}
    assert client.get("/api/v1/me/progress", headers=learner.headers).json()["total"] == 0
    history = client.get("/api/v1/me/progress/transformers/history", headers=learner.headers)
    assert history.status_code == 200
    assert history.json()["items"][0]["new"]["status"] == "completed"


def test_resources_are_edited_by_admins(client: TestClient, admin: Account):
    body = {
        "title": "The Illustrated Transformer",
        "url": "https://example.org/illustrated-transformer",
        "kind": "article",
        "provider": "Example",
        "free": True,
        "hours": 1.5,
        "topics": ["transformers"],
    }
    created = client.post("/api/v1/resources", json=body, headers=admin.headers)
    assert created.status_code == 201
    resource_id = created.json()["id"]
    detail = client.get("/api/v1/topics/transformers").json()
    assert resource_id in {r["id"] for r in detail["resources"]}
    assert_problem(client.post("/api/v1/resources", json=body, headers=admin.headers), 409)
    unknown_topic = {**body, "url": "https://example.org/other", "topics": ["nope"]}
    assert_problem(client.post("/api/v1/resources", json=unknown_topic, headers=admin.headers), 422)

    moved = client.patch(
        f"/api/v1/resources/{resource_id}",
        json={"topics": ["sequence-models"], "hours": 2},
        headers=admin.headers,
    )
    assert moved.json()["topics"] == ["sequence-models"]
    assert moved.json()["hours"] == 2
    assert (
        client.delete(f"/api/v1/resources/{resource_id}", headers=admin.headers).status_code == 204
    )
    assert_problem(client.get(f"/api/v1/resources/{resource_id}"), 404)


def test_goals_and_their_targets_are_edited_by_admins(client: TestClient, admin: Account):
    goal = {
        "slug": "vision-engineer",
        "title": "Work as a computer vision engineer",
        "description": "Train and ship image models.",
        "targets": [{"topic": "convolutional-networks", "weight": 1.0}],
    }
    assert client.post("/api/v1/goals", json=goal, headers=admin.headers).status_code == 201
    assert_problem(client.post("/api/v1/goals", json=goal, headers=admin.headers), 409)
    target = "/api/v1/goals/vision-engineer/targets/model-deployment"
    assert client.put(target, json={"weight": 0.5}, headers=admin.headers).status_code == 200
    assert_problem(client.put(target, json={"weight": 1.5}, headers=admin.headers), 422)
    targets = client.get("/api/v1/goals/vision-engineer").json()["targets"]
    # A level the admin leaves out is proficient (DESIGN.md §7).
    assert targets == [
        {"topic": "convolutional-networks", "weight": 1.0, "level": "proficient"},
        {"topic": "model-deployment", "weight": 0.5, "level": "proficient"},
    ]
    deeper = {"weight": 0.5, "level": "expert"}
    assert client.put(target, json=deeper, headers=admin.headers).json()["targets"][1] == {
        "topic": "model-deployment",
        **deeper,
    }
    assert_problem(
        client.put(target, json={"weight": 0.5, "level": "guru"}, headers=admin.headers), 422
    )
    edited = client.patch(
        "/api/v1/goals/vision-engineer",
        json={"targets": [{"topic": "convolutional-networks", "weight": 1.0, "level": "aware"}]},
        headers=admin.headers,
    )
    assert edited.json()["targets"] == [
        {"topic": "convolutional-networks", "weight": 1.0, "level": "aware"}
    ]
    assert client.put(target, json={"weight": 0.5}, headers=admin.headers).status_code == 200
    assert client.delete(target, headers=admin.headers).status_code == 204
    renamed = client.patch(
        "/api/v1/goals/vision-engineer", json={"title": "Vision"}, headers=admin.headers
    )
    assert renamed.json()["title"] == "Vision"
    assert client.delete("/api/v1/goals/vision-engineer", headers=admin.headers).status_code == 204
    assert_problem(client.get("/api/v1/goals/vision-engineer"), 404)
