"""Where a learner stands against one goal, in levels: what is known, what is met, and the
step (from level, to level, hours) still to take on each topic of the goal's closure.

The rules (DESIGN.md §7), for a topic `v` of the closure at the learner's effective level `L(v)`:

* `v` is **known** when `L(v)` ≥ practiced; a target is **met** when `L(v)` ≥ the goal's level.
* `v` still needs a step when it is a target that is not met, or when another topic of the
  closure needs it (it is a prerequisite there) and it is not known.
* The step's `to_level` is the goal's level for a target (at least practiced when another topic
  of the closure needs it); for a topic that is only a prerequisite it is proficient: a topic
  learned on the way is learned as a whole, its `estimated_hours` (nothing → proficient), the
  level completing it records. A prerequisite already known at practiced needs no step.
* The step's hours follow the depth-hours rule (planner.levels.depth_hours):
  `estimated_hours x (rank(to) - rank(from)) / 3`, rounded to HOURS_DECIMALS.
* A step is **ready** when every prerequisite of its topic is known; the earliest step of the
  closure in topological order always is. A step on a topic already known is a **deepen** step.
* The goal is **reached** when every target is met.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.closure import GoalPlan
from planner.goals import Goal, LearnerState
from planner.graph import CatalogGraph
from planner.levels import KNOWN_LEVEL, Level, depth_hours, is_known, meets, rank_of
from planner.schedule import HOURS_DECIMALS

PREREQUISITE_LEVEL = Level.PROFICIENT
"""How far a topic learned only as a prerequisite is taken (see the module docstring)."""


@dataclass(frozen=True, slots=True)
class Step:
    """Raising one topic from `from_level` (None: nothing yet) to `to_level`, in `hours`."""

    from_level: Level | None
    to_level: Level
    hours: float

    @property
    def deepens(self) -> bool:
        """Whether the topic is already known and the step only adds depth."""
        return is_known(self.from_level)


@dataclass(frozen=True, slots=True)
class Standing:
    """A learner against one goal on one graph, in graph indices. Steps are computed when
    asked for: a request needs the steps of a few ready topics, not of the whole closure."""

    levels: Mapping[int, Level]
    """Effective levels of the graph's topics the learner has a level on."""
    known: frozenset[int]
    """Indices known (effective level at least practiced)."""
    to_do: frozenset[int]
    """Closure indices that still need a step."""
    done: frozenset[int]
    """Closure indices that need no step."""
    unmet_targets: frozenset[int]
    """Target indices below the goal's level."""
    asked: Mapping[int, Level]
    """The goal's level per target index."""
    supporting: frozenset[int]
    """Closure indices another closure topic needs (GoalPlan.supporting)."""
    topic_hours: Sequence[float]
    """Estimated hours by index (CatalogGraph.hours_by_index)."""

    @property
    def goal_reached(self) -> bool:
        """Every target is met."""
        return not self.unmet_targets

    def step(self, index: int) -> Step:
        """The step still to take on the closure topic at `index` (one of `to_do`)."""
        from_level, to_level, hours = self.step_parts(index)
        return Step(from_level=from_level, to_level=to_level, hours=hours)

    def step_parts(self, index: int) -> tuple[Level | None, Level, float]:
        """`step(index)` as a plain tuple, for loops over a whole roadmap."""
        current = self.levels.get(index)
        target_level = self.asked.get(index)
        hours = self.topic_hours[index]
        if target_level is None and current is None:  # learned whole: its estimated hours
            return None, PREREQUISITE_LEVEL, hours
        to_level = _to_level(target_level, needed=index in self.supporting)
        depth = depth_hours(hours, from_level=current, to_level=to_level)
        return current, to_level, round(depth, HOURS_DECIMALS)

    def hours(self) -> dict[int, float]:
        """Hours of each step, by index."""
        step_parts = self.step_parts
        return {index: step_parts(index)[2] for index in self.to_do}


def standing_of(graph: CatalogGraph, goal: Goal, state: LearnerState) -> Standing:
    """The learner's standing against `goal`; UnknownTopic for a target the graph lacks."""
    plan = graph.goal_plan(goal)
    levels, known = graph.learner_levels(state)
    asked = {graph.index_of(slug): level for slug, level in goal.levels}
    unmet = frozenset(
        index for index, level in asked.items() if not meets(levels.get(index), level)
    )
    # Set operations over the closure run in C: no Python loop over thousands of topics.
    to_do = (plan.supporting - known) | unmet
    return Standing(
        levels=levels,
        known=known,
        to_do=to_do,
        done=plan.members - to_do,
        unmet_targets=unmet,
        asked=asked,
        supporting=plan.supporting,
        topic_hours=graph.hours_by_index,
    )


def ready_steps(graph: CatalogGraph, plan: GoalPlan, standing: Standing) -> list[int]:
    """Indices of the steps that can be taken now (every prerequisite known), ascending."""
    return graph.ready_indices(plan, standing.known, standing.to_do)


def _to_level(target_level: Level | None, *, needed: bool) -> Level:
    if target_level is None:
        return PREREQUISITE_LEVEL
    if needed and rank_of(target_level) < KNOWN_LEVEL.rank:
        return KNOWN_LEVEL
    return target_level
