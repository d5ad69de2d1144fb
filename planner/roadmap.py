"""The roadmap: every step still to take on a goal's closure (planner.standing), in stages,
optionally scheduled in weeks and cut down to an hour budget. Hours are depth hours."""

import math
from dataclasses import dataclass

from planner.budget import select_within_budget
from planner.goals import Goal, LearnerState
from planner.graph import CatalogGraph
from planner.levels import Level
from planner.schedule import schedule_weeks, total_hours
from planner.standing import standing_of


@dataclass(frozen=True, slots=True)
class RoadmapEntry:
    """One step on the roadmap: a topic raised from `from_level` (None: nothing yet) to
    `to_level` in `hours`; `week` is the week it starts in (None without a pace)."""

    slug: str
    hours: float
    week: int | None
    from_level: Level | None = None
    to_level: Level = Level.PROFICIENT


@dataclass(frozen=True, slots=True)
class Stage:
    """Topics whose not-known prerequisites all sit in earlier stages; sorted by slug."""

    number: int
    entries: tuple[RoadmapEntry, ...]


@dataclass(frozen=True, slots=True)
class Roadmap:
    """Stages in order, their total hours, weeks needed and what the budget left out."""

    stages: tuple[Stage, ...]
    total_hours: float
    weeks: int | None
    left_out: tuple[str, ...]

    @property
    def entries(self) -> tuple[RoadmapEntry, ...]:
        """All entries in roadmap order (stage by stage)."""
        return tuple(entry for stage in self.stages for entry in stage.entries)


def build_roadmap(
    graph: CatalogGraph,
    goal: Goal,
    state: LearnerState,
    *,
    hours_per_week: float | None = None,
    budget_hours: float | None = None,
) -> Roadmap:
    """The roadmap for a goal and learner.

    Stage 1 holds the steps ready now; any other step sits one stage after the latest of its
    topic's not-known prerequisites. Within a stage topics are sorted by slug, so the order respects
    every prerequisite edge. With `budget_hours` only the selection of planner.budget is staged
    and the rest of the not-known closure is `left_out` (sorted by slug).

    Raises UnknownTopic for a goal target missing from the graph, ValueError for
    hours_per_week <= 0 or budget_hours < 0.
    """
    if hours_per_week is not None and not (0 < hours_per_week < math.inf):
        raise ValueError(f"hours_per_week must be positive, got {hours_per_week}")
    if budget_hours is not None and not budget_hours >= 0:
        raise ValueError(f"budget_hours must be zero or more, got {budget_hours}")
    plan = graph.goal_plan(goal)
    standing = standing_of(graph, goal, state)
    to_do, known = standing.to_do, standing.known
    to_learn = [index for index in plan.order if index in to_do]
    left_out: tuple[str, ...] = ()
    if budget_hours is not None:
        chosen = select_within_budget(
            graph, plan, standing.done, budget_hours, hours=standing.hours()
        )
        left_out = tuple(sorted(graph.slugs[index] for index in to_learn if index not in chosen))
        to_learn = [index for index in to_learn if index in chosen]

    # Indices ascend in topological order, so every prerequisite is staged before its dependents;
    # a not-known prerequisite always has a step (the budget selection is closed).
    stage_of: dict[int, int] = {}
    for index in to_learn:
        stage = 1
        for prerequisite in graph.prerequisite_indices(index):
            earlier = stage_of.get(prerequisite)
            # A known topic being deepened holds nothing up.
            if earlier is not None and earlier >= stage and prerequisite not in known:
                stage = earlier + 1
        stage_of[index] = stage

    slugs = graph.slugs
    by_stage: dict[int, list[tuple[str, int]]] = {}
    for index, stage in stage_of.items():
        by_stage.setdefault(stage, []).append((slugs[index], index))
    ordered = [(number, sorted(by_stage[number])) for number in range(1, len(by_stage) + 1)]
    step_parts = standing.step_parts
    steps = {index: step_parts(index) for index in stage_of}
    hours = [steps[index][2] for _, topics in ordered for _, index in topics]

    weeks: int | None = None
    starts: list[int | None] = [None] * len(hours)
    if hours_per_week is not None:
        week_numbers, weeks = schedule_weeks(hours, hours_per_week)
        starts = list(week_numbers)

    stages: list[Stage] = []
    position = 0
    for number, topics in ordered:
        entries = []
        for slug, index in topics:
            from_level, to_level, step_hours = steps[index]
            entries.append(
                RoadmapEntry(
                    slug=slug,
                    hours=step_hours,
                    week=starts[position],
                    from_level=from_level,
                    to_level=to_level,
                )
            )
            position += 1
        stages.append(Stage(number=number, entries=tuple(entries)))
    return Roadmap(
        stages=tuple(stages), total_hours=total_hours(hours), weeks=weeks, left_out=left_out
    )
