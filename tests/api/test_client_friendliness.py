"""What frontends rely on: cache validators on catalog reads, gzip, and a stable contract."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from models.database import Database
from tests.api.builders import new_admin
from tests.conftest import make_settings

OPENAPI_FILE = Path(__file__).parents[2] / "openapi.json"
CATALOG_READS = [
    "/api/v1/areas",
    "/api/v1/topics?limit=5",
    "/api/v1/topics/transformers",
    "/api/v1/resources",
    "/api/v1/resources/1",
    "/api/v1/goals",
    "/api/v1/goals/job-interview",
    "/api/v1/graph",
    "/api/v1/graph?format=dot",
]


@pytest.mark.parametrize("path", CATALOG_READS)
def test_catalog_reads_answer_304_while_the_copy_is_current(client: TestClient, path: str):
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["etag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert client.get(path, headers={"If-None-Match": 'W/"catalog-0"'}).status_code == 200


def test_a_catalog_edit_changes_the_etag(client: TestClient, database: Database):
    admin = new_admin(client, database)
    etag = client.get("/api/v1/topics/transformers").headers["etag"]
    client.patch("/api/v1/topics/transformers", json={"estimated_hours": 31}, headers=admin.headers)
    fresh = client.get("/api/v1/topics/transformers", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.json()["estimated_hours"] == 31


def test_large_responses_are_gzipped_for_clients_that_ask(client: TestClient):
    zipped = client.get("/api/v1/graph", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.json()["nodes"]  # httpx decodes it
    plain = client.get("/api/v1/graph", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    small = client.get("/health/live", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


def test_operation_ids_read_well_in_generated_clients():
    schema = create_app(make_settings(database_url="sqlite://")).openapi()
    ids = [op["operationId"] for path in schema["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert {"list_topics", "get_topic", "get_my_recommendations", "create_plan", "log_in"} <= set(
        ids
    )
    assert all(identifier.isidentifier() and identifier.islower() for identifier in ids)


def test_the_committed_openapi_document_is_current():
    current = create_app(make_settings(database_url="sqlite://")).openapi()
    committed = json.loads(OPENAPI_FILE.read_text())
    assert committed == current, "the API changed: run `make openapi` and commit openapi.json"
