"""Ranked next topics for a learner and a goal, each with the reasons for its place."""

import heapq
from dataclasses import dataclass

from planner import reasons
from planner.closure import GoalPlan, index_mask
from planner.goals import Goal, LearnerState
from planner.graph import CatalogGraph
from planner.reasons import Reason
from planner.scoring import QUICK_WIN_HOURS, topic_score


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One ready topic, its score and why."""

    slug: str
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Recommendations:
    """The best ready topics, best first; empty with `goal_reached` once the closure is known."""

    goal_reached: bool
    items: tuple[Recommendation, ...]


def recommend(
    graph: CatalogGraph, goal: Goal, state: LearnerState, *, limit: int = 10
) -> Recommendations:
    """Up to `limit` ready topics of the goal's closure, by score (see planner.scoring), then slug.

    Raises UnknownTopic for a goal target missing from the graph and ValueError for limit < 1.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    plan = graph.goal_plan(goal)
    known = graph.known_indices(state)
    ready = graph.ready_indices(plan, known)
    if not ready:
        # In a DAG the earliest unknown topic of the closure is always ready.
        return Recommendations(goal_reached=True, items=())
    started = graph.started_indices(state, known)
    weight = plan.weight
    downstream = plan.downstream
    # Each open target shares its weight among the topics still between the learner and it, so
    # a topic gets more credit the closer it brings a target, not just for leading to many.
    known_mask = index_mask(known)
    share = {
        target: weight[target] / (plan.ancestry_masks[target] & ~known_mask).bit_count()
        for target in plan.targets
        if target not in known
    }

    scored: list[tuple[float, str, int]] = []
    for index in ready:
        node = graph.node_at(index)
        unlocked = sum(share[t] for t in downstream.get(index, ()) if t not in known)
        score = topic_score(
            own_weight=weight.get(index, 0.0),
            unlocked_weight=unlocked,
            in_progress=index in started,
            hours=node.hours,
        )
        scored.append((-score, node.slug, index))

    items = tuple(
        Recommendation(
            slug=slug,
            score=-negative_score,
            reasons=_reasons_for(graph, plan, goal, index, known, started),
        )
        for negative_score, slug, index in heapq.nsmallest(limit, scored)
    )
    return Recommendations(goal_reached=False, items=items)


def _reasons_for(
    graph: CatalogGraph,
    plan: GoalPlan,
    goal: Goal,
    index: int,
    known: frozenset[int],
    started: frozenset[int],
) -> tuple[Reason, ...]:
    node = graph.node_at(index)
    found: list[Reason] = []
    own_weight = plan.weight.get(index)
    if own_weight is not None:
        found.append(reasons.goal_target(node.title, goal, own_weight))
    waiting = [graph.node_at(t).title for t in plan.downstream.get(index, ()) if t not in known]
    if waiting:
        found.append(reasons.unlocks(waiting, goal))
    if index in started:
        found.append(reasons.in_progress())
    if node.hours <= QUICK_WIN_HOURS:
        found.append(reasons.quick_win(node.hours))
    if own_weight is None and not waiting and index not in started:
        found.insert(0, reasons.groundwork(goal))
    return tuple(found)
