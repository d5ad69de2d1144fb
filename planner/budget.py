"""The most valuable prerequisite-closed set of topics that fits an hour budget.

Problem. Among the steps still to take on the goal's closure (planner.standing; "known" below
means done: a closure topic that needs no step) choose a set S that is prerequisite-closed
(every not-known prerequisite of a member is a member), whose depth hours add up to at most the
budget B, and whose value (the sum of the goal weights of its members) is as large as possible.
This is the partially ordered (precedence-constrained) knapsack problem, NP-hard.

Candidates are the not-known topics that lead to a not-known target (itself included); only they
can add value.

Exact search, when there are at most EXACT_LIMIT candidates: depth-first branch and bound over the
candidates in topological order, "take" tried before "leave". A topic can be taken only when its
not-known prerequisites are taken and it fits; leaving a topic blocks everything that needs it.
The bound at each node is the current value plus a fractional knapsack over the targets still
open (not decided, not blocked) priced at their own hours only, which never underestimates what
any completion can add. The search starts from the greedy answer below and visits at most
SEARCH_NODE_LIMIT nodes; a search that hits the limit keeps the best answer found so far, which is
never worse than the greedy one (with at most EXACT_LIMIT candidates that is rare).

Greedy approximation, otherwise: every open target t is priced as its "chain", the not-known,
not-yet-chosen part of its closure: cost(t) = hours of that part and value(t) = goal weight of the
targets in it. Repeatedly take the whole chain with the highest value/cost that still fits, then
re-price the others (shared prerequisites are now paid for). Finally compare with the single most
valuable chain that fits on its own and keep the better of the two. The work is
O(|closure| * |targets| + |targets|^2) per request, however large the catalog.

Bound of the approximation. Its value is never below that of the best single target whose chain
fits the budget. When the targets' chains are pairwise disjoint (no shared prerequisites, no
target needing another), each chain is an independent knapsack item and this is the classic
"greedy by density or best single item" rule, so the value is at least half the optimum. For
general DAGs with shared prerequisites no constant factor is guaranteed: partially ordered
knapsack has no known constant-factor approximation, so none is claimed.

Both paths end with a maximality fill: left-out topics whose not-known prerequisites are all
chosen are added, heaviest goal weight then fewest hours first, while they fit. Afterwards no
single left-out topic can be added without breaking prerequisite-closure or the budget.
"""

import contextlib
import heapq
import math
from collections.abc import Iterable, Mapping

from planner.closure import GoalPlan
from planner.graph import CatalogGraph

EXACT_LIMIT = 24
"""Largest number of candidate topics solved exactly."""
SEARCH_NODE_LIMIT = 200_000
"""Branch-and-bound nodes visited at most before the greedy answer is kept."""
_EPSILON = 1e-9


def select_within_budget(
    graph: CatalogGraph,
    plan: GoalPlan,
    known: frozenset[int],
    budget: float,
    *,
    hours: Mapping[int, float],
) -> frozenset[int]:
    """Indices of the chosen steps (see the module docstring); `known` holds the closure topics
    that need no step and `hours` each step's hours."""
    # Depth hours are thirds of a topic's hours: a sum equal to the budget but for float noise
    # fits it.
    budget += _EPSILON
    chosen = greedy_selection(graph, plan, known, budget, hours=hours)
    candidates = sorted(
        {index for t in plan.targets if t not in known for index in plan.ancestry[t]} - known
    )
    if len(candidates) <= EXACT_LIMIT:
        better = _branch_and_bound(
            graph, plan, candidates, budget, _value(plan, chosen), hours=hours
        )
        if better is not None:
            chosen = better
    return fill_to_maximal(graph, plan, known, chosen, budget, hours=hours)


def greedy_selection(
    graph: CatalogGraph,
    plan: GoalPlan,
    known: frozenset[int],
    budget: float,
    *,
    hours: Mapping[int, float],
) -> frozenset[int]:
    """The greedy chain selection of the module docstring, before the maximality fill."""
    weight = plan.weight
    open_targets = [t for t in plan.targets if t not in known]
    cost = {
        target: math.fsum([hours[index] for index in plan.ancestry[target] if index not in known])
        for target in open_targets
    }
    value = dict.fromkeys(open_targets, 0.0)
    for target in open_targets:
        for reached in (target, *plan.downstream.get(target, ())):
            if reached in value:
                value[reached] += weight[target]

    best_single = max(
        (t for t in open_targets if cost[t] <= budget),
        key=lambda t: (value[t], -cost[t]),
        default=None,
    )
    single_value = value[best_single] if best_single is not None else 0.0
    single = (
        _chain(plan, best_single, known, frozenset()) if best_single is not None else frozenset()
    )

    chosen: set[int] = set()
    room = budget
    alive = list(open_targets)
    while alive:
        pick = None
        pick_density = -1.0
        for target in alive:
            if cost[target] <= room + _EPSILON:
                density = value[target] / cost[target]
                if density > pick_density:
                    pick, pick_density = target, density
        if pick is None:
            break
        adding = _chain(plan, pick, known, chosen)
        added_hours = math.fsum([hours[index] for index in adding])
        if added_hours > room:  # only rounding drift in `cost` can get here
            alive.remove(pick)
            continue
        room -= added_hours
        for index in adding:
            chosen.add(index)
            own_weight = weight.get(index, 0.0)
            for target in (index, *plan.downstream.get(index, ())):
                if target in cost:
                    cost[target] -= hours[index]
                    value[target] -= own_weight
        alive = [t for t in alive if t not in chosen]

    if single_value > _value(plan, chosen) + _EPSILON:
        return single
    return frozenset(chosen)


def fill_to_maximal(
    graph: CatalogGraph,
    plan: GoalPlan,
    known: frozenset[int],
    chosen: Iterable[int],
    budget: float,
    *,
    hours: Mapping[int, float],
) -> frozenset[int]:
    """Add left-out topics that can join (prerequisites chosen or known) while they fit."""
    selected = set(chosen)
    spent = math.fsum([hours[index] for index in selected])

    def can_join(index: int) -> bool:
        return all(p in known or p in selected for p in graph.prerequisite_indices(index))

    def priority(index: int) -> tuple[float, float, int]:
        return (-plan.weight.get(index, 0.0), hours[index], index)

    waiting = [
        priority(index)
        for index in plan.order
        if index not in known and index not in selected and can_join(index)
    ]
    heapq.heapify(waiting)
    while waiting:
        _, topic_hours, index = heapq.heappop(waiting)
        # Budget only shrinks, so a topic that does not fit now never will.
        if spent + topic_hours > budget:
            continue
        selected.add(index)
        spent += topic_hours
        for dependent in graph.dependent_indices(index):
            if (
                dependent in plan.members
                and dependent not in known
                and dependent not in selected
                and can_join(dependent)
            ):
                heapq.heappush(waiting, priority(dependent))
    return frozenset(selected)


def _chain(
    plan: GoalPlan, target: int, known: frozenset[int], chosen: Iterable[int]
) -> frozenset[int]:
    """The not-known, not-chosen part of a target's closure."""
    return frozenset(plan.ancestry[target]) - known - frozenset(chosen)


def _value(plan: GoalPlan, indices: Iterable[int]) -> float:
    return math.fsum(plan.weight.get(index, 0.0) for index in indices)


class _SearchLimitReached(Exception):
    pass


def _branch_and_bound(
    graph: CatalogGraph,
    plan: GoalPlan,
    candidates: list[int],
    budget: float,
    incumbent_value: float,
    *,
    hours: Mapping[int, float],
) -> frozenset[int] | None:
    """The optimal candidate subset if it beats `incumbent_value`, else None.

    Past SEARCH_NODE_LIMIT nodes: the best subset found so far that beats it, else None.
    """
    position = {index: local for local, index in enumerate(candidates)}
    step_hours = [hours[index] for index in candidates]
    weight = [plan.weight.get(index, 0.0) for index in candidates]
    # Not-known prerequisites of a candidate are candidates too (they lead to the same target).
    needs = [0] * len(candidates)
    needs_transitively = [0] * len(candidates)
    for local, index in enumerate(candidates):
        for prerequisite in graph.prerequisite_indices(index):
            other = position.get(prerequisite)
            if other is not None:
                needs[local] |= 1 << other
                needs_transitively[local] |= (1 << other) | needs_transitively[other]
    by_density = sorted(
        (local for local in range(len(candidates)) if weight[local] > 0),
        key=lambda local: (-weight[local] / step_hours[local], local),
    )

    best_value = incumbent_value
    best_mask: int | None = None
    visited = 0

    def bound(start: int, excluded: int, room: float) -> float:
        extra = 0.0
        left = room
        for local in by_density:
            if local < start or needs_transitively[local] & excluded or step_hours[local] > room:
                continue
            if step_hours[local] <= left:
                extra += weight[local]
                left -= step_hours[local]
            else:
                extra += weight[local] * left / step_hours[local]
                break
        return extra

    def search(local: int, chosen: int, excluded: int, spent: float, value: float) -> None:
        nonlocal best_value, best_mask, visited
        visited += 1
        if visited > SEARCH_NODE_LIMIT:
            raise _SearchLimitReached
        if value > best_value + _EPSILON:
            best_value, best_mask = value, chosen
        if local == len(candidates):
            return
        if value + bound(local, excluded, budget - spent) <= best_value + _EPSILON:
            return
        bit = 1 << local
        if not needs[local] & excluded and spent + step_hours[local] <= budget:
            search(
                local + 1, chosen | bit, excluded, spent + step_hours[local], value + weight[local]
            )
        search(local + 1, chosen, excluded | bit, spent, value)

    # On reaching the limit keep the best found so far; it is at least the incumbent.
    with contextlib.suppress(_SearchLimitReached):
        search(0, 0, 0, 0.0, 0.0)
    if best_mask is None:
        return None
    return frozenset(index for local, index in enumerate(candidates) if best_mask >> local & 1)
