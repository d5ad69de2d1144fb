"""Repeated reads (the catalog, a learner's plans) are answered from kept answers exactly as
the first, to the right caller only."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.auth.security import create_access_token
from api.catalog.snapshot import CatalogSnapshot, TopicEntry
from api.planning.kept_answers import LEARNER_READS
from api.topics import queries
from models.database import Database
from tests.api.builders import new_admin, new_learner, record_progress
from tests.api.test_client_friendliness import CATALOG_READS
from tests.conftest import TEST_SECRET

JSON_READS = [path for path in CATALOG_READS if "format=" not in path]


def _without_request_id(headers: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name != "x-request-id"}


@pytest.mark.parametrize("path", JSON_READS)
def test_a_repeated_read_gets_the_same_answer_and_headers(client: TestClient, path: str):
    first = client.get(path)
    assert first.status_code == 200
    again = client.get(path)
    assert again.status_code == 200
    assert again.content == first.content
    assert _without_request_id(dict(again.headers)) == _without_request_id(dict(first.headers))
    assert again.headers["x-request-id"] != first.headers["x-request-id"]


def test_an_edit_replaces_every_kept_answer(client: TestClient, database: Database):
    listing = "/api/v1/topics?area=deep-learning&limit=100"
    before = client.get(listing).json()
    detail = client.get("/api/v1/topics/transformers").json()
    etag = client.get(listing).headers["etag"]
    admin = new_admin(client, database)
    response = client.patch(
        "/api/v1/topics/transformers", json={"title": "Transformer models"}, headers=admin.headers
    )
    assert response.status_code == 200
    after = client.get(listing)
    assert after.headers["etag"] != etag
    titles = {item["slug"]: item["title"] for item in after.json()["items"]}
    assert titles["transformers"] == "Transformer models"
    assert len(titles) == before["total"]
    assert client.get("/api/v1/topics/transformers").json() == {
        **detail,
        "title": "Transformer models",
    }
    assert client.get(listing, headers={"If-None-Match": etag}).status_code == 200


PLAN_READS = [
    "/api/v1/me/recommendations?goal=job-interview",
    "/api/v1/me/roadmap?goal=build-ml-model&hours_per_week=6",
]


@pytest.mark.parametrize("path", PLAN_READS)
def test_a_repeated_plan_read_is_each_learners_own(client: TestClient, path: str):
    first, second = new_learner(client), new_learner(client)
    record_progress(client, second, "python")
    record_progress(client, second, "probability-basics", status="in_progress")
    mine = client.get(path, headers=first.headers)
    assert mine.status_code == 200
    again = client.get(path, headers=first.headers)
    assert again.content == mine.content
    assert _without_request_id(dict(again.headers)) == _without_request_id(dict(mine.headers))
    theirs = client.get(path, headers=second.headers)
    assert theirs.status_code == 200
    assert theirs.json() != mine.json()
    record_progress(client, first, "python")
    assert client.get(path, headers=first.headers).json() != mine.json()


@pytest.mark.parametrize("path", PLAN_READS)
def test_a_kept_plan_still_needs_a_valid_token(client: TestClient, path: str):
    learner = new_learner(client)
    assert client.get(path, headers=learner.headers).status_code == 200
    learner_id = client.get("/api/v1/me", headers=learner.headers).json()["id"]
    expired = create_access_token(
        learner_id=learner_id, secret=TEST_SECRET, lifetime=timedelta(seconds=-1)
    )
    token = learner.headers["Authorization"].removeprefix("Bearer ")
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for headers in (
        {},
        {"Authorization": f"Bearer {expired}"},
        {"Authorization": f"Bearer {forged}"},
        {"Authorization": f"Basic {token}"},
    ):
        refused = client.get(path, headers=headers)
        assert refused.status_code == 401, headers
        assert refused.headers["content-type"] == "application/problem+json"


def test_the_kept_plan_paths_are_the_plan_routes(client: TestClient):
    # LEARNER_READS names paths; were a route moved, its repeats would silently be routed again.
    paths = client.get("/openapi.json").json()["paths"]
    plan_routes = {
        path
        for path, operations in paths.items()
        for operation in operations.values()
        if operation["operationId"] in {"get_my_recommendations", "get_my_roadmap", "get_my_gaps"}
    }
    assert plan_routes == LEARNER_READS


def test_a_catalog_answer_is_rendered_once_per_catalog_version(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
):
    renders: list[str] = []
    topic_entry = queries.topic_entry

    def counted(snapshot: CatalogSnapshot, slug: str) -> TopicEntry:
        renders.append(slug)
        return topic_entry(snapshot, slug)

    monkeypatch.setattr(queries, "topic_entry", counted)
    for _ in range(3):
        assert client.get("/api/v1/topics/transformers").status_code == 200
    assert renders == ["transformers"]
