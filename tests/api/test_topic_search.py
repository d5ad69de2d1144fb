"""Topic search (`GET /topics?q=`) as a person types it: every word must match, in any order,
case or form, against title, tags and summary, best matches first (DESIGN.md §3)."""

import pytest
from fastapi.testclient import TestClient

from models.database import Database
from tests.api.builders import new_admin
from tests.api.test_catalog_reads import all_items

LINEAR_ALGEBRA_TOPICS = ["vectors-and-matrices", "matrix-decompositions"]


def found(client: TestClient, q: str, **params: object) -> list[str]:
    return [topic["slug"] for topic in all_items(client, "/api/v1/topics", q=q, **params)]


@pytest.mark.parametrize(
    "typed",
    ["linear algebra", "algebra linear", "Linear Algebra", "linear-algebra", "LINEAR  algebras"],
)
def test_linear_algebra_finds_the_linear_algebra_topics(client: TestClient, typed: str):
    assert sorted(found(client, typed)) == sorted(LINEAR_ALGEBRA_TOPICS)


def test_every_word_typed_must_match(client: TestClient):
    assert "linear-regression" in found(client, "linear")
    assert "linear-regression" not in found(client, "linear algebra")
    assert found(client, "linear algebra cooking") == []


@pytest.mark.parametrize(
    ("typed", "topic"),
    [
        ("neural networks", "neural-network-basics"),  # plural typed, plural title
        ("neural network", "neural-network-basics"),  # singular typed, plural title
        ("matrix", "vectors-and-matrices"),  # an irregular plural in the title
        ("kmeans", "clustering"),  # a hyphenated tag typed as one word
        ("k means", "clustering"),
        ("bayes", "bayes-rule"),  # "Bayes' rule" in the title
        ("regress", "linear-regression"),  # the beginning of a word
        ("intro to transformers", "transformers"),  # words no topic is about are ignored
    ],
)
def test_words_match_in_the_forms_people_type_them(client: TestClient, typed: str, topic: str):
    assert topic in found(client, typed)


def test_title_matches_rank_before_summary_matches(client: TestClient):
    results = found(client, "regression")
    assert set(results[:2]) == {"linear-regression", "logistic-regression"}
    assert len(results) > 2  # others mention regression in their summary or tags only


def test_search_combines_with_filters_and_pages(client: TestClient):
    everywhere = found(client, "learning")
    in_deep_learning = found(client, "learning", area="deep-learning")
    assert in_deep_learning
    assert [slug for slug in everywhere if slug in in_deep_learning] == in_deep_learning
    first = client.get("/api/v1/topics", params={"q": "learning", "limit": 3}).json()
    assert first["total"] == len(everywhere)
    assert [topic["slug"] for topic in first["items"]] == everywhere[:3]


def test_a_new_topic_is_found_by_its_tags_at_once(client: TestClient, database: Database):
    admin = new_admin(client, database)
    created = client.post(
        "/api/v1/topics",
        headers=admin.headers,
        json={
            "slug": "graph-neural-networks",
            "title": "Graph neural networks",
            "summary": "Message passing over nodes and edges.",
            "area": "deep-learning",
            "level": 5,
            "estimated_hours": 12,
            "tags": ["geometric-deep-learning"],
        },
    )
    assert created.status_code == 201, created.text
    assert found(client, "geometric deep learning")[0] == "graph-neural-networks"
    assert found(client, "graph network")[0] == "graph-neural-networks"
