"""Property tests: every invariant of DESIGN.md section 2 over generated DAGs."""

import math
import random
from typing import TYPE_CHECKING

from hypothesis import given, settings
from hypothesis import strategies as st

from planner import (
    CatalogGraph,
    Goal,
    LearnerState,
    Roadmap,
    build_roadmap,
    recommend,
)

# pytest puts this folder itself on sys.path (tests/ has no __init__.py); mypy, run from the
# repository root, names the same module tests.planner.planner_cases.
if TYPE_CHECKING:
    from tests.planner.planner_cases import Catalog, is_closed, scenarios
else:
    from planner_cases import Catalog, is_closed, scenarios

PROPERTY = settings(max_examples=100, deadline=None)


def _open_closure(catalog: Catalog, goal: Goal, state: LearnerState) -> set[str]:
    return set(catalog.graph.closure_of(goal)) - state.known


def _roadmap_slugs(road: Roadmap) -> list[str]:
    return [entry.slug for entry in road.entries]


@PROPERTY
@given(scenarios())
def test_closure_is_targets_and_all_their_prerequisites(case):
    catalog, goal, _ = case
    assert catalog.graph.closure_of(goal) == catalog.ancestors(goal.targets)


@PROPERTY
@given(scenarios(), st.integers(1, 6))
def test_recommendations_are_ready_topics_of_the_closure(case, limit):
    catalog, goal, state = case
    recs = recommend(catalog.graph, goal, state, limit=limit)
    closure = catalog.graph.closure_of(goal)
    ready = {slug for slug in closure - state.known if catalog.prerequisites(slug) <= state.known}
    slugs = [item.slug for item in recs.items]
    assert len(slugs) == len(set(slugs)) == min(limit, len(ready))
    assert set(slugs) <= ready  # never known, never unready, only the closure
    assert set(catalog.graph.ready_topics(goal, state)) == ready
    assert recs.goal_reached == (closure <= state.known)
    assert recs.goal_reached == (not recs.items)
    keys = [(-item.score, item.slug) for item in recs.items]
    assert keys == sorted(keys)
    assert all(item.reasons for item in recs.items)


@PROPERTY
@given(scenarios(), st.integers(1, 6))
def test_recommendations_are_the_best_ready_topics(case, limit):
    catalog, goal, state = case
    everything = recommend(catalog.graph, goal, state, limit=50).items
    top = recommend(catalog.graph, goal, state, limit=limit).items
    assert top == everything[:limit]


@PROPERTY
@given(scenarios())
def test_roadmap_holds_the_open_closure_in_edge_order(case):
    catalog, goal, state = case
    road = build_roadmap(catalog.graph, goal, state)
    slugs = _roadmap_slugs(road)
    assert sorted(slugs) == sorted(_open_closure(catalog, goal, state))
    position = {slug: i for i, slug in enumerate(slugs)}
    for before, after in catalog.edges:
        if before in position and after in position:
            assert position[before] < position[after]
    assert road.left_out == ()
    assert road.weeks is None
    assert all(entry.week is None for entry in road.entries)


@PROPERTY
@given(scenarios(), st.booleans())
def test_stages_follow_the_rule(case, with_budget):
    catalog, goal, state = case
    budget = sum(catalog.hours(s) for s in catalog.slugs) / 3 if with_budget else None
    road = build_roadmap(catalog.graph, goal, state, budget_hours=budget)
    stage_of = {entry.slug: stage.number for stage in road.stages for entry in stage.entries}
    assert [stage.number for stage in road.stages] == list(range(1, len(road.stages) + 1))
    assert all(stage.entries for stage in road.stages)
    for stage in road.stages:
        assert [entry.slug for entry in stage.entries] == sorted(e.slug for e in stage.entries)
    for slug, number in stage_of.items():
        open_needs = catalog.prerequisites(slug) - state.known
        if not open_needs:
            assert number == 1
        else:
            assert number == 1 + max(stage_of[need] for need in open_needs)


@PROPERTY
@given(scenarios(), st.booleans())
def test_hours_add_up(case, with_budget):
    catalog, goal, state = case
    budget = 7.5 if with_budget else None
    road = build_roadmap(catalog.graph, goal, state, budget_hours=budget)
    for entry in road.entries:
        assert entry.hours == catalog.hours(entry.slug)
    assert math.isclose(road.total_hours, sum(e.hours for e in road.entries), abs_tol=1e-9)


@PROPERTY
@given(scenarios(), st.sampled_from([0.5, 1.0, 2.5, 4.0, 10.0, 100.0]), st.booleans())
def test_weeks_follow_the_roadmap_order(case, hours_per_week, with_budget):
    catalog, goal, state = case
    budget = 9.0 if with_budget else None
    road = build_roadmap(
        catalog.graph, goal, state, hours_per_week=hours_per_week, budget_hours=budget
    )
    weeks = [entry.week or 0 for entry in road.entries]
    total_weeks = math.ceil(road.total_hours / hours_per_week)
    assert road.weeks == total_weeks
    assert all(entry.week is not None for entry in road.entries)
    assert weeks == sorted(weeks)
    assert all(1 <= week <= total_weeks for week in weeks)
    started = 0.0
    for entry in road.entries:
        assert entry.week == math.floor(started / hours_per_week) + 1
        started += entry.hours


@PROPERTY
@given(scenarios(), st.integers(0, 40).map(lambda h: h / 2))
def test_budget_selection_is_closed_within_budget_and_maximal(case, budget):
    catalog, goal, state = case
    road = build_roadmap(catalog.graph, goal, state, budget_hours=budget)
    selected = set(_roadmap_slugs(road))
    left_out = set(road.left_out)
    assert list(road.left_out) == sorted(left_out)
    assert selected | left_out == _open_closure(catalog, goal, state)
    assert not selected & left_out
    assert is_closed(catalog, selected, state.known)
    spent = sum(catalog.hours(slug) for slug in selected)
    assert spent <= budget
    for slug in left_out:
        could_join = catalog.prerequisites(slug) <= selected | state.known
        assert not could_join or spent + catalog.hours(slug) > budget


@PROPERTY
@given(scenarios(), st.randoms(use_true_random=False))
def test_same_input_same_output(case, shuffler: random.Random):
    catalog, goal, state = case
    topics, edges = list(catalog.topics), list(catalog.edges)
    shuffler.shuffle(topics)
    shuffler.shuffle(edges)
    # Each is compared with the answers of catalog.graph: a second graph built from the same
    # lists (a build that depended on anything but its input would differ), and one built from
    # the lists shuffled, with the goal's weights in another order.
    built_again = CatalogGraph.build(topics=list(catalog.topics), edges=list(catalog.edges))
    shuffled = CatalogGraph.build(topics=topics, edges=edges)
    reordered = Goal(slug=goal.slug, title=goal.title, weights=dict(reversed(goal.weights)))
    assert built_again is not catalog.graph
    expected_recommendations = recommend(catalog.graph, goal, state, limit=5)
    roadmap_options: list[dict[str, float]] = [{}, {"hours_per_week": 3.0}, {"budget_hours": 6.0}]
    expected_roadmaps = [build_roadmap(catalog.graph, goal, state, **o) for o in roadmap_options]
    for graph, same_goal in ((built_again, goal), (shuffled, reordered)):
        assert recommend(graph, same_goal, state, limit=5) == expected_recommendations
        for options, expected in zip(roadmap_options, expected_roadmaps, strict=True):
            assert build_roadmap(graph, same_goal, state, **options) == expected


@PROPERTY
@given(scenarios())
def test_following_the_top_recommendation_reaches_the_goal(case):
    catalog, goal, state = case
    known = set(state.known)
    steps = 0
    while True:
        recs = recommend(catalog.graph, goal, LearnerState(known=frozenset(known)), limit=1)
        if recs.goal_reached:
            break
        known.add(recs.items[0].slug)
        steps += 1
        assert steps <= len(catalog.slugs)
    assert catalog.graph.closure_of(goal) <= known
    assert steps == len(_open_closure(catalog, goal, state))


@PROPERTY
@given(scenarios())
def test_roadmap_order_is_a_valid_learning_order(case):
    """Learning the roadmap top to bottom, each topic is ready when its turn comes."""
    catalog, goal, state = case
    known = set(state.known)
    for slug in _roadmap_slugs(build_roadmap(catalog.graph, goal, state)):
        assert slug in catalog.graph.ready_topics(goal, LearnerState(known=frozenset(known)))
        known.add(slug)
    assert recommend(catalog.graph, goal, LearnerState(known=frozenset(known))).goal_reached
