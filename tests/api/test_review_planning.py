"""Recommendations see memory: learned topics fading at `as_of` come back as `review_due`
items after the learning steps; roadmaps hold learning steps only; kept answers follow the
UTC date (DESIGN.md §7)."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from api import clock
from tests.api.builders import Account, new_learner, record_progress
from tests.api.test_catalog_reads import assert_problem
from tests.api.test_planning import recommendations, roadmap

GOAL = "build-ml-model"
YEAR = timedelta(days=365)


@pytest.fixture
def learner(client: TestClient) -> Account:
    return new_learner(client)


def codes(item: dict) -> list[str]:
    return [reason["code"] for reason in item["reasons"]]


def reviews_due(body: dict) -> list[dict]:
    return [item for item in body["items"] if "review_due" in codes(item)]


def complete_first_step(client: TestClient, learner: Account) -> dict:
    """Complete the first recommended topic of the goal: one the goal's closure holds."""
    first = recommendations(client, learner, goal=GOAL)["items"][0]["topic"]
    record_progress(client, learner, first["slug"])
    return first


def test_a_learned_topic_fading_a_year_ahead_is_recommended_for_review(
    client: TestClient, learner: Account
):
    topic = complete_first_step(client, learner)
    assert reviews_due(recommendations(client, learner, goal=GOAL, limit=50)) == []

    ahead = (datetime.now(UTC) + YEAR).isoformat()
    body = recommendations(client, learner, goal=GOAL, limit=50, as_of=ahead)
    [due] = reviews_due(body)
    assert due["topic"]["slug"] == topic["slug"]
    assert codes(due) == ["review_due"]
    detail = due["reasons"][0]["detail"]
    assert detail.startswith(f"You last reviewed {topic['title']} 12 months ago; a ")
    assert detail.endswith("-minute review keeps it.")
    assert due["resources"]  # what to review with
    # Learning steps first, the review after them.
    assert body["items"][-1] == due
    assert all(item["score"] > 0 for item in body["items"][:-1])
    assert not body["goal_reached"]


def test_roadmaps_hold_learning_steps_only(client: TestClient, learner: Account):
    topic = complete_first_step(client, learner)
    today = roadmap(client, learner, goal=GOAL)
    ahead = roadmap(client, learner, goal=GOAL, as_of=(datetime.now(UTC) + YEAR).isoformat())
    assert ahead == today
    slugs = {t["slug"] for stage in ahead["stages"] for t in stage["topics"]}
    assert topic["slug"] not in slugs


@pytest.mark.parametrize("path", ["/api/v1/me/recommendations", "/api/v1/me/roadmap"])
def test_as_of_without_a_zone_is_refused(client: TestClient, learner: Account, path: str):
    response = client.get(
        path, params={"goal": GOAL, "as_of": "2027-01-01T00:00:00"}, headers=learner.headers
    )
    assert_problem(response, 422)


def test_a_due_target_still_counts_as_met(client: TestClient, learner: Account):
    record_progress(client, learner, "calculus")
    body = recommendations(
        client, learner, targets="calculus", as_of=(datetime.now(UTC) + YEAR).isoformat()
    )
    assert body["goal_reached"]
    assert [(item["topic"]["slug"], codes(item)) for item in body["items"]] == [
        ("calculus", ["review_due"])
    ]


def test_kept_answers_follow_the_utc_date_and_a_review_clears_the_due(
    client: TestClient, learner: Account, monkeypatch: pytest.MonkeyPatch
):
    topic = complete_first_step(client, learner)
    params = {"goal": GOAL, "limit": 50}
    today = recommendations(client, learner, **params)
    assert recommendations(client, learner, **params) == today  # kept, and still right
    assert reviews_due(today) == []

    # A year later, the same request with the same progress version is not today's answer.
    later = datetime.now(UTC) + YEAR
    monkeypatch.setattr(clock, "now", lambda: later)
    [due] = reviews_due(recommendations(client, learner, **params))
    assert due["topic"]["slug"] == topic["slug"]
    listed = client.get("/api/v1/me/reviews", params={"due": "true"}, headers=learner.headers)
    assert [i["topic"]["slug"] for i in listed.json()["items"]] == [topic["slug"]]

    # Reviewing it then (rated good) makes it remembered again, and the plans see it at once.
    reviewed = client.post(
        f"/api/v1/me/reviews/{topic['slug']}", json={"rating": "good"}, headers=learner.headers
    )
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["reviews"] == 2
    assert reviewed.json()["retrievability"] == pytest.approx(1.0)
    assert datetime.fromisoformat(reviewed.json()["due_at"]) > later + timedelta(days=1)
    assert reviews_due(recommendations(client, learner, **params)) == []
    record = client.get(f"/api/v1/me/progress/{topic['slug']}", headers=learner.headers).json()
    assert datetime.fromisoformat(record["last_reviewed_at"]) == later


def test_stateless_plans_know_no_memory(client: TestClient):
    response = client.post("/api/v1/plans", json={"goal": GOAL, "known": ["calculus"], "limit": 50})
    assert response.status_code == 200
    assert reviews_due(response.json()["recommendations"]) == []
