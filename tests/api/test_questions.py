"""Admins manage a topic's questions: the seed file's rules, at most 20 per topic, learners
refused; every edit is a catalog write, visible to the next read."""

import pytest
from fastapi.testclient import TestClient

from models.database import Database
from tests.api.builders import Account, new_admin, new_learner
from tests.api.test_catalog_reads import assert_problem

TOPIC = "calculus"
QUESTION = {
    "prompt": "What is the derivative of sin(2x)?",
    "choices": ["cos(2x)", "2cos(2x)", "-2cos(2x)", "2sin(x)cos(x)"],
    "right_choice": 1,
    "explanation": "By the chain rule the inner 2x contributes its derivative, 2.",
    "level": "practiced",
}


@pytest.fixture
def admin(client: TestClient, database: Database) -> Account:
    return new_admin(client, database)


def listed(client: TestClient, slug: str = TOPIC) -> list[dict]:
    return client.get(f"/api/v1/topics/{slug}/questions").json()["items"]


def test_an_added_question_comes_last_without_its_answer(client: TestClient, admin: Account):
    before = client.get(f"/api/v1/topics/{TOPIC}/questions")
    created = client.post(f"/api/v1/topics/{TOPIC}/questions", json=QUESTION, headers=admin.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert {**body, "id": None, "position": None} == {
        **QUESTION,
        "id": None,
        "topic": TOPIC,
        "position": None,
    }
    after = client.get(f"/api/v1/topics/{TOPIC}/questions")
    assert after.headers["etag"] != before.headers["etag"]  # a catalog write
    assert after.json()["items"] == [
        *before.json()["items"],
        {k: body[k] for k in ("id", "prompt", "choices", "level")},
    ]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"right_choice": 4}, "out of range"),
        ({"choices": ["2cos(2x)", " 2cos(2x) "], "right_choice": 0}, "duplicate choice"),
        ({"choices": ["A", "a"], "right_choice": 0}, "duplicate choice"),
        ({"choices": ["only one"], "right_choice": 0}, "at least 2"),
        ({"choices": [str(n) for n in range(7)]}, "at most 6"),
        ({"explanation": "   "}, "explanation"),
        ({"prompt": ""}, "prompt"),
        ({"level": "guru"}, "level"),
        ({"answer": 1}, "answer"),
    ],
)
def test_invalid_questions_are_refused(client: TestClient, admin: Account, change: dict, why: str):
    before = listed(client)
    response = client.post(
        f"/api/v1/topics/{TOPIC}/questions", json={**QUESTION, **change}, headers=admin.headers
    )
    assert why in assert_problem(response, 422)["detail"]
    assert listed(client) == before


def test_a_topic_holds_at_most_twenty_questions(client: TestClient, admin: Account):
    have = len(listed(client))
    for n in range(20 - have):
        numbered = {**QUESTION, "prompt": f"Question {n}: {QUESTION['prompt']}"}
        response = client.post(
            f"/api/v1/topics/{TOPIC}/questions", json=numbered, headers=admin.headers
        )
        assert response.status_code == 201, response.text
    assert len(listed(client)) == 20
    refused = client.post(f"/api/v1/topics/{TOPIC}/questions", json=QUESTION, headers=admin.headers)
    assert_problem(refused, 409)
    assert len(listed(client)) == 20
    unknown = client.post(
        "/api/v1/topics/no-such-topic/questions", json=QUESTION, headers=admin.headers
    )
    assert_problem(unknown, 404)


def test_patch_keeps_the_question_valid_as_a_whole(client: TestClient, admin: Account):
    question = listed(client)[0]
    path = f"/api/v1/questions/{question['id']}"
    changed = client.patch(
        path, json={"prompt": "Reworded?", "level": "proficient"}, headers=admin.headers
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["prompt"], changed.json()["level"]) == ("Reworded?", "proficient")
    assert changed.json()["choices"] == question["choices"]
    assert listed(client)[0]["prompt"] == "Reworded?"

    too_few = client.patch(
        path, json={"choices": ["yes", "no"], "right_choice": 3}, headers=admin.headers
    )
    assert "out of range" in assert_problem(too_few, 422)["detail"]
    assert changed.json()["right_choice"] == 2  # calculus' first question
    shrunk = client.patch(path, json={"choices": ["yes", "no"]}, headers=admin.headers)
    assert "out of range" in assert_problem(shrunk, 422)["detail"]
    assert listed(client)[0]["choices"] == question["choices"]
    assert_problem(client.patch(path, json={"prompt": None}, headers=admin.headers), 422)
    assert_problem(
        client.patch("/api/v1/questions/999999", json={"prompt": "x"}, headers=admin.headers), 404
    )


def test_delete_removes_a_question(client: TestClient, admin: Account):
    first, *rest = listed(client)
    path = f"/api/v1/questions/{first['id']}"
    assert client.delete(path, headers=admin.headers).status_code == 204
    assert listed(client) == rest
    assert_problem(client.delete(path, headers=admin.headers), 404)


def test_learners_and_anonymous_callers_cannot_edit_questions(client: TestClient):
    learner = new_learner(client)
    question = listed(client)[0]
    for headers, status in ((learner.headers, 403), ({}, 401)):
        assert_problem(
            client.post(f"/api/v1/topics/{TOPIC}/questions", json=QUESTION, headers=headers), status
        )
        assert_problem(
            client.patch(
                f"/api/v1/questions/{question['id']}", json={"prompt": "x"}, headers=headers
            ),
            status,
        )
        assert_problem(
            client.delete(f"/api/v1/questions/{question['id']}", headers=headers), status
        )
    assert listed(client)[0] == question
