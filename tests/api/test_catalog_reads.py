"""The public catalog read API, over HTTP, on the seeded catalog."""

import pytest
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "instance"} <= body.keys()
    return body


def all_items(client: TestClient, path: str, **params) -> list[dict]:
    """Every item of a paginated list, following the pages."""
    items: list[dict] = []
    while True:
        page = client.get(path, params={**params, "limit": 100, "offset": len(items)}).json()
        items.extend(page["items"])
        if len(items) >= page["total"]:
            return items


def test_health_probes(client: TestClient):
    assert client.get("/health/live").json() == {"status": "ok"}
    assert client.get("/health/ready").json() == {"status": "ok"}


def test_areas_list_the_four_areas_with_topic_counts(client: TestClient):
    page = client.get("/api/v1/areas").json()
    assert [area["slug"] for area in page["items"]] == [
        "ml-foundations",
        "deep-learning",
        "math-for-ml",
        "software-development",
    ]
    topics = all_items(client, "/api/v1/topics")
    for area in page["items"]:
        assert area["topic_count"] == sum(t["area"] == area["slug"] for t in topics)
        assert area["topic_count"] >= 5


def test_topic_list_is_paginated(client: TestClient):
    first = client.get("/api/v1/topics", params={"limit": 5}).json()
    second = client.get("/api/v1/topics", params={"limit": 5, "offset": 5}).json()
    assert first["limit"] == 5
    assert first["offset"] == 0
    assert len(first["items"]) == 5
    assert first["total"] >= 40
    assert not {t["slug"] for t in first["items"]} & {t["slug"] for t in second["items"]}
    assert set(first["items"][0]) == {"slug", "title", "area", "level", "estimated_hours"}


def test_topic_filters_combine(client: TestClient):
    deep = all_items(client, "/api/v1/topics", area="deep-learning")
    assert deep
    assert all(t["area"] == "deep-learning" for t in deep)
    advanced = all_items(client, "/api/v1/topics", area="deep-learning", level=4)
    assert all(t["level"] == 4 for t in advanced)
    assert {t["slug"] for t in advanced} <= {t["slug"] for t in deep}
    found = client.get("/api/v1/topics", params={"q": "TRANSFORMER"}).json()["items"]
    assert "transformers" in {t["slug"] for t in found}


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
        ({"level": 6}, "level"),
        ({"level": "high"}, "level"),
        ({"q": ""}, "q"),
    ],
)
def test_bad_topic_query_is_422_problem(client: TestClient, params: dict, where: str):
    body = assert_problem(client.get("/api/v1/topics", params=params), 422)
    assert any(where in issue["loc"] for issue in body["errors"])


def test_unknown_area_filter_is_422_naming_the_areas(client: TestClient):
    body = assert_problem(client.get("/api/v1/topics", params={"area": "cooking"}), 422)
    assert "cooking" in body["detail"]
    assert "deep-learning" in body["detail"]


def test_topic_detail_has_neighbours_and_resources(client: TestClient):
    detail = client.get("/api/v1/topics/transformers").json()
    assert detail["slug"] == "transformers"
    assert detail["area"] == "deep-learning"
    assert {"summary", "tags", "prerequisites", "unlocks", "resources"} <= detail.keys()
    assert detail["prerequisites"]
    assert detail["resources"]
    prerequisite = detail["prerequisites"][0]["slug"]
    unlocked_by_it = client.get(f"/api/v1/topics/{prerequisite}").json()["unlocks"]
    assert "transformers" in {t["slug"] for t in unlocked_by_it}
    resource = detail["resources"][0]
    assert set(resource) == {"id", "title", "url", "kind", "provider", "free", "hours", "topics"}
    assert "transformers" in resource["topics"]


def test_unknown_topic_is_404_problem(client: TestClient):
    body = assert_problem(client.get("/api/v1/topics/quantum-cooking"), 404)
    assert "quantum-cooking" in body["detail"]
    assert body["instance"] == "/api/v1/topics/quantum-cooking"


def test_resources_filter_by_topic_kind_and_price(client: TestClient):
    courses = all_items(client, "/api/v1/resources", kind="course")
    assert courses
    assert all(r["kind"] == "course" for r in courses)
    free = all_items(client, "/api/v1/resources", free="true")
    assert all(r["free"] for r in free)
    for_topic = all_items(client, "/api/v1/resources", topic="neural-network-basics")
    assert "https://www.coursera.org/learn/neural-networks-deep-learning" in {
        r["url"] for r in for_topic
    }
    assert_problem(client.get("/api/v1/resources", params={"kind": "podcast"}), 422)


def test_goals_have_weighted_targets(client: TestClient):
    goals = client.get("/api/v1/goals").json()["items"]
    assert {g["slug"] for g in goals} >= {"job-interview", "build-ml-model", "system-building"}
    goal = client.get("/api/v1/goals/job-interview").json()
    assert len(goal["targets"]) >= 5
    assert all(0 < t["weight"] <= 1 for t in goal["targets"])
    for target in goal["targets"]:
        assert client.get(f"/api/v1/topics/{target['topic']}").status_code == 200
    assert_problem(client.get("/api/v1/goals/become-astronaut"), 404)


def test_graph_json_matches_topic_details(client: TestClient):
    graph = client.get("/api/v1/graph").json()
    slugs = {node["slug"] for node in graph["nodes"]}
    assert len(slugs) == client.get("/api/v1/topics").json()["total"]
    assert len(graph["edges"]) >= 50
    edge = graph["edges"][0]
    assert {edge["prerequisite"], edge["topic"]} <= slugs
    detail = client.get(f"/api/v1/topics/{edge['topic']}").json()
    assert edge["prerequisite"] in {p["slug"] for p in detail["prerequisites"]}


@pytest.mark.parametrize(
    ("fmt", "media_type", "opening", "arrow"),
    [
        ("mermaid", "text/vnd.mermaid", "flowchart LR", " --> "),
        ("dot", "text/vnd.graphviz", "digraph skillpath {", " -> "),
    ],
)
def test_graph_as_text(client: TestClient, fmt: str, media_type: str, opening: str, arrow: str):
    response = client.get("/api/v1/graph", params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.text.startswith(opening)
    edges = client.get("/api/v1/graph").json()["edges"]
    assert response.text.count(arrow) == len(edges)


def test_unknown_graph_format_is_422(client: TestClient):
    assert_problem(client.get("/api/v1/graph", params={"format": "png"}), 422)


def test_openapi_declares_problem_responses(client: TestClient):
    schema = client.get("/openapi.json").json()
    assert "Problem" in schema["components"]["schemas"]
    detail = schema["paths"]["/api/v1/topics/{slug}"]["get"]
    assert "application/problem+json" in detail["responses"]["404"]["content"]
    assert client.get("/docs").status_code == 200
