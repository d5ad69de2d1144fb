"""The planner sees memory: learned topics that are fading come back as `review_due` items
after the learning steps (DESIGN.md §7), over examples and generated graphs."""

from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import CatalogGraph, Goal, LearnerState, TopicNode, recommend
from planner.memory import NO_MEMORY, Memory, Recall, learned_slugs, recommend_with_memory
from planner.reasons import REVIEW_DUE, time_ago

if TYPE_CHECKING:
    from tests.planner.planner_cases import Catalog, scenarios
else:
    from planner_cases import Catalog, scenarios

PROPERTY = settings(max_examples=150, deadline=None)

# basics -> middle -> target; side is a second prerequisite of target.
GRAPH = CatalogGraph.build(
    topics=[
        TopicNode("basics", "Basics", 8.0),
        TopicNode("middle", "Middle", 4.0),
        TopicNode("side", "Side", 2.0),
        TopicNode("target", "Target", 10.0),
        TopicNode("elsewhere", "Elsewhere", 3.0),
    ],
    edges=[("basics", "middle"), ("middle", "target"), ("side", "target")],
)
GOAL = Goal(slug="g", title="G", weights={"target": 1.0})


def codes(item) -> list[str]:
    return [reason.code for reason in item.reasons]


def test_a_fading_learned_topic_follows_the_learning_steps():
    state = LearnerState(known=frozenset({"basics"}))
    memory = Memory(retention=0.9, recalls=[Recall("basics", 0.6, days_since_review=150)])
    result = recommend_with_memory(GRAPH, GOAL, state, memory, limit=10)
    plain = recommend(GRAPH, GOAL, state, limit=10)
    slugs = [item.slug for item in result.items]
    assert slugs == [*(item.slug for item in plain.items), "basics"]
    assert set(slugs[:2]) == {"middle", "side"}
    review = result.items[-1]
    assert codes(review) == [REVIEW_DUE]
    assert review.score == 0.0
    assert review.reasons[0].detail == (
        "You last reviewed Basics 5 months ago; a 25-minute review keeps it."
    )
    assert not result.goal_reached


def test_reviews_come_lowest_retrievability_first_and_only_fading_ones():
    state = LearnerState(known=frozenset({"basics", "side", "middle"}))
    memory = Memory(
        retention=0.9,
        recalls=[
            Recall("basics", 0.7, days_since_review=200),
            Recall("side", 0.5, days_since_review=300),
            Recall("middle", 0.95, days_since_review=2),  # still remembered
            Recall("elsewhere", 0.1, days_since_review=900),  # not in the goal's closure
        ],
    )
    result = recommend_with_memory(GRAPH, GOAL, state, memory, limit=10)
    assert [item.slug for item in result.items] == ["target", "side", "basics"]
    assert codes(result.items[0]) != [REVIEW_DUE]


def test_a_due_target_still_counts_as_met():
    state = LearnerState(known=frozenset({"basics", "side", "middle", "target"}))
    memory = Memory(retention=0.9, recalls=[Recall("target", 0.3, days_since_review=400)])
    result = recommend_with_memory(GRAPH, GOAL, state, memory, limit=10)
    assert result.goal_reached
    assert [(item.slug, codes(item)) for item in result.items] == [("target", [REVIEW_DUE])]


def test_a_topic_that_is_a_learning_step_and_due_appears_once_with_both_reasons():
    # Started and reviewed, now fading: still a ready step, and due for review too.
    state = LearnerState(known=frozenset({"basics"}), in_progress=frozenset({"middle"}))
    memory = Memory(retention=0.9, recalls=[Recall("middle", 0.4, days_since_review=60)])
    result = recommend_with_memory(GRAPH, GOAL, state, memory, limit=10)
    [middle] = [item for item in result.items if item.slug == "middle"]
    assert REVIEW_DUE in codes(middle)
    assert "in_progress" in codes(middle)
    assert [item.slug for item in result.items].count("middle") == 1
    plain = recommend(GRAPH, GOAL, state, limit=10)
    assert [i.slug for i in result.items] == [i.slug for i in plain.items]


def test_the_limit_counts_reviews_too():
    state = LearnerState(known=frozenset({"basics"}))
    memory = Memory(retention=0.9, recalls=[Recall("basics", 0.2, days_since_review=365)])
    result = recommend_with_memory(GRAPH, GOAL, state, memory, limit=2)
    assert [item.slug for item in result.items] == [
        item.slug for item in recommend(GRAPH, GOAL, state, limit=2).items
    ]


def test_without_memory_it_is_recommend():
    state = LearnerState(known=frozenset({"basics"}))
    assert recommend_with_memory(GRAPH, GOAL, state, NO_MEMORY, limit=3) == recommend(
        GRAPH, GOAL, state, limit=3
    )


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (0, "today"),
        (1, "yesterday"),
        (9, "9 days ago"),
        (21, "3 weeks ago"),
        (150, "5 months ago"),
        (365, "12 months ago"),
        (800, "2 years ago"),
    ],
)
def test_time_ago_reads_like_a_person_says_it(days: int, text: str):
    assert time_ago(days) == text


def test_a_retention_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match="retention"):
        Memory(retention=1.0)


@st.composite
def memories(draw: st.DrawFn, catalog: Catalog) -> Memory:
    """Retrievabilities for any topics (learned or not, in the goal or not), some fading."""
    slugs = draw(st.sets(st.sampled_from(catalog.slugs)))
    return Memory(
        retention=draw(st.sampled_from([0.8, 0.9, 0.95])),
        recalls=[
            Recall(
                slug,
                draw(st.floats(0.0, 1.0, allow_nan=False)),
                days_since_review=draw(st.integers(0, 2000)),
            )
            for slug in sorted(slugs)
        ],
    )


@st.composite
def cases(draw: st.DrawFn):
    catalog, goal, state = draw(scenarios())
    return catalog, goal, state, draw(memories(catalog)), draw(st.integers(1, 8))


@PROPERTY
@given(cases())
def test_reviews_never_hide_a_ready_topic_the_goal_needs(case):
    catalog, goal, state, memory, limit = case
    plain = recommend(catalog.graph, goal, state, limit=limit)
    with_memory = recommend_with_memory(catalog.graph, goal, state, memory, limit=limit)
    # The learning steps are exactly those without memory, in the same order, first.
    assert [item.slug for item in with_memory.items[: len(plain.items)]] == [
        item.slug for item in plain.items
    ]
    assert with_memory.goal_reached == plain.goal_reached


@PROPERTY
@given(cases())
def test_review_due_items_are_only_learned_fading_topics_of_the_closure(case):
    catalog, goal, state, memory, limit = case
    result = recommend_with_memory(catalog.graph, goal, state, memory, limit=limit)
    closure = catalog.graph.closure_of(goal)
    fading = {
        r.slug: r.retrievability for r in memory.recalls if r.retrievability < memory.retention
    }
    slugs = [item.slug for item in result.items]
    assert len(slugs) == len(set(slugs)) <= limit  # each topic once
    reviews_only = []
    for item in result.items:
        if REVIEW_DUE in codes(item):
            assert item.slug in learned_slugs(state)
            assert item.slug in closure
            assert item.slug in fading
        if codes(item) == [REVIEW_DUE]:
            reviews_only.append(item)
        else:
            assert not reviews_only, "a learning step after a review"
    assert [fading[item.slug] for item in reviews_only] == sorted(
        fading[item.slug] for item in reviews_only
    )
