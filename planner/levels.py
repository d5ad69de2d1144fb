"""Depth of knowledge: the four levels, their order, and the rules that turn them into hours.

A topic's `level` in the catalog (1-5) is its difficulty; a learner's *level* on a topic is how
deep they know it. Everything here is pure and works on plain values, so the API, the planner
and the tests share one definition of "known", "met" and "hours to close".
"""

import enum


class Level(enum.StrEnum):
    """How deep a learner knows a topic, from shallow to deep (DESIGN.md §7)."""

    AWARE = "aware"
    """Can say what it is, what it is for, and when to reach for it."""
    PRACTICED = "practiced"
    """Can use it with references at hand on an exercise or a small project."""
    PROFICIENT = "proficient"
    """Can use it unaided, debug it, and explain why it works."""
    EXPERT = "expert"
    """Can teach it, extend it, and weigh its trade-offs in a design."""

    @property
    def rank(self) -> int:
        """1 for aware … 4 for expert (0 is "no level", see `rank_of`)."""
        return _RANKS[self]


_RANKS = {level: rank for rank, level in enumerate(Level, start=1)}

LEVEL_DESCRIPTIONS: dict[Level, str] = {
    Level.AWARE: "can say what it is, what it is for, and when to reach for it",
    Level.PRACTICED: "can use it with references at hand on an exercise or a small project",
    Level.PROFICIENT: "can use it unaided, debug it, and explain why it works",
    Level.EXPERT: "can teach it, extend it, and weigh its trade-offs in a design",
}

KNOWN_LEVEL = Level.PRACTICED
"""The level from which a topic counts as known when it is a prerequisite."""
DEFAULT_TARGET_LEVEL = Level.PROFICIENT
"""What a goal asks of a target when nobody said otherwise (and what ad-hoc targets ask)."""
FULL_DEPTH_RANK = Level.PROFICIENT.rank
"""A topic's `estimated_hours` is the time from nothing to proficient."""

STARTED_LEVEL = Level.AWARE
"""The level `in_progress` implies when none is set."""
DONE_LEVEL = Level.PROFICIENT
"""The level `completed` and `skipped` imply when none is set."""

# The level a status implies when the learner set none (DESIGN.md §7).
_STATUS_LEVELS: dict[str, Level | None] = {
    "completed": DONE_LEVEL,
    "skipped": DONE_LEVEL,
    "in_progress": STARTED_LEVEL,
    "not_started": None,
}


def rank_of(level: Level | None) -> int:
    """0 for no level, else the level's rank."""
    return 0 if level is None else level.rank


def level_from_status(status: str) -> Level | None:
    """The level a progress status implies on its own."""
    return _STATUS_LEVELS[status]


def effective_level(status: str, chosen: Level | None) -> Level | None:
    """The level a record stands for: the one set (by the learner or a check), else its status'."""
    return chosen if chosen is not None else level_from_status(status)


def is_known(level: Level | None) -> bool:
    """Whether a topic at `level` counts as known (as a prerequisite)."""
    return rank_of(level) >= KNOWN_LEVEL.rank


def meets(level: Level | None, required: Level) -> bool:
    """Whether `level` reaches `required`."""
    return rank_of(level) >= required.rank


def depth_hours(estimated_hours: float, *, from_level: Level | None, to_level: Level) -> float:
    """Hours to raise a topic from `from_level` to `to_level` (0 when already there).

    `estimated_hours` covers nothing → proficient (three steps), so each step costs a third of it.
    """
    steps = to_level.rank - rank_of(from_level)
    return estimated_hours * steps / FULL_DEPTH_RANK if steps > 0 else 0.0


def depth_share(level: Level | None, required: Level) -> float:
    """How much of the required depth `level` reaches, in [0, 1] (readiness of one target)."""
    return min(1.0, rank_of(level) / required.rank)
