"""Spaced review: schedules start when a topic is learned, ratings move them, and `as_of`
previews what will be due (DESIGN.md §7)."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from models.database import Database
from tests.api.builders import Account, new_learner, record_progress
from tests.api.test_catalog_reads import assert_problem
from tests.api.test_checks import answer_key, take
from tests.conftest import make_settings

REVIEWS = "/api/v1/me/reviews"


@pytest.fixture
def learner(client: TestClient) -> Account:
    return new_learner(client)


def reviews(client: TestClient, learner: Account, **params: object) -> dict:
    response = client.get(REVIEWS, params=params, headers=learner.headers)
    assert response.status_code == 200, response.text
    return response.json()


def review(client: TestClient, learner: Account, topic: str, rating: str):
    return client.post(f"{REVIEWS}/{topic}", json={"rating": rating}, headers=learner.headers)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def iso(at: datetime) -> str:
    return at.isoformat()


def test_completing_a_topic_starts_its_schedule(client: TestClient, learner: Account):
    completed = record_progress(client, learner, "calculus").json()
    page = reviews(client, learner)
    assert page["total"] == 1
    [item] = page["items"]
    assert item["topic"]["slug"] == "calculus"
    assert {"slug", "title", "area", "level", "estimated_hours"} <= item["topic"].keys()
    assert item["reviews"] == 1
    assert item["level"] == "proficient"
    assert item["retrievability"] == pytest.approx(1.0)  # just reviewed
    # Completing counts as a review rated `good` at that moment: due some days later.
    reviewed = moment(completed["last_reviewed_at"])
    assert reviewed == moment(completed["updated_at"])
    assert timedelta(days=1) < moment(item["due_at"]) - reviewed < timedelta(days=10)


def test_a_year_ahead_the_topic_is_due_and_faded(client: TestClient, learner: Account):
    completed = record_progress(client, learner, "calculus").json()
    reviewed = moment(completed["last_reviewed_at"])
    assert reviews(client, learner, due="true")["items"] == []
    assert [i["topic"]["slug"] for i in reviews(client, learner, due="false")["items"]] == [
        "calculus"
    ]

    year_ahead = iso(reviewed + timedelta(days=365))
    [due] = reviews(client, learner, as_of=year_ahead, due="true")["items"]
    assert due["topic"]["slug"] == "calculus"
    assert 0 < due["retrievability"] < 0.9
    assert reviews(client, learner, as_of=year_ahead, due="false")["items"] == []


def test_due_turns_at_due_at_and_retrievability_falls_below_the_retention(
    client: TestClient, learner: Account
):
    record_progress(client, learner, "calculus")
    [item] = reviews(client, learner)["items"]
    due_at = moment(item["due_at"])
    before = reviews(client, learner, as_of=iso(due_at - timedelta(seconds=1)))["items"][0]
    at = reviews(client, learner, as_of=iso(due_at))["items"][0]
    assert before["retrievability"] >= 0.9
    assert at["retrievability"] < 0.9
    assert (
        reviews(client, learner, as_of=iso(due_at - timedelta(seconds=1)), due="true")["total"] == 0
    )
    assert reviews(client, learner, as_of=iso(due_at), due="true")["total"] == 1


def test_skipped_and_started_topics_get_no_schedule(client: TestClient, learner: Account):
    record_progress(client, learner, "calculus", status="skipped")
    record_progress(client, learner, "probability-basics", status="in_progress")
    assert reviews(client, learner)["total"] == 0
    assert (
        client.get("/api/v1/me/progress/calculus", headers=learner.headers).json()["reviews"] == 0
    )


def test_schedules_are_ordered_by_due_date(client: TestClient, learner: Account):
    record_progress(client, learner, "calculus")
    record_progress(client, learner, "probability-basics")
    assert review(client, learner, "probability-basics", "again").status_code == 200
    slugs = [i["topic"]["slug"] for i in reviews(client, learner)["items"]]
    assert slugs == ["probability-basics", "calculus"]
    page = reviews(client, learner, limit=1, offset=1)
    assert page["total"] == 2
    assert [i["topic"]["slug"] for i in page["items"]] == ["calculus"]


def test_again_brings_the_review_within_a_day_and_easy_pushes_it_days_ahead(
    client: TestClient, learner: Account
):
    record_progress(client, learner, "calculus")
    record_progress(client, learner, "bayes-rule")
    record_progress(client, learner, "probability-basics", status="skipped")
    [before, _] = reviews(client, learner)["items"]

    again = review(client, learner, "calculus", "again")
    assert again.status_code == 200, again.text
    easy = review(client, learner, "bayes-rule", "easy")
    assert easy.status_code == 200, easy.text
    first_easy = review(client, learner, "probability-basics", "easy")
    assert first_easy.status_code == 200, first_easy.text
    reviewed_at = {
        slug: moment(
            client.get(f"/api/v1/me/progress/{slug}", headers=learner.headers).json()[
                "last_reviewed_at"
            ]
        )
        for slug in ("calculus", "bayes-rule", "probability-basics")
    }
    assert moment(again.json()["due_at"]) - reviewed_at["calculus"] <= timedelta(days=1)
    assert again.json()["reviews"] == easy.json()["reviews"] == 2
    assert again.json()["retrievability"] == pytest.approx(1.0)
    # Easy the same day as completing: later than completing alone had it, days ahead.
    assert moment(easy.json()["due_at"]) > moment(before["due_at"])
    assert moment(easy.json()["due_at"]) - reviewed_at["bayes-rule"] >= timedelta(days=3)
    # Easy as a first review: more than a week ahead.
    due_in = moment(first_easy.json()["due_at"]) - reviewed_at["probability-basics"]
    assert due_in >= timedelta(days=7)


def test_a_review_is_a_change_to_the_record(client: TestClient, learner: Account):
    completed = record_progress(client, learner, "calculus")
    assert completed.headers["etag"] == '"1"'
    reviewed = review(client, learner, "calculus", "good")
    assert reviewed.status_code == 200

    record = client.get("/api/v1/me/progress/calculus", headers=learner.headers)
    assert record.headers["etag"] == '"2"'
    body = record.json()
    assert body["version"] == 2
    assert body["reviews"] == 2
    assert body["status"] == "completed"
    assert moment(body["last_reviewed_at"]) > moment(completed.json()["last_reviewed_at"])

    events = client.get("/api/v1/me/progress/calculus/history", headers=learner.headers).json()[
        "items"
    ]
    assert [(e["version"], e["source"]) for e in events] == [(1, "self"), (2, "review")]
    assert events[1]["old"]["reviews"] == 1
    assert events[1]["new"]["reviews"] == 2
    assert events[1]["new"]["last_reviewed_at"] == body["last_reviewed_at"]
    # A stale ETag no longer writes.
    stale = client.put(
        "/api/v1/me/progress/calculus",
        json={"status": "completed", "notes": "x"},
        headers={**learner.headers, "If-Match": '"1"'},
    )
    assert_problem(stale, 412)


def test_a_review_starts_a_schedule_on_any_topic_known_at_some_level(
    client: TestClient, learner: Account
):
    record_progress(client, learner, "calculus", status="skipped")
    record_progress(client, learner, "probability-basics", status="in_progress")
    skipped = review(client, learner, "calculus", "hard")
    assert skipped.status_code == 200, skipped.text
    assert skipped.json()["reviews"] == 1
    assert skipped.json()["level"] == "proficient"
    started = review(client, learner, "probability-basics", "good")
    assert started.status_code == 200
    assert started.json()["level"] == "aware"
    assert reviews(client, learner)["total"] == 2


def test_a_review_needs_a_record_with_a_level(client: TestClient, learner: Account):
    assert_problem(review(client, learner, "calculus", "good"), 409)
    record_progress(client, learner, "calculus", status="not_started")
    assert_problem(review(client, learner, "calculus", "good"), 409)
    assert_problem(review(client, learner, "no-such-topic", "good"), 404)
    record = client.get("/api/v1/me/progress/calculus", headers=learner.headers)
    assert record.json()["version"] == 1
    assert reviews(client, learner)["total"] == 0


@pytest.mark.parametrize(
    "body",
    [{"rating": "perfect"}, {}, {"rating": "good", "at": "2030-01-01T00:00:00Z"}, {"rating": 3}],
)
def test_a_bad_review_is_refused_and_changes_nothing(
    client: TestClient, learner: Account, body: dict
):
    record_progress(client, learner, "calculus")
    response = client.post(f"{REVIEWS}/calculus", json=body, headers=learner.headers)
    assert_problem(response, 422)
    assert reviews(client, learner)["items"][0]["reviews"] == 1


@pytest.mark.parametrize(
    "as_of",
    ["2027-01-01T00:00:00", "2027-01-01", "yesterday", "1800000000", "0001-01-01T00:00:00+05:00"],
)
def test_as_of_needs_a_time_zone(client: TestClient, learner: Account, as_of: str):
    response = client.get(REVIEWS, params={"as_of": as_of}, headers=learner.headers)
    assert_problem(response, 422)


def test_as_of_in_any_zone_is_the_same_moment(client: TestClient, learner: Account):
    record_progress(client, learner, "calculus")
    [item] = reviews(client, learner)["items"]
    due_at = moment(item["due_at"]).astimezone(UTC)
    in_paris = (due_at - timedelta(seconds=1)).astimezone(
        datetime.fromisoformat("2026-01-01T00:00:00+01:00").tzinfo
    )
    assert reviews(client, learner, as_of=iso(in_paris), due="true")["total"] == 0
    assert reviews(client, learner, as_of=iso(due_at), due="true")["total"] == 1


def test_schedules_are_per_learner(client: TestClient, learner: Account):
    record_progress(client, learner, "calculus")
    other = new_learner(client, name="other")
    assert reviews(client, other)["total"] == 0
    assert_problem(review(client, other, "calculus", "good"), 409)
    assert reviews(client, learner)["items"][0]["reviews"] == 1


def test_reviews_need_a_token(client: TestClient):
    assert_problem(client.get(REVIEWS), 401)
    assert_problem(client.post(f"{REVIEWS}/calculus", json={"rating": "good"}), 401)


def test_schedules_survive_a_restart(client: TestClient, learner: Account, database: Database):
    record_progress(client, learner, "calculus")
    review(client, learner, "calculus", "easy")
    before = reviews(client, learner)
    # A new process on the same database: nothing of the schedule lived in the old one.
    restarted = create_app(make_settings(), database=database)
    with TestClient(restarted) as fresh:
        after = fresh.get(REVIEWS, params={"as_of": before_as_of(before)}, headers=learner.headers)
    assert after.status_code == 200
    assert [(i["topic"]["slug"], i["due_at"], i["reviews"]) for i in after.json()["items"]] == [
        (i["topic"]["slug"], i["due_at"], i["reviews"]) for i in before["items"]
    ]


def before_as_of(page: dict) -> str:
    return page["items"][0]["due_at"]


def test_a_level_a_check_awards_starts_a_schedule_once(client: TestClient, learner: Account):
    assert take(client, learner, "calculus", right=0).json()["awarded_level"] is None
    assert reviews(client, learner)["total"] == 0  # a check that awards nothing starts nothing

    checked = take(client, learner, "calculus", right=len(answer_key(client, "calculus")))
    assert checked.status_code == 201, checked.text
    assert checked.json()["awarded_level"] == "proficient"
    [item] = reviews(client, learner)["items"]
    assert item["reviews"] == 1
    assert item["level"] == "proficient"
    record = client.get("/api/v1/me/progress/calculus", headers=learner.headers).json()
    assert record["reviews"] == 1
    assert moment(record["last_reviewed_at"]) == moment(checked.json()["taken_at"])
    # Neither a second check nor completing it starts it again.
    take(client, learner, "calculus", right=len(answer_key(client, "calculus")))
    assert record_progress(client, learner, "calculus").json()["reviews"] == 1
    assert reviews(client, learner)["items"][0]["due_at"] == item["due_at"]


def test_the_export_lists_a_learners_schedules_and_review_log(client: TestClient, learner: Account):
    record_progress(client, learner, "calculus")
    review(client, learner, "calculus", "hard")
    take(client, learner, "bayes-rule", right=len(answer_key(client, "bayes-rule")))
    record_progress(client, new_learner(client, name="other"), "probability-basics")
    exported = client.get("/api/v1/me/export", headers=learner.headers).json()["reviews"]
    listed = {i["topic"]["slug"]: i for i in reviews(client, learner)["items"]}
    assert [entry["topic"] for entry in exported] == ["bayes-rule", "calculus"]
    for entry in exported:
        assert moment(entry["due_at"]) == moment(listed[entry["topic"]]["due_at"])
        assert entry["reviews"] == listed[entry["topic"]]["reviews"]
        assert {"stability", "difficulty", "last_review"} <= entry["card"].keys()
    assert [(e["rating"], e["source"]) for e in exported[0]["log"]] == [("good", "check")]
    assert [(e["rating"], e["source"]) for e in exported[1]["log"]] == [
        ("good", "self"),
        ("hard", "review"),
    ]
