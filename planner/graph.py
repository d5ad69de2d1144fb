"""The catalog snapshot: topics joined by prerequisite edges, validated once and then read-only.

Topics are numbered in a topological order (prerequisites first, ties broken by slug), so the
engine can walk any subset in dependency order by sorting indices. Per-goal preparation is cached
on the graph; build one graph per catalog version and share it between requests and threads.
"""

import heapq
import math
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from planner.closure import GoalPlan, plan_goal
from planner.errors import UnknownTopic
from planner.goals import Goal, LearnerState
from planner.levels import DONE_LEVEL, STARTED_LEVEL, Level, is_known

FRONTIER_FACTOR = 4.0
"""Use the known topics' dependents as ready candidates while known edges < this x closure size.
Measured on a 10,000-topic catalog: collecting dependents runs in C, scanning the closure runs
a Python `all()` per topic, so the frontier wins until the learner knows most of the catalog."""
GOAL_CACHE_SIZE = 256
"""How many prepared goals a graph keeps (least recently used are dropped)."""


@dataclass(frozen=True, slots=True)
class TopicNode:
    """One topic as the planner sees it."""

    slug: str
    title: str
    hours: float

    def __post_init__(self) -> None:
        if not self.slug:
            raise ValueError("a topic needs a slug")
        if not (math.isfinite(self.hours) and self.hours > 0):
            raise ValueError(f"hours of {self.slug!r} must be positive, got {self.hours}")


class CatalogGraph:
    """An immutable prerequisite DAG over topics, with a cache of prepared goals."""

    __slots__ = (
        "_dependents",
        "_edges",
        "_hours",
        "_index",
        "_lock",
        "_mean_dependents",
        "_nodes",
        "_plans",
        "_prerequisites",
        "_slugs",
    )

    def __init__(
        self,
        *,
        nodes: tuple[TopicNode, ...],
        prerequisites: tuple[tuple[int, ...], ...],
        dependents: tuple[tuple[int, ...], ...],
    ) -> None:
        """Use `CatalogGraph.build`; this takes already validated, topologically numbered parts."""
        self._nodes = nodes
        self._prerequisites = prerequisites
        self._dependents = dependents
        self._hours = tuple(node.hours for node in nodes)
        self._slugs = tuple(node.slug for node in nodes)
        self._index = {node.slug: index for index, node in enumerate(nodes)}
        self._edges = tuple(
            (nodes[prerequisite].slug, node.slug)
            for index, node in enumerate(nodes)
            for prerequisite in prerequisites[index]
        )
        self._mean_dependents = max(1.0, len(self._edges) / max(1, len(nodes)))
        self._plans: OrderedDict[tuple[tuple[str, float], ...], GoalPlan] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def build(
        cls, *, topics: Iterable[TopicNode], edges: Iterable[tuple[str, str]]
    ) -> "CatalogGraph":
        """Validate and number a catalog; edges are `(prerequisite, topic)` pairs.

        Raises UnknownTopic for an edge naming a missing topic and ValueError for a duplicate
        topic slug, a self-edge or a cycle. Repeated edges count once.
        """
        by_slug: dict[str, TopicNode] = {}
        for topic in topics:
            if topic.slug in by_slug:
                raise ValueError(f"topic {topic.slug!r} is given twice")
            by_slug[topic.slug] = topic
        needs: dict[str, set[str]] = {slug: set() for slug in by_slug}
        for prerequisite, topic_slug in edges:
            for slug in (prerequisite, topic_slug):
                if slug not in by_slug:
                    raise UnknownTopic(slug)
            if prerequisite == topic_slug:
                raise ValueError(f"topic {topic_slug!r} cannot be its own prerequisite")
            needs[topic_slug].add(prerequisite)

        order = _topological_order(needs)
        index = {slug: position for position, slug in enumerate(order)}
        prerequisites = tuple(tuple(sorted(index[p] for p in needs[slug])) for slug in order)
        dependents_lists: list[list[int]] = [[] for _ in order]
        for position, needed in enumerate(prerequisites):
            for needed_index in needed:
                dependents_lists[needed_index].append(position)
        return cls(
            nodes=tuple(by_slug[slug] for slug in order),
            prerequisites=prerequisites,
            dependents=tuple(tuple(d) for d in dependents_lists),
        )

    # Public, slug-level reads.

    @property
    def slugs(self) -> tuple[str, ...]:
        """Every topic slug, in topological order (prerequisites first, ties by slug).

        Position i is the slug of topological index i."""
        return self._slugs

    @property
    def edges(self) -> tuple[tuple[str, str], ...]:
        """Every `(prerequisite, topic)` edge."""
        return self._edges

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, slug: object) -> bool:
        return slug in self._index

    def topic(self, slug: str) -> TopicNode:
        """The topic named `slug`; UnknownTopic if there is none."""
        return self._nodes[self.index_of(slug)]

    def prerequisites_of(self, slug: str) -> tuple[str, ...]:
        """Direct prerequisites of `slug`, sorted by slug."""
        return self._slugs_sorted(self._prerequisites[self.index_of(slug)])

    def dependents_of(self, slug: str) -> tuple[str, ...]:
        """Topics that directly need `slug`, sorted by slug."""
        return self._slugs_sorted(self._dependents[self.index_of(slug)])

    def closure_of(self, goal: Goal) -> frozenset[str]:
        """The goal's targets plus all their transitive prerequisites."""
        return self.goal_plan(goal).closure

    def ready_topics(self, goal: Goal, state: LearnerState) -> tuple[str, ...]:
        """Topics of the goal's closure that still need a step (planner.standing) and whose
        prerequisites are all known."""
        # planner.standing builds on this module; importing it here keeps the import one-way.
        from planner.standing import ready_steps, standing_of

        standing = standing_of(self, goal, state)
        return self._slugs_sorted(ready_steps(self, self.goal_plan(goal), standing))

    # Index-level reads for the engine modules (recommend, roadmap, budget).

    def index_of(self, slug: str) -> int:
        """The topological index of `slug`; UnknownTopic if there is none."""
        try:
            return self._index[slug]
        except KeyError:
            raise UnknownTopic(slug) from None

    def node_at(self, index: int) -> TopicNode:
        """The topic at a topological index."""
        return self._nodes[index]

    @property
    def hours_by_index(self) -> tuple[float, ...]:
        """Estimated hours of every topic, by topological index."""
        return self._hours

    def prerequisite_indices(self, index: int) -> tuple[int, ...]:
        """Direct prerequisites of the topic at `index`, ascending."""
        return self._prerequisites[index]

    def dependent_indices(self, index: int) -> tuple[int, ...]:
        """Topics that directly need the topic at `index`, ascending."""
        return self._dependents[index]

    def levels_by_index(self, state: LearnerState) -> dict[int, Level]:
        """The learner's effective levels by index; slugs not in the graph are ignored."""
        return self.learner_levels(state)[0]

    def known_indices(self, state: LearnerState) -> frozenset[int]:
        """Indices of the learner's known topics (effective level at least practiced); slugs
        not in the graph are ignored."""
        return self.learner_levels(state)[1]

    def learner_levels(self, state: LearnerState) -> tuple[dict[int, Level], frozenset[int]]:
        """`levels_by_index` and `known_indices` in one pass over the state.

        Built from the state's sets with C-level calls where it can: a learner far along has
        thousands of records, and this runs on every request."""
        index = self._index
        done = [index[slug] for slug in state.known if slug in index]
        levels = dict.fromkeys(
            [index[slug] for slug in state.in_progress if slug in index], STARTED_LEVEL
        )
        levels.update(dict.fromkeys(done, DONE_LEVEL))
        known = set(done)
        for slug, level in state.levels:  # set or awarded: overrides what the status implies
            found = index.get(slug)
            if found is None:
                continue
            levels[found] = level
            if is_known(level):
                known.add(found)
            else:
                known.discard(found)
        return levels, frozenset(known)

    def started_indices(self, state: LearnerState, known: frozenset[int]) -> frozenset[int]:
        """Indices of topics in progress and not known; slugs not in the graph are ignored."""
        index = self._index
        started = {index[slug] for slug in state.in_progress if slug in index}
        return frozenset(started - known)

    def ready_indices(
        self, plan: GoalPlan, known: frozenset[int], to_do: Collection[int]
    ) -> list[int]:
        """Indices of `to_do` (closure topics still needing a step) whose prerequisites are
        all known, ascending."""
        prerequisites = self._prerequisites
        if len(known) * self._mean_dependents < FRONTIER_FACTOR * len(plan.order):
            # A ready topic that is not known is a root or a dependent of a known topic: for a
            # learner who knows little of a large closure, the frontier is far smaller than the
            # closure. Known topics still to do (deepen steps) are added as they are.
            frontier = set(known.intersection(to_do))
            frontier.update(plan.roots)
            for index in known:
                frontier.update(self._dependents[index])
            candidates: Iterable[int] = sorted(index for index in frontier if index in to_do)
        else:
            candidates = (index for index in plan.order if index in to_do)
        return [index for index in candidates if all(p in known for p in prerequisites[index])]

    def goal_plan(self, goal: Goal) -> GoalPlan:
        """The goal's learner-independent preparation, computed once and cached.

        Raises UnknownTopic for a target the graph does not hold.
        """
        # Levels do not change the closure: goals that differ only in levels share a plan.
        key = goal.weights
        with self._lock:
            plan = self._plans.get(key)
            if plan is not None:
                self._plans.move_to_end(key)
                return plan
        targets = {self.index_of(slug): weight for slug, weight in key}
        plan = plan_goal(
            prerequisites=self._prerequisites,
            dependents=self._dependents,
            slugs=self._slugs,
            targets=targets,
        )
        with self._lock:
            self._plans[key] = plan
            if len(self._plans) > GOAL_CACHE_SIZE:
                self._plans.popitem(last=False)
        return plan

    def _slugs_sorted(self, indices: Iterable[int]) -> tuple[str, ...]:
        return tuple(sorted(self._nodes[index].slug for index in indices))


def _topological_order(needs: dict[str, set[str]]) -> list[str]:
    """Kahn's algorithm, smallest slug first among the ready ones; ValueError on a cycle."""
    waiting = {slug: len(needed) for slug, needed in needs.items()}
    unlocks: dict[str, list[str]] = {slug: [] for slug in needs}
    for slug, needed in needs.items():
        for prerequisite in needed:
            unlocks[prerequisite].append(slug)
    ready = [slug for slug, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        slug = heapq.heappop(ready)
        order.append(slug)
        for dependent in unlocks[slug]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                heapq.heappush(ready, dependent)
    if len(order) != len(needs):
        stuck = sorted(slug for slug, count in waiting.items() if count > 0)
        raise ValueError(
            f"the prerequisite edges form a cycle; topics on or after it: {', '.join(stuck[:5])}"
        )
    return order
