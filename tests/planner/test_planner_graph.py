"""Building and reading the catalog graph."""

from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings

from planner import CatalogGraph, Goal, LearnerState, TopicNode, UnknownTopic

# pytest puts this folder itself on sys.path (tests/ has no __init__.py); mypy, run from the
# repository root, names the same module tests.planner.planner_cases.
if TYPE_CHECKING:
    from tests.planner.planner_cases import catalogs
else:
    from planner_cases import catalogs


def _topics(*slugs: str) -> list[TopicNode]:
    return [TopicNode(slug=slug, title=slug.title(), hours=1.0) for slug in slugs]


def test_edge_to_an_unknown_topic_is_refused():
    with pytest.raises(UnknownTopic) as raised:
        CatalogGraph.build(topics=_topics("a"), edges=[("a", "ghost")])
    assert raised.value.slug == "ghost"
    assert isinstance(raised.value, LookupError)


@pytest.mark.parametrize(
    "edges",
    [[("a", "a")], [("a", "b"), ("b", "a")], [("a", "b"), ("b", "c"), ("c", "a")]],
)
def test_a_cycle_is_refused(edges):
    with pytest.raises(ValueError, match=r"cycle|own prerequisite"):
        CatalogGraph.build(topics=_topics("a", "b", "c"), edges=edges)


def test_duplicate_topics_are_refused():
    with pytest.raises(ValueError, match="twice"):
        CatalogGraph.build(topics=_topics("a", "a"), edges=[])


@pytest.mark.parametrize("hours", [0.0, -1.0, float("nan"), float("inf")])
def test_topic_hours_must_be_positive(hours):
    with pytest.raises(ValueError, match="hours"):
        TopicNode(slug="a", title="A", hours=hours)


def test_readers():
    graph = CatalogGraph.build(
        topics=_topics("c", "b", "a"), edges=[("a", "c"), ("b", "c"), ("a", "c")]
    )
    assert graph.slugs == ("a", "b", "c")
    assert len(graph) == 3
    assert "a" in graph
    assert "z" not in graph
    assert graph.topic("a").title == "A"
    assert graph.prerequisites_of("c") == ("a", "b")
    assert graph.dependents_of("a") == ("c",)
    assert graph.edges == (("a", "c"), ("b", "c"))
    with pytest.raises(UnknownTopic):
        graph.topic("z")


def test_unknown_goal_target_is_refused():
    graph = CatalogGraph.build(topics=_topics("a"), edges=[])
    with pytest.raises(UnknownTopic) as raised:
        graph.closure_of(Goal(weights={"a": 1.0, "nope": 1.0}))
    assert raised.value.slug == "nope"


@pytest.mark.parametrize("weights", [{}, {"a": 0.0}, {"a": 1.5}, {"a": float("nan")}])
def test_goal_weights_are_validated(weights):
    with pytest.raises(ValueError, match=r"target|weight"):
        Goal(weights=weights)


def test_goals_are_equal_and_hashable_whatever_the_target_order():
    first = Goal(slug="g", title="G", weights={"a": 0.5, "b": 1.0})
    second = Goal(slug="g", title="G", weights=[("b", 1.0), ("a", 0.5)])
    assert first == second
    assert hash(first) == hash(second)
    assert first.targets == ("a", "b")
    assert first.weight_of("b") == 1.0
    assert first.weight_of("c") == 0.0
    assert Goal.ad_hoc(["b", "a", "b"]).weights == (("a", 1.0), ("b", 1.0))


def test_learner_state_freezes_what_it_is_given():
    state = LearnerState(known={"a"}, in_progress=["b"])
    assert state.known == frozenset({"a"})
    assert state.in_progress == frozenset({"b"})
    hash(state)


@settings(max_examples=100, deadline=None)
@given(catalogs())
def test_slugs_come_in_topological_order(catalog):
    position = {slug: i for i, slug in enumerate(catalog.graph.slugs)}
    assert sorted(position) == catalog.slugs
    for before, after in catalog.edges:
        assert position[before] < position[after]
        assert before in catalog.graph.prerequisites_of(after)
        assert after in catalog.graph.dependents_of(before)
