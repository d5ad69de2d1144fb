"""Repeated catalog reads are answered from the snapshot's kept answers, exactly as the first."""

import pytest
from fastapi.testclient import TestClient

from models.database import Database
from tests.api.builders import new_admin
from tests.api.test_client_friendliness import CATALOG_READS

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
