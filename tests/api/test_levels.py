"""Levels over HTTP (DESIGN.md §7): progress writes and reads, history, the summary, goals that
ask for a depth, gaps, deepen recommendations and `levels` in stateless plans."""

import pytest
from fastapi.testclient import TestClient

from models.database import Database
from tests.api.builders import Account, new_admin, new_learner, record_progress
from tests.api.test_catalog_reads import assert_problem


@pytest.fixture
def learner(client: TestClient) -> Account:
    return new_learner(client)


@pytest.fixture
def admin(client: TestClient, database: Database) -> Account:
    return new_admin(client, database)


def history(client: TestClient, learner: Account, topic: str) -> list[dict]:
    response = client.get(f"/api/v1/me/progress/{topic}/history", headers=learner.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def gaps(client: TestClient, learner: Account, **params: str) -> dict:
    response = client.get("/api/v1/me/gaps", params=params, headers=learner.headers)
    assert response.status_code == 200, response.text
    return response.json()


def hours_of(client: TestClient, topic: str) -> float:
    hours: float = client.get(f"/api/v1/topics/{topic}").json()["estimated_hours"]
    return hours


def test_a_level_is_part_of_the_record_a_put_replaces(client: TestClient, learner: Account):
    created = record_progress(client, learner, "calculus", status="completed", level="practiced")
    assert created.status_code == 201
    assert (created.json()["level"], created.json()["level_source"]) == ("practiced", "self")

    # Writing back what was read (level included, as its source is not `status`) changes
    # nothing.
    read = client.get("/api/v1/me/progress/calculus", headers=learner.headers).json()
    body = {k: read[k] for k in ("status", "mastery", "hours_spent", "notes", "level")}
    same = record_progress(client, learner, "calculus", **body)
    assert same.json()["version"] == 1

    # A level change alone is a change: a new version and an event.
    deeper = record_progress(client, learner, "calculus", level="expert")
    assert (deeper.json()["level"], deeper.json()["version"]) == ("expert", 2)

    # A PUT replaces the whole record: without a level (or with null) the status implies it.
    done = record_progress(client, learner, "calculus", notes="done")
    assert (done.json()["level"], done.json()["level_source"]) == ("proficient", "status")
    assert done.json()["version"] == 3
    record_progress(client, learner, "calculus", notes="done", level="aware")
    cleared = record_progress(client, learner, "calculus", notes="done", level=None)
    assert (cleared.json()["level"], cleared.json()["level_source"]) == ("proficient", "status")

    events = history(client, learner, "calculus")
    assert [(e["old"] or {}).get("level") for e in events] == [
        None,
        "practiced",
        "expert",
        "proficient",
        "aware",
    ]
    assert [e["new"]["level"] for e in events] == [
        "practiced",
        "expert",
        "proficient",
        "aware",
        "proficient",
    ]
    assert [e["new"]["level_source"] for e in events] == [
        "self",
        "self",
        "status",
        "self",
        "status",
    ]
    assert {e["source"] for e in events} == {"self"}


@pytest.mark.parametrize(
    ("status", "level"),
    [
        ("not_started", None),
        ("in_progress", "aware"),
        ("completed", "proficient"),
        ("skipped", "proficient"),
    ],
)
def test_the_status_implies_a_level_when_none_is_set(
    client: TestClient, learner: Account, status: str, level: str | None
):
    record = record_progress(client, learner, "calculus", status=status).json()
    assert record["level"] == level
    assert record["level_source"] == (None if level is None else "status")
    listed = client.get("/api/v1/me/progress", headers=learner.headers).json()["items"]
    assert [(r["level"], r["level_source"]) for r in listed] == [
        (record["level"], record["level_source"])
    ]


def test_a_bad_level_is_refused_and_changes_nothing(client: TestClient, learner: Account):
    record_progress(client, learner, "calculus", level="practiced")
    for bad in ("master", 3, ""):
        assert_problem(record_progress(client, learner, "calculus", level=bad), 422)
    read = client.get("/api/v1/me/progress/calculus", headers=learner.headers).json()
    assert (read["level"], read["version"]) == ("practiced", 1)


def test_known_share_counts_topics_at_practiced_or_deeper(client: TestClient, learner: Account):
    record_progress(client, learner, "calculus", status="completed", level="aware")  # skimmed
    record_progress(client, learner, "probability-basics", status="not_started", level="practiced")
    record_progress(client, learner, "vectors-and-matrices", status="skipped")
    summary = client.get("/api/v1/me/summary", headers=learner.headers).json()
    math = next(area for area in summary["areas"] if area["area"] == "math-for-ml")
    assert math["counts"]["completed"] == 1
    assert math["known_share"] == round(2 / math["topics"], 4)


def test_a_level_change_reaches_the_plans_at_once(client: TestClient, learner: Account):
    record_progress(client, learner, "probability-basics")
    params = {"targets": "bayes-rule"}
    first = client.get("/api/v1/me/recommendations", params=params, headers=learner.headers)
    assert [item["topic"]["slug"] for item in first.json()["items"]] == ["bayes-rule"]
    # The learner only skimmed probability: it is no longer known, so Bayes' rule waits.
    record_progress(client, learner, "probability-basics", level="aware")
    again = client.get("/api/v1/me/recommendations", params=params, headers=learner.headers)
    assert [item["topic"]["slug"] for item in again.json()["items"]] == ["probability-basics"]
    road = client.get("/api/v1/me/roadmap", params=params, headers=learner.headers).json()
    step = road["stages"][0]["topics"][0]
    assert (step["slug"], step["from_level"], step["to_level"]) == (
        "probability-basics",
        "aware",
        "proficient",
    )
    assert step["hours"] == pytest.approx(hours_of(client, "probability-basics") * 2 / 3)


def test_gaps_against_ad_hoc_targets_ask_for_proficient(client: TestClient, learner: Account):
    record_progress(client, learner, "calculus", level="expert")
    record_progress(client, learner, "probability-basics", status="in_progress")
    found = gaps(client, learner, targets="calculus,probability-basics,command-line")
    assert found["goal"] is None
    assert found["goal_reached"] is False
    by_slug = {t["topic"]["slug"]: t for t in found["targets"]}
    assert by_slug["calculus"] | {"topic": None} == {
        "topic": None,
        "weight": 1.0,
        "required_level": "proficient",
        "current_level": "expert",
        "met": True,
        "hours_to_close": 0.0,
    }
    probability = by_slug["probability-basics"]
    assert (probability["current_level"], probability["met"]) == ("aware", False)
    assert probability["hours_to_close"] == pytest.approx(
        hours_of(client, "probability-basics") * 2 / 3
    )
    assert by_slug["command-line"]["current_level"] is None
    assert by_slug["command-line"]["hours_to_close"] == hours_of(client, "command-line")
    # Readiness: calculus 1, probability 1/3, command line 0, weight 1 each.
    assert found["readiness"] == pytest.approx((1 + 1 / 3 + 0) / 3, abs=1e-4)
    assert found["areas"] == [
        {
            "area": "math-for-ml",
            "targets": 2,
            "met": 1,
            "readiness": pytest.approx(2 / 3, abs=1e-4),
        },
        {"area": "software-development", "targets": 1, "met": 0, "readiness": 0.0},
    ]


def test_gaps_refuse_what_plans_refuse(client: TestClient, learner: Account):
    assert_problem(
        client.get("/api/v1/me/gaps", params={"goal": "astronaut"}, headers=learner.headers), 404
    )
    assert_problem(
        client.get(
            "/api/v1/me/gaps", params={"targets": "calculus,warp-drive"}, headers=learner.headers
        ),
        404,
    )
    assert_problem(client.get("/api/v1/me/gaps", headers=learner.headers), 422)
    both = {"goal": "job-interview", "targets": "calculus"}
    assert_problem(client.get("/api/v1/me/gaps", params=both, headers=learner.headers), 422)
    unauthenticated = client.get("/api/v1/me/gaps", params={"goal": "job-interview"})
    assert_problem(unauthenticated, 401)


def test_a_goal_asks_its_own_depth_and_deepens_what_is_known(
    client: TestClient, learner: Account, admin: Account
):
    goal = {
        "slug": "probabilist",
        "title": "Think in probabilities",
        "description": "Bayes under pressure.",
        "targets": [
            {"topic": "probability-basics", "weight": 1.0, "level": "expert"},
            {"topic": "calculus", "weight": 0.5, "level": "aware"},
        ],
    }
    assert client.post("/api/v1/goals", json=goal, headers=admin.headers).status_code == 201
    record_progress(client, learner, "probability-basics", level="practiced")
    record_progress(client, learner, "calculus", status="in_progress")

    found = gaps(client, learner, goal="probabilist")
    assert [
        (t["topic"]["slug"], t["required_level"], t["current_level"], t["met"])
        for t in found["targets"]
    ] == [
        ("probability-basics", "expert", "practiced", False),
        ("calculus", "aware", "aware", True),
    ]
    assert found["targets"][0]["hours_to_close"] == pytest.approx(
        hours_of(client, "probability-basics") * 2 / 3
    )
    assert found["readiness"] == pytest.approx((1.0 * 2 / 4 + 0.5 * 1) / 1.5, abs=1e-4)

    recs = client.get(
        "/api/v1/me/recommendations", params={"goal": "probabilist"}, headers=learner.headers
    ).json()
    assert recs["goal_reached"] is False
    [item] = recs["items"]
    assert item["topic"]["slug"] == "probability-basics"
    assert item["reasons"][0] == {
        "code": "deepen",
        "detail": "You are practiced at Discrete probability; the probabilist goal needs expert.",
    }
    road = client.get(
        "/api/v1/me/roadmap", params={"goal": "probabilist"}, headers=learner.headers
    ).json()
    [stage] = road["stages"]
    [step] = stage["topics"]
    assert (step["from_level"], step["to_level"]) == ("practiced", "expert")
    assert road["total_hours"] == pytest.approx(step["hours"])

    record_progress(client, learner, "probability-basics", level="expert")
    reached = client.get(
        "/api/v1/me/recommendations", params={"goal": "probabilist"}, headers=learner.headers
    ).json()
    assert (reached["goal_reached"], reached["items"]) == (True, [])
    assert gaps(client, learner, goal="probabilist")["goal_reached"] is True


def test_a_stateless_plan_takes_levels(client: TestClient):
    body = {
        "targets": ["bayes-rule"],
        "known": ["probability-basics", "bayes-rule"],
        "levels": {"bayes-rule": "practiced"},
    }
    plan = client.post("/api/v1/plans", json=body)
    assert plan.status_code == 200, plan.text
    [item] = plan.json()["recommendations"]["items"]
    assert item["reasons"][0]["code"] == "deepen"
    [stage] = plan.json()["roadmap"]["stages"]
    [step] = stage["topics"]
    assert (step["from_level"], step["to_level"]) == ("practiced", "proficient")
    assert step["hours"] == pytest.approx(hours_of(client, "bayes-rule") / 3)

    # A level below practiced makes a known topic unknown again: deepening waits for it.
    shallow = {**body, "levels": {"probability-basics": "aware", "bayes-rule": "practiced"}}
    items = client.post("/api/v1/plans", json=shallow).json()["recommendations"]["items"]
    assert [item["topic"]["slug"] for item in items] == ["probability-basics"]

    assert_problem(
        client.post("/api/v1/plans", json={**body, "levels": {"warp-drive": "aware"}}), 404
    )
    assert_problem(
        client.post("/api/v1/plans", json={**body, "levels": {"bayes-rule": "guru"}}), 422
    )
