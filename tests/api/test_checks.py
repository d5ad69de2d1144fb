"""Self-checks through HTTP: questions without answers, grading, awarded levels on the
progress record (version, ETag, history), the kept attempts, and who may see them."""

from functools import cache

import pytest
from fastapi.testclient import TestClient

from api.checks.service import checks_for_export
from models.database import Database
from seed.schema import load_seed_catalog
from tests.api.builders import Account, new_admin, new_learner, record_progress
from tests.api.test_catalog_editing import NEW_TOPIC
from tests.api.test_catalog_reads import assert_problem
from tests.api.test_rate_limits import limited_client

THREE = "calculus"  # a topic with three questions: scores 100, 67, 33, 0
FOUR = "algorithms"  # a goal target with four


@cache
def _seed_answers(slug: str) -> dict[str, int]:
    return {q.prompt: q.right_choice for q in load_seed_catalog().questions[slug]}


def answer_key(client: TestClient, slug: str) -> list[tuple[int, int, int]]:
    """(question id, right choice, number of choices) of each of the topic's questions, the
    right choice taken from the seed file (the API never tells it before a check)."""
    items = client.get(f"/api/v1/topics/{slug}/questions").json()["items"]
    return [(q["id"], _seed_answers(slug)[q["prompt"]], len(q["choices"])) for q in items]


def answers(key: list[tuple[int, int, int]], *, right: int) -> dict:
    """A submission with the first `right` questions answered right and the rest wrong."""
    return {
        "answers": [
            {"question": qid, "choice": good if n < right else (good + 1) % choices}
            for n, (qid, good, choices) in enumerate(key)
        ]
    }


def take(client: TestClient, learner: Account, slug: str, *, right: int):
    return client.post(
        f"/api/v1/me/checks/{slug}",
        json=answers(answer_key(client, slug), right=right),
        headers=learner.headers,
    )


def history(client: TestClient, learner: Account, slug: str) -> list[dict]:
    response = client.get(f"/api/v1/me/progress/{slug}/history", headers=learner.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


@pytest.fixture
def learner(client: TestClient) -> Account:
    return new_learner(client)


def test_questions_come_without_answers_or_explanations(client: TestClient):
    response = client.get(f"/api/v1/topics/{FOUR}/questions")
    assert response.status_code == 200
    body = response.json()
    assert body["topic"] == FOUR
    assert set(body) == {"topic", "items"}  # the whole list: not a page
    assert len(body["items"]) == len(load_seed_catalog().questions[FOUR]) >= 4
    for item in body["items"]:
        assert set(item) == {"id", "prompt", "choices", "level"}
        assert 2 <= len(item["choices"]) <= 6
    assert "right_choice" not in response.text
    assert "explanation" not in response.text
    assert_problem(client.get("/api/v1/topics/no-such-topic/questions"), 404)


def test_a_perfect_check_awards_proficient_and_creates_the_record(
    client: TestClient, learner: Account
):
    key = answer_key(client, FOUR)
    response = take(client, learner, FOUR, right=len(key))
    assert response.status_code == 201, response.text
    check = response.json()
    assert check["topic"] == FOUR
    assert (check["score"], check["correct"], check["total"]) == (100, len(key), len(key))
    assert check["awarded_level"] == "proficient"
    assert [r["question"] for r in check["results"]] == [qid for qid, _, _ in key]
    for result, (_, good, _) in zip(check["results"], key, strict=True):
        assert result["correct"] is True
        assert result["right_choice"] == good
        assert result["explanation"]
    assert check["taken_at"].endswith(("Z", "+00:00"))

    record = client.get(f"/api/v1/me/progress/{FOUR}", headers=learner.headers)
    assert record.status_code == 200
    assert record.json()["status"] == "in_progress"
    assert record.json()["version"] == 1
    assert record.headers["etag"] == '"1"'
    [event] = history(client, learner, FOUR)
    assert event["source"] == "check"
    assert event["old"] is None
    assert event["new"]["status"] == "in_progress"
    assert (event["new"]["level"], event["new"]["level_source"]) == ("proficient", "check")


@pytest.mark.parametrize(
    ("right", "score", "level"),
    [(3, 100, "proficient"), (2, 67, "practiced"), (1, 33, "aware"), (0, 0, None)],
)
def test_scores_and_awarded_levels_of_a_three_question_check(
    client: TestClient, learner: Account, right: int, score: int, level: str | None
):
    assert len(answer_key(client, THREE)) == 3
    check = take(client, learner, THREE, right=right).json()
    assert (check["score"], check["correct"], check["total"]) == (score, right, 3)
    assert check["awarded_level"] == level
    assert [r["correct"] for r in check["results"]] == [n < right for n in range(3)]
    record = client.get(f"/api/v1/me/progress/{THREE}", headers=learner.headers)
    if level is None:
        assert record.status_code == 404  # nothing awarded, nothing written
    else:
        assert history(client, learner, THREE)[-1]["new"]["level"] == level


def test_a_lower_or_equal_award_changes_nothing(client: TestClient, learner: Account):
    take(client, learner, THREE, right=2)  # practiced
    before = client.get(f"/api/v1/me/progress/{THREE}", headers=learner.headers).json()

    for right in (1, 2):  # aware, practiced again
        assert take(client, learner, THREE, right=right).status_code == 201

    after = client.get(f"/api/v1/me/progress/{THREE}", headers=learner.headers).json()
    assert after == before
    assert len(history(client, learner, THREE)) == 1

    take(client, learner, THREE, right=3)  # proficient: higher, so it rises
    events = history(client, learner, THREE)
    assert [e["version"] for e in events] == [1, 2]
    assert events[1]["old"]["level"] == "practiced"
    assert events[1]["new"]["level"] == "proficient"
    assert events[1]["new"]["status"] == "in_progress"


def test_a_completed_record_already_stands_for_proficient(client: TestClient, learner: Account):
    record_progress(client, learner, THREE, status="completed", notes="done")
    assert take(client, learner, THREE, right=3).json()["awarded_level"] == "proficient"
    record = client.get(f"/api/v1/me/progress/{THREE}", headers=learner.headers)
    assert record.json()["version"] == 1
    assert [e["source"] for e in history(client, learner, THREE)] == ["self"]


def test_a_not_started_record_moves_to_in_progress_like_any_write(
    client: TestClient, learner: Account
):
    put = record_progress(client, learner, THREE, status="not_started", mastery=10, notes="soon")
    stale = put.headers["etag"]

    assert take(client, learner, THREE, right=1).json()["awarded_level"] == "aware"

    record = client.get(f"/api/v1/me/progress/{THREE}", headers=learner.headers)
    assert record.json()["status"] == "in_progress"
    assert (record.json()["mastery"], record.json()["notes"]) == (10, "soon")  # kept
    assert record.json()["version"] == 2
    assert record.headers["etag"] != stale
    events = history(client, learner, THREE)
    assert [e["source"] for e in events] == ["self", "check"]
    assert events[1]["old"]["status"] == "not_started"
    # The learner's next write with the ETag read before the check is refused as stale.
    refused = client.put(
        f"/api/v1/me/progress/{THREE}",
        json={"status": "completed"},
        headers={**learner.headers, "If-Match": stale},
    )
    assert_problem(refused, 412)


def test_an_awarded_level_reaches_the_learners_kept_plans(client: TestClient, learner: Account):
    # Kept recommendations depend on the progress version: a check's write must move it.
    path = "/api/v1/me/recommendations?targets=calculus"
    first = client.get(path, headers=learner.headers)
    assert first.status_code == 200
    assert [item["topic"]["slug"] for item in first.json()["items"]] == [THREE]
    take(client, learner, THREE, right=1)
    reasons = client.get(path, headers=learner.headers).json()["items"][0]["reasons"]
    assert "in_progress" in {reason["code"] for reason in reasons}


@pytest.mark.parametrize(
    "spoil",
    ["missing", "duplicate", "foreign", "out-of-range", "negative", "extra-field", "empty"],
)
def test_answers_that_are_not_one_per_question_are_refused(
    client: TestClient, learner: Account, spoil: str
):
    body = answers(answer_key(client, THREE), right=3)
    given = body["answers"]
    foreign_id = answer_key(client, FOUR)[0][0]
    if spoil == "missing":
        given.pop()
    elif spoil == "duplicate":
        given.append(dict(given[0]))
    elif spoil == "foreign":
        given.append({"question": foreign_id, "choice": 0})
    elif spoil == "out-of-range":
        given[1]["choice"] = 6
    elif spoil == "negative":
        given[1]["choice"] = -1
    elif spoil == "extra-field":
        given[0]["hint"] = "please"
    else:
        given.clear()
    response = client.post(f"/api/v1/me/checks/{THREE}", json=body, headers=learner.headers)
    assert_problem(response, 422)
    assert client.get("/api/v1/me/checks", headers=learner.headers).json()["total"] == 0
    assert client.get(f"/api/v1/me/progress/{THREE}", headers=learner.headers).status_code == 404


def test_the_refusal_names_each_problem(client: TestClient, learner: Account):
    key = answer_key(client, THREE)
    body = {
        "answers": [
            {"question": key[0][0], "choice": 0},
            {"question": key[0][0], "choice": 1},
            {"question": key[1][0], "choice": 5},
        ]
    }
    detail = assert_problem(
        client.post(f"/api/v1/me/checks/{THREE}", json=body, headers=learner.headers), 422
    )["detail"]
    assert f"question {key[0][0]} is answered 2 times" in detail
    assert f"choice 5 of question {key[1][0]} is out of range" in detail
    assert f"question {key[2][0]} unanswered" in detail


def test_unknown_topics_topics_without_questions_and_anonymous_callers(
    client: TestClient, database: Database, learner: Account
):
    one = {"answers": [{"question": 1, "choice": 0}]}
    assert_problem(
        client.post("/api/v1/me/checks/no-such-topic", json=one, headers=learner.headers), 404
    )
    admin = new_admin(client, database)
    assert client.post("/api/v1/topics", json=NEW_TOPIC, headers=admin.headers).status_code == 201
    assert client.get("/api/v1/topics/diffusion-models/questions").json()["items"] == []
    assert_problem(
        client.post("/api/v1/me/checks/diffusion-models", json=one, headers=learner.headers), 409
    )
    anonymous = client.post(f"/api/v1/me/checks/{THREE}", json=one)
    assert_problem(anonymous, 401)
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert_problem(client.get("/api/v1/me/checks"), 401)


def test_checks_are_listed_newest_first_and_only_to_their_learner(
    client: TestClient, learner: Account
):
    taken = [
        take(client, learner, THREE, right=1).json(),
        take(client, learner, FOUR, right=0).json(),
        take(client, learner, THREE, right=3).json(),
    ]
    page = client.get("/api/v1/me/checks", headers=learner.headers).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 20, 0)
    assert page["items"] == taken[::-1]  # each exactly as its POST answered

    only = client.get(
        "/api/v1/me/checks", params={"topic": THREE, "limit": 1}, headers=learner.headers
    ).json()
    assert (only["total"], [c["id"] for c in only["items"]]) == (2, [taken[2]["id"]])

    other = new_learner(client, name="other")
    assert client.get("/api/v1/me/checks", headers=other.headers).json()["total"] == 0
    assert (
        client.get("/api/v1/me/checks", params={"topic": THREE}, headers=other.headers).json()[
            "items"
        ]
        == []
    )
    unknown = client.get(
        "/api/v1/me/checks", params={"topic": "no-such-topic"}, headers=learner.headers
    )
    assert_problem(unknown, 404)


def test_a_kept_check_does_not_change_when_its_question_is_edited(
    client: TestClient, database: Database, learner: Account
):
    check = take(client, learner, THREE, right=3).json()
    admin = new_admin(client, database)
    first = check["results"][0]["question"]
    edited = client.patch(
        f"/api/v1/questions/{first}",
        json={"explanation": "Rewritten afterwards."},
        headers=admin.headers,
    )
    assert edited.status_code == 200
    assert (
        client.delete(
            f"/api/v1/questions/{check['results'][1]['question']}", headers=admin.headers
        ).status_code
        == 204
    )
    assert client.get("/api/v1/me/checks", headers=learner.headers).json()["items"] == [check]


def test_checks_are_rate_limited_per_learner(database: Database):
    # The shared app has rate limits off; this one has them on, with a small check limit.
    with limited_client(database, check_rate_limit="2/minute") as client:
        learner, other = new_learner(client), new_learner(client, name="other")
        for _ in range(2):
            assert take(client, learner, THREE, right=1).status_code == 201
        limited = take(client, learner, THREE, right=3)
        problem = assert_problem(limited, 429)
        assert int(limited.headers["retry-after"]) >= 1
        assert "try again" in problem["detail"]
        # Refused attempts count too: an invalid submission is no way round the limit.
        bad = client.post(
            f"/api/v1/me/checks/{THREE}", json={"answers": []}, headers=learner.headers
        )
        assert_problem(bad, 429)
        assert client.get("/api/v1/me/checks", headers=learner.headers).json()["total"] == 2
        # The limit is the learner's own.
        assert take(client, other, THREE, right=3).status_code == 201


def test_the_export_lists_a_learners_checks_as_they_were_returned(
    client: TestClient, database: Database, learner: Account
):
    taken = [
        take(client, learner, THREE, right=2).json(),
        take(client, learner, FOUR, right=4).json(),
    ]
    take(client, new_learner(client, name="other"), THREE, right=3)
    learner_id = client.get("/api/v1/me", headers=learner.headers).json()["id"]
    with database.read_session_factory() as session:
        exported = checks_for_export(session, learner_id=learner_id)
    assert [check.model_dump(mode="json") for check in exported] == taken[::-1]
