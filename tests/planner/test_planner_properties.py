"""Property tests: every invariant of DESIGN.md sections 2 and 7 (levels) over generated DAGs."""

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
from planner.gaps import Target, readiness, target_gaps

# pytest puts this folder itself on sys.path (tests/ has no __init__.py); mypy, run from the
# repository root, names the same module tests.planner.planner_cases.
if TYPE_CHECKING:
    from tests.planner.planner_cases import (
        RANK,
        Catalog,
        is_closed,
        known_slugs,
        reference_steps,
        scenarios,
        take_step,
        target_met,
    )
else:
    from planner_cases import (
        RANK,
        Catalog,
        is_closed,
        known_slugs,
        reference_steps,
        scenarios,
        take_step,
        target_met,
    )

PROPERTY = settings(max_examples=100, deadline=None)


def _open_closure(catalog: Catalog, goal: Goal, state: LearnerState) -> set[str]:
    """The topics that still need a step (a not-known prerequisite or an unmet target)."""
    return set(reference_steps(catalog, goal, state))


def _reached(goal: Goal, state: LearnerState) -> bool:
    return all(target_met(goal, state, target) for target in goal.targets)


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
    known = known_slugs(state)
    ready = {s for s in _open_closure(catalog, goal, state) if catalog.prerequisites(s) <= known}
    slugs = [item.slug for item in recs.items]
    assert set(catalog.graph.ready_topics(goal, state)) == ready
    assert recs.goal_reached == _reached(goal, state)
    assert recs.goal_reached == (not recs.items)
    if not recs.goal_reached:
        assert len(slugs) == len(set(slugs)) == min(limit, len(ready))
        assert set(slugs) <= ready  # never done, never unready, only the closure
    keys = [(-item.score, item.slug) for item in recs.items]
    assert keys == sorted(keys)
    assert all(item.reasons for item in recs.items)


@PROPERTY
@given(scenarios())
def test_known_targets_below_their_level_are_deepened(case):
    catalog, goal, state = case
    steps = reference_steps(catalog, goal, state)
    for item in recommend(catalog.graph, goal, state, limit=50).items:
        codes = [reason.code for reason in item.reasons]
        from_level, to_level, _ = steps[item.slug]
        deepens = RANK[from_level] >= 2
        assert ("deepen" in codes) == deepens
        if deepens:
            assert item.slug in goal.targets
            detail = item.reasons[0].detail
            assert codes[0] == "deepen"
            assert f"You are {from_level} at " in detail
            assert detail.endswith(f" {to_level}.")
            assert "unlocks" not in codes  # what needs a known topic can start already


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
    steps = reference_steps(catalog, goal, state)
    for entry in road.entries:
        assert (entry.from_level, entry.to_level) == steps[entry.slug][:2]
        assert RANK[entry.to_level] > RANK[entry.from_level]
    position = {slug: i for i, slug in enumerate(slugs)}
    known = known_slugs(state)
    for before, after in catalog.edges:
        # A known prerequisite being deepened holds nothing up.
        if before in position and after in position and before not in known:
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
    known = known_slugs(state)
    for slug, number in stage_of.items():
        open_needs = catalog.prerequisites(slug) - known
        if not open_needs:
            assert number == 1
        else:
            assert number == 1 + max(stage_of[need] for need in open_needs)


@PROPERTY
@given(scenarios(), st.booleans())
def test_hours_follow_the_depth_rule_and_add_up(case, with_budget):
    catalog, goal, state = case
    budget = 7.5 if with_budget else None
    road = build_roadmap(catalog.graph, goal, state, budget_hours=budget)
    steps = reference_steps(catalog, goal, state)
    for entry in road.entries:
        assert math.isclose(entry.hours, steps[entry.slug][2], abs_tol=1e-6)
        assert entry.hours > 0
    assert math.isclose(road.total_hours, sum(e.hours for e in road.entries), abs_tol=1e-6)


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
    known = known_slugs(state)
    assert is_closed(catalog, selected, known)
    steps = reference_steps(catalog, goal, state)
    spent = sum(steps[slug][2] for slug in selected)
    assert spent <= budget + 1e-9
    for slug in left_out:
        could_join = catalog.prerequisites(slug) <= selected | known
        assert not could_join or spent + steps[slug][2] > budget - 1e-9


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
    reordered = Goal(
        slug=goal.slug,
        title=goal.title,
        weights=dict(reversed(goal.weights)),
        levels=dict(reversed(goal.levels)),
    )
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
    taken = 0
    open_steps = len(_open_closure(catalog, goal, state))
    while True:
        recs = recommend(catalog.graph, goal, state, limit=1)
        if recs.goal_reached:
            break
        slug = recs.items[0].slug
        state = take_step(state, slug, reference_steps(catalog, goal, state)[slug][1])
        taken += 1
        assert taken <= open_steps  # each step closes one for good
    assert _reached(goal, state)


@PROPERTY
@given(scenarios())
def test_roadmap_order_is_a_valid_learning_order(case):
    """Learning the roadmap top to bottom, each topic is ready when its turn comes."""
    catalog, goal, state = case
    for entry in build_roadmap(catalog.graph, goal, state).entries:
        assert entry.slug in catalog.graph.ready_topics(goal, state)
        state = take_step(state, entry.slug, entry.to_level)
    assert recommend(catalog.graph, goal, state).goal_reached
    assert build_roadmap(catalog.graph, goal, state).entries == ()


@PROPERTY
@given(scenarios())
def test_gaps_agree_with_the_planner(case):
    catalog, goal, state = case
    levels = dict(goal.levels)
    targets = [
        Target(slug=slug, weight=weight, level=levels[slug]) for slug, weight in goal.weights
    ]
    gaps = target_gaps(
        targets,
        levels=state.effective_levels(),
        hours={slug: catalog.hours(slug) for slug in goal.targets},
    )
    assert [gap.met for gap in gaps] == [target_met(goal, state, t.slug) for t in targets]
    assert recommend(catalog.graph, goal, state).goal_reached == all(gap.met for gap in gaps)
    assert 0.0 <= readiness(gaps) <= 1.0
    assert (readiness(gaps) == 1.0) == all(gap.met for gap in gaps)
    for gap in gaps:
        steps = max(0, RANK[gap.target.level] - RANK[gap.current])
        assert math.isclose(gap.hours_to_close, catalog.hours(gap.target.slug) * steps / 3)
