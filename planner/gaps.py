"""A learner's gaps against a goal: per target, the depth asked, the depth reached, the hours left.

The same arithmetic serves one learner's profile (`GET /me/gaps`), a team's matrix and coverage,
and any chart of them, so it lives here once, over plain values.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from planner.levels import Level, depth_hours, depth_share, meets


@dataclass(frozen=True, slots=True)
class Target:
    """One target of a goal: a topic, its weight in (0, 1] and the level the goal asks for."""

    slug: str
    weight: float
    level: Level


@dataclass(frozen=True, slots=True)
class TargetGap:
    """Where a learner stands on one target."""

    target: Target
    current: Level | None
    met: bool
    hours_to_close: float
    share: float
    """The reached part of the required depth, in [0, 1]."""


def target_gaps(
    targets: Iterable[Target],
    *,
    levels: Mapping[str, Level | None],
    hours: Mapping[str, float],
) -> tuple[TargetGap, ...]:
    """Each target's gap; `levels` holds the learner's effective levels (absent = none), and
    `hours` each target topic's estimated hours (nothing → proficient)."""
    gaps = []
    for target in targets:
        current = levels.get(target.slug)
        gaps.append(
            TargetGap(
                target=target,
                current=current,
                met=meets(current, target.level),
                hours_to_close=depth_hours(
                    hours[target.slug], from_level=current, to_level=target.level
                ),
                share=depth_share(current, target.level),
            )
        )
    return tuple(gaps)


def readiness(gaps: Iterable[TargetGap]) -> float:
    """The weight-averaged share of required depth reached, in [0, 1] (1.0 for no targets)."""
    total_weight = 0.0
    reached = 0.0
    for gap in gaps:
        total_weight += gap.target.weight
        reached += gap.target.weight * gap.share
    return reached / total_weight if total_weight else 1.0
