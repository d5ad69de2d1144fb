"""The budget selection: exact on small closures, a bounded greedy approximation otherwise."""

import itertools
import math
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import (
    CatalogGraph,
    Goal,
    LearnerState,
    Roadmap,
    TopicNode,
    build_roadmap,
    standing_of,
)
from planner.budget import EXACT_LIMIT, fill_to_maximal, greedy_selection

# pytest puts this folder itself on sys.path (tests/ has no __init__.py); mypy, run from the
# repository root, names the same module tests.planner.planner_cases.
if TYPE_CHECKING:
    from tests.planner.planner_cases import (
        Catalog,
        brute_force_best,
        goal_value,
        is_closed,
        known_slugs,
        reference_steps,
        scenarios,
    )
else:
    from planner_cases import (
        Catalog,
        brute_force_best,
        goal_value,
        is_closed,
        known_slugs,
        reference_steps,
        scenarios,
    )

PROPERTY = settings(max_examples=100, deadline=None)


def _selected(road: Roadmap) -> set[str]:
    return {entry.slug for entry in road.entries}


@PROPERTY
@given(scenarios(max_topics=9, max_targets=9), st.integers(0, 30).map(lambda h: h / 2))
def test_exact_solver_matches_brute_force(case, budget):
    catalog, goal, state = case
    road = build_roadmap(catalog.graph, goal, state, budget_hours=budget)
    best = brute_force_best(catalog, goal, state, budget)
    assert goal_value(goal, _selected(road)) == pytest.approx(best)


@st.composite
def sparse_scenarios(draw):
    """Few edges and many targets: knapsack-like cases where a greedy choice is often wrong."""
    count = draw(st.integers(3, 9))
    topics = [
        TopicNode(slug=f"s{i}", title=f"S{i}", hours=draw(st.integers(1, 12)) / 2)
        for i in range(count)
    ]
    pairs = [(f"s{i}", f"s{j}") for j in range(count) for i in range(j)]
    edges = sorted(draw(st.sets(st.sampled_from(pairs), max_size=3)))
    graph = CatalogGraph.build(topics=topics, edges=edges)
    needs = {t.slug: frozenset(a for a, b in edges if b == t.slug) for t in topics}
    catalog = Catalog(graph, tuple(topics), tuple(edges), needs)
    targets = draw(st.sets(st.sampled_from([t.slug for t in topics]), min_size=2))
    goal = Goal(weights={t: draw(st.sampled_from([0.2, 0.5, 0.8, 1.0])) for t in sorted(targets)})
    return catalog, goal, LearnerState()


@PROPERTY
@given(sparse_scenarios(), st.integers(1, 30).map(lambda h: h / 2))
def test_exact_solver_matches_brute_force_on_knapsack_like_cases(case, budget):
    catalog, goal, state = case
    road = build_roadmap(catalog.graph, goal, state, budget_hours=budget)
    best = brute_force_best(catalog, goal, state, budget)
    assert goal_value(goal, _selected(road)) == pytest.approx(best)


@settings(max_examples=40, deadline=None)
@given(
    scenarios(min_topics=EXACT_LIMIT + 6, max_topics=EXACT_LIMIT + 20),
    st.integers(0, 120).map(lambda h: h / 2),
)
def test_greedy_on_large_closures_is_closed_within_budget_and_maximal(case, budget):
    catalog, goal, state = case
    road = build_roadmap(catalog.graph, goal, state, budget_hours=budget)
    selected = _selected(road)
    known = known_slugs(state)
    steps = reference_steps(catalog, goal, state)
    assert is_closed(catalog, selected, known)
    spent = sum(steps[slug][2] for slug in selected)
    assert spent <= budget + 1e-9
    for slug in road.left_out:
        if catalog.prerequisites(slug) <= selected | known:
            assert spent + steps[slug][2] > budget - 1e-9


@settings(max_examples=60, deadline=None)
@given(scenarios(min_topics=4, max_topics=30), st.integers(0, 60).map(lambda h: h / 2))
def test_greedy_is_never_worse_than_the_best_single_target(case, budget):
    catalog, goal, state = case
    graph = catalog.graph
    plan = graph.goal_plan(goal)
    standing = standing_of(graph, goal, state)
    chosen = greedy_selection(graph, plan, standing.done, budget, hours=standing.hours())
    chosen_slugs = {graph.node_at(index).slug for index in chosen}
    known = known_slugs(state)
    steps = reference_steps(catalog, goal, state)
    assert is_closed(catalog, chosen_slugs, known)
    assert sum(steps[slug][2] for slug in chosen_slugs) <= budget + 1e-9
    for target in set(goal.targets) & set(steps):
        chain = (catalog.ancestors([target]) - known) & set(steps)
        if sum(steps[slug][2] for slug in chain) <= budget:
            assert goal_value(goal, chosen_slugs) >= goal_value(goal, chain) - 1e-9


@st.composite
def disjoint_chains(draw):
    """Targets whose closures share nothing: each target ends its own chain."""
    topics: list[TopicNode] = []
    edges: list[tuple[str, str]] = []
    weights: dict[str, float] = {}
    for chain in range(draw(st.integers(1, 5))):
        length = draw(st.integers(1, 3))
        slugs = [f"c{chain}-{step}" for step in range(length)]
        for slug in slugs:
            topics.append(TopicNode(slug=slug, title=slug, hours=draw(st.integers(1, 10)) / 2))
        edges += itertools.pairwise(slugs)
        weights[slugs[-1]] = draw(st.sampled_from([0.2, 0.5, 0.8, 1.0]))
    return topics, edges, Goal(weights=weights)


@PROPERTY
@given(disjoint_chains(), st.integers(0, 30).map(lambda h: h / 2))
def test_greedy_gets_half_the_optimum_when_chains_are_disjoint(chains, budget):
    topics, edges, goal = chains
    graph = CatalogGraph.build(topics=topics, edges=edges)
    needs = {t.slug: frozenset(a for a, b in edges if b == t.slug) for t in topics}
    catalog = Catalog(graph, tuple(topics), tuple(edges), needs)
    plan = graph.goal_plan(goal)
    hours = {index: graph.node_at(index).hours for index in plan.order}
    chosen = greedy_selection(graph, plan, frozenset(), budget, hours=hours)
    value = goal_value(goal, (graph.node_at(index).slug for index in chosen))
    assert value >= brute_force_best(catalog, goal, LearnerState(), budget) / 2 - 1e-9


def test_large_closure_uses_the_greedy_and_stays_fast():
    # A wide fan of 200 cheap targets over one shared root: far beyond the exact limit.
    topics = [TopicNode(slug="root", title="Root", hours=5.0)]
    topics += [
        TopicNode(slug=f"leaf-{i:03d}", title=f"Leaf {i}", hours=1 + i % 7) for i in range(200)
    ]
    edges = [("root", topic.slug) for topic in topics[1:]]
    graph = CatalogGraph.build(topics=topics, edges=edges)
    goal = Goal(weights={topic.slug: 1.0 for topic in topics[1:]})
    road = build_roadmap(graph, goal, LearnerState(), budget_hours=50.0)
    chosen = {entry.slug for entry in road.entries}
    assert "root" in chosen
    assert sum(graph.topic(slug).hours for slug in chosen) <= 50.0
    # Cheapest leaves first is optimal here, and the density greedy finds it.
    hours = sorted(1 + i % 7 for i in range(200))
    best = max(k for k in range(201) if 5 + sum(hours[:k]) <= 50)
    assert len(chosen) - 1 == best


def test_zero_budget_selects_nothing():
    graph = CatalogGraph.build(topics=[TopicNode(slug="a", title="A", hours=1.0)], edges=[])
    road = build_roadmap(graph, Goal(weights={"a": 1.0}), LearnerState(), budget_hours=0)
    assert road.stages == ()
    assert road.total_hours == 0
    assert road.left_out == ("a",)


def test_fill_adds_groundwork_only_when_it_fits():
    topics = [TopicNode(slug=s, title=s, hours=h) for s, h in (("a", 2.0), ("b", 3.0), ("c", 4.0))]
    graph = CatalogGraph.build(topics=topics, edges=[("a", "b")])
    plan = graph.goal_plan(Goal(weights={"b": 1.0, "c": 0.5}))
    index = {slug: graph.index_of(slug) for slug in ("a", "b", "c")}
    hours = {i: graph.node_at(i).hours for i in index.values()}
    filled = fill_to_maximal(graph, plan, frozenset(), {index["c"]}, budget=6.5, hours=hours)
    assert filled == {index["c"], index["a"]}
    assert math.isclose(sum(graph.node_at(i).hours for i in filled), 6.0)


@pytest.mark.parametrize(
    ("hours", "edges", "weights", "budget", "best_pick"),
    [
        # Plain knapsack: the densest target crowds out two that are worth more together.
        ({"a": 6.0, "b": 5.0, "c": 5.0}, [], {"a": 1.0, "b": 0.8, "c": 0.8}, 10.0, {"b", "c"}),
        # A shared prerequisite makes two light targets worth more than one dense one.
        (
            {"r": 4.0, "x": 1.0, "y": 1.0, "z": 5.0},
            [("r", "x"), ("r", "y")],
            {"x": 0.5, "y": 0.5, "z": 0.8},
            6.0,
            {"r", "x", "y"},
        ),
    ],
)
def test_exact_solver_beats_the_greedy_where_the_greedy_is_wrong(
    hours, edges, weights, budget, best_pick
):

    graph = CatalogGraph.build(
        topics=[TopicNode(slug=s, title=s, hours=h) for s, h in hours.items()], edges=edges
    )
    goal = Goal(weights=weights)
    plan = graph.goal_plan(goal)
    greedy = greedy_selection(
        graph, plan, frozenset(), budget, hours={i: graph.node_at(i).hours for i in plan.order}
    )
    greedy_value = goal_value(goal, (graph.node_at(index).slug for index in greedy))
    road = build_roadmap(graph, goal, LearnerState(), budget_hours=budget)
    assert {entry.slug for entry in road.entries} == best_pick
    assert goal_value(goal, best_pick) > greedy_value
