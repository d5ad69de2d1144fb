"""Ranked next topics for a learner and a goal, each with the reasons for its place."""

import heapq
from dataclasses import dataclass

from planner import reasons
from planner.closure import GoalPlan, index_mask
from planner.goals import Goal, LearnerState
from planner.graph import CatalogGraph
from planner.reasons import Reason
from planner.scoring import QUICK_WIN_HOURS, topic_score
from planner.standing import Standing, ready_steps, standing_of


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One ready step, its score and why."""

    slug: str
    score: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Recommendations:
    """The best ready steps, best first; empty with `goal_reached` once every target is met.

    Kept open for more kinds of item (a review that is due) beside the learning steps."""

    goal_reached: bool
    items: tuple[Recommendation, ...]


def recommend(
    graph: CatalogGraph, goal: Goal, state: LearnerState, *, limit: int = 10
) -> Recommendations:
    """Up to `limit` ready steps of the goal's closure (planner.standing), by score (see
    planner.scoring), then slug; none once every target is met (`goal_reached`).

    Raises UnknownTopic for a goal target missing from the graph and ValueError for limit < 1.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    plan = graph.goal_plan(goal)
    standing = standing_of(graph, goal, state)
    if standing.goal_reached:
        return Recommendations(goal_reached=True, items=())
    known = standing.known
    to_do = standing.to_do
    ready = ready_steps(graph, plan, standing)
    started = graph.started_indices(state, known)
    weight = plan.weight
    # Each open target shares its weight among the steps still between the learner and it, so
    # a topic gets more credit the closer it brings a target, not just for leading to many.
    # The steps still to take: supporting topics not known, and unmet targets (few).
    to_do_mask = (plan.supporting_mask & ~index_mask(known)) | index_mask(standing.unmet_targets)
    share = {
        target: weight[target] / (plan.ancestry_masks[target] & to_do_mask).bit_count()
        for target in plan.targets
        if target in to_do
    }

    scored: list[tuple[float, str, int]] = []
    for index in ready:
        node = graph.node_at(index)
        # Deepening a topic already known unlocks nothing: what needs it can start already.
        waiting = () if index in known else _waiting_targets(plan, index, to_do)
        score = topic_score(
            own_weight=weight.get(index, 0.0),
            unlocked_weight=sum(share[t] for t in waiting),
            in_progress=index in started,
            hours=standing.step(index).hours,
        )
        scored.append((-score, node.slug, index))

    context = _Context(graph, plan, goal, standing, started)
    items = tuple(
        Recommendation(slug=slug, score=-negative_score, reasons=context.reasons_for(index))
        for negative_score, slug, index in heapq.nsmallest(limit, scored)
    )
    return Recommendations(goal_reached=False, items=items)


def _waiting_targets(plan: GoalPlan, index: int, to_do: frozenset[int]) -> list[int]:
    """The targets still to do that need the topic at `index`, in `plan.targets` order."""
    return [t for t in plan.downstream.get(index, ()) if t in to_do]


@dataclass(frozen=True, slots=True)
class _Context:
    """What the reasons for a ready step are read from."""

    graph: CatalogGraph
    plan: GoalPlan
    goal: Goal
    standing: Standing
    started: frozenset[int]

    def reasons_for(self, index: int) -> tuple[Reason, ...]:
        node = self.graph.node_at(index)
        step = self.standing.step(index)
        found: list[Reason] = []
        if step.deepens:
            assert step.from_level is not None
            found.append(reasons.deepen(node.title, self.goal, step.from_level, step.to_level))
        own_weight = self.plan.weight.get(index)
        if own_weight is not None:
            level = self.goal.level_of(node.slug)
            found.append(reasons.goal_target(node.title, self.goal, own_weight, level))
        waiting = (
            []
            if index in self.standing.known
            else _waiting_targets(self.plan, index, self.standing.to_do)
        )
        if waiting:
            titles = [self.graph.node_at(t).title for t in waiting]
            found.append(reasons.unlocks(titles, self.goal))
        if index in self.started:
            found.append(reasons.in_progress())
        if step.hours <= QUICK_WIN_HOURS:
            found.append(reasons.quick_win(step.hours))
        if own_weight is None and not waiting and index not in self.started:
            found.insert(0, reasons.groundwork(self.goal))
        return tuple(found)
