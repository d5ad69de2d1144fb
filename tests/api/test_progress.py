"""Progress records: upsert with ETags, history, filters and the summary."""

import pytest
from fastapi.testclient import TestClient

from tests.api.builders import Account, new_learner, record_progress
from tests.api.test_catalog_reads import assert_problem


@pytest.fixture
def learner(client: TestClient) -> Account:
    return new_learner(client)


def history(client: TestClient, learner: Account, topic: str) -> list[dict]:
    response = client.get(f"/api/v1/me/progress/{topic}/history", headers=learner.headers)
    assert response.status_code == 200
    return response.json()["items"]


def test_first_write_creates_then_changes_replace(client: TestClient, learner: Account):
    created = record_progress(client, learner, "calculus", status="in_progress", mastery=30)
    assert created.status_code == 201
    assert created.headers["etag"] == '"1"'
    assert created.json() == {
        "topic": "calculus",
        "status": "in_progress",
        "mastery": 30,
        "hours_spent": 0.0,
        "notes": "",
        "level": "aware",  # what `in_progress` implies when no level is set (DESIGN.md §7)
        "level_source": "status",
        "reviews": 0,
        "last_reviewed_at": None,
        "updated_at": created.json()["updated_at"],
        "version": 1,
    }
    updated = record_progress(client, learner, "calculus", hours_spent=12, notes="done!")
    assert updated.status_code == 200
    assert updated.headers["etag"] == '"2"'
    assert updated.json()["mastery"] is None  # PUT replaces the whole record
    # Completing it is its first spaced review.
    assert updated.json()["reviews"] == 1
    assert updated.json()["last_reviewed_at"] == updated.json()["updated_at"]
    read = client.get("/api/v1/me/progress/calculus", headers=learner.headers)
    assert read.json() == updated.json()
    assert read.headers["etag"] == '"2"'

    events = history(client, learner, "calculus")
    assert [e["version"] for e in events] == [1, 2]
    assert events[0]["old"] is None
    assert events[1]["old"]["status"] == "in_progress"
    assert events[1]["new"] == {
        "status": "completed",
        "mastery": None,
        "hours_spent": 12.0,
        "notes": "done!",
        "level": "proficient",
        "level_source": "status",
        "reviews": 1,
        "last_reviewed_at": updated.json()["updated_at"],
    }
    assert [e["source"] for e in events] == ["self", "self"]


def test_a_write_that_changes_nothing_adds_no_event(client: TestClient, learner: Account):
    record_progress(client, learner, "calculus")
    again = record_progress(client, learner, "calculus")
    assert again.status_code == 200
    assert again.json()["version"] == 1
    assert len(history(client, learner, "calculus")) == 1


def test_a_stale_if_match_is_refused_and_changes_nothing(client: TestClient, learner: Account):
    record_progress(client, learner, "calculus", status="in_progress")
    record_progress(client, learner, "calculus", status="completed")
    stale = client.put(
        "/api/v1/me/progress/calculus",
        json={"status": "skipped"},
        headers={**learner.headers, "If-Match": '"1"'},
    )
    assert_problem(stale, 412)
    assert client.get("/api/v1/me/progress/calculus", headers=learner.headers).json()["status"] == (
        "completed"
    )
    assert len(history(client, learner, "calculus")) == 2
    fresh = client.put(
        "/api/v1/me/progress/calculus",
        json={"status": "skipped"},
        headers={**learner.headers, "If-Match": '"2"'},
    )
    assert fresh.status_code == 200
    assert fresh.headers["etag"] == '"3"'


def test_if_match_on_a_missing_record_is_412(client: TestClient, learner: Account):
    response = client.put(
        "/api/v1/me/progress/calculus",
        json={"status": "completed"},
        headers={**learner.headers, "If-Match": "*"},
    )
    assert_problem(response, 412)
    assert_problem(client.get("/api/v1/me/progress/calculus", headers=learner.headers), 404)


@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        ('"7", "2"', 200),  # a list naming the current tag
        ("*", 200),  # any existing record
        ('W/"2"', 412),  # a weak tag never matches (strong comparison)
        ('"02"', 412),  # another tag, though it names the same number
        ('"99999999999999999999"', 412),  # beyond any version
        ('"two"', 412),
    ],
)
def test_if_match_compares_entity_tags_strongly(
    client: TestClient, learner: Account, if_match: str, status: int
):
    record_progress(client, learner, "calculus", status="in_progress")
    record_progress(client, learner, "calculus", status="completed")
    response = client.put(
        "/api/v1/me/progress/calculus",
        json={"status": "skipped"},
        headers={**learner.headers, "If-Match": if_match},
    )
    assert response.status_code == status
    current = client.get("/api/v1/me/progress/calculus", headers=learner.headers).json()
    assert current["status"] == ("skipped" if status == 200 else "completed")


@pytest.mark.parametrize(
    "body",
    [
        {"status": "mastered"},
        {"status": "completed", "mastery": 101},
        {"status": "completed", "mastery": -1},
        {"status": "completed", "hours_spent": -0.5},
        {"status": "completed", "notes": "x" * 2001},
        {"status": "completed", "version": 7},
        {"mastery": 50},
    ],
)
def test_invalid_progress_is_422_and_stores_nothing(client: TestClient, learner: Account, body):
    response = client.put("/api/v1/me/progress/calculus", json=body, headers=learner.headers)
    assert_problem(response, 422)
    assert client.get("/api/v1/me/progress", headers=learner.headers).json()["total"] == 0


def test_progress_on_an_unknown_topic_is_404(client: TestClient, learner: Account):
    assert_problem(record_progress(client, learner, "quantum-cooking"), 404)
    assert_problem(
        client.get("/api/v1/me/progress/quantum-cooking/history", headers=learner.headers), 404
    )


def test_listing_filters_by_status_and_area(client: TestClient, learner: Account):
    record_progress(client, learner, "calculus")
    record_progress(client, learner, "transformers", status="in_progress")
    record_progress(client, learner, "python", status="skipped")
    everything = client.get("/api/v1/me/progress", headers=learner.headers).json()
    assert everything["total"] == 3
    assert everything["items"][0]["topic"] == "python"  # most recent first
    done = client.get(
        "/api/v1/me/progress", params={"status": "completed"}, headers=learner.headers
    ).json()
    assert [item["topic"] for item in done["items"]] == ["calculus"]
    deep = client.get(
        "/api/v1/me/progress", params={"area": "deep-learning"}, headers=learner.headers
    ).json()
    assert [item["topic"] for item in deep["items"]] == ["transformers"]
    page = client.get(
        "/api/v1/me/progress", params={"limit": 2, "offset": 2}, headers=learner.headers
    ).json()
    assert (page["total"], len(page["items"])) == (3, 1)


def test_summary_counts_per_area(client: TestClient, learner: Account):
    record_progress(client, learner, "calculus", hours_spent=10)
    record_progress(client, learner, "probability-basics", status="skipped")
    record_progress(client, learner, "transformers", status="in_progress", hours_spent=3)
    summary = client.get("/api/v1/me/summary", headers=learner.headers).json()
    areas = {area["area"]: area for area in summary["areas"]}
    math = areas["math-for-ml"]
    assert math["counts"]["completed"] == 1
    assert math["counts"]["skipped"] == 1
    assert math["counts"]["not_started"] == math["topics"] - 2
    assert math["known_share"] == round(2 / math["topics"], 4)
    assert math["hours_spent"] == 10
    assert areas["deep-learning"]["counts"]["in_progress"] == 1
    overall = summary["overall"]
    assert overall["topics"] == sum(area["topics"] for area in summary["areas"])
    assert overall["hours_spent"] == 13
