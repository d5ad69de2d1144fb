"""What the planner is asked about: a goal (weighted targets) and a learner's state."""

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from planner.levels import DEFAULT_TARGET_LEVEL, DONE_LEVEL, KNOWN_LEVEL, STARTED_LEVEL, Level


@dataclass(frozen=True, slots=True, init=False)
class Goal:
    """Why someone learns: target topics, each with a weight in (0, 1] and the level it asks.

    `weights` accepts a dict (or pairs) and is stored as a tuple of `(slug, weight)` pairs sorted
    by slug, so equal goals are equal and hashable whatever order the targets came in. `levels`
    gives the depth asked per target (DEFAULT_TARGET_LEVEL for a target it leaves out) and is
    stored the same way. An ad-hoc goal has no slug or title.
    """

    slug: str | None
    title: str | None
    weights: tuple[tuple[str, float], ...]
    levels: tuple[tuple[str, Level], ...]

    def __init__(
        self,
        *,
        slug: str | None = None,
        title: str | None = None,
        weights: Mapping[str, float] | Iterable[tuple[str, float]],
        levels: Mapping[str, Level] | None = None,
    ) -> None:
        pairs = weights.items() if isinstance(weights, Mapping) else weights
        normalised = tuple(sorted((str(target), float(weight)) for target, weight in pairs))
        if not normalised:
            raise ValueError("a goal needs at least one target topic")
        for (previous, _), (target, _) in itertools.pairwise(normalised):
            if previous == target:
                raise ValueError(f"target {target!r} is given twice")
        for target, weight in normalised:
            if not (math.isfinite(weight) and 0.0 < weight <= 1.0):
                raise ValueError(f"weight of {target!r} must be in (0, 1], got {weight}")
        asked = dict(levels or {})
        targets = {target for target, _ in normalised}
        strays = sorted(set(asked) - targets)
        if strays:
            raise ValueError(f"levels name topics that are not targets: {', '.join(strays)}")
        object.__setattr__(self, "slug", slug)
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "weights", normalised)
        object.__setattr__(
            self,
            "levels",
            tuple(
                (target, Level(asked.get(target, DEFAULT_TARGET_LEVEL))) for target, _ in normalised
            ),
        )

    @classmethod
    def ad_hoc(cls, targets: Iterable[str]) -> "Goal":
        """An unnamed goal of the given target slugs, weight 1 each (duplicates collapse)."""
        return cls(weights=dict.fromkeys(targets, 1.0))

    @property
    def targets(self) -> tuple[str, ...]:
        """The target slugs, sorted."""
        return tuple(target for target, _ in self.weights)

    def level_of(self, slug: str) -> Level:
        """The level the goal asks of target `slug` (KeyError when it is not a target)."""
        for target, level in self.levels:
            if target == slug:
                return level
        raise KeyError(slug)

    def weight_of(self, slug: str) -> float:
        """The goal weight of `slug`, 0.0 when it is not a target."""
        for target, weight in self.weights:
            if target == slug:
                return weight
        return 0.0


@dataclass(frozen=True, slots=True, init=False)
class LearnerState:
    """What a learner has done (completed or skipped), has started, and the levels they hold.

    A topic's effective level (DESIGN.md §7) is its entry in `levels` when there is one; else
    `proficient` for a slug in `known` (completed or skipped), `aware` for one in `in_progress`,
    and none otherwise. `levels` accepts a dict and is stored as `(slug, level)` pairs sorted by
    slug, so equal states are equal and hashable. Slugs that the graph does not hold are ignored
    by the planner. A slug both in `known` and in progress counts as in `known`.
    """

    known: frozenset[str]
    in_progress: frozenset[str]
    levels: tuple[tuple[str, Level], ...]

    def __init__(
        self,
        *,
        known: Iterable[str] = frozenset(),
        in_progress: Iterable[str] = frozenset(),
        levels: Mapping[str, Level] | Iterable[tuple[str, Level]] = (),
    ) -> None:
        # Callers often hold sets, lists or dicts; freezing them keeps the state hashable.
        pairs = levels.items() if isinstance(levels, Mapping) else levels
        object.__setattr__(self, "known", frozenset(known))
        object.__setattr__(self, "in_progress", frozenset(in_progress))
        object.__setattr__(
            self, "levels", tuple(sorted((str(slug), Level(level)) for slug, level in pairs))
        )

    def effective_levels(self) -> dict[str, Level]:
        """Every slug with a level, and that level."""
        found = dict.fromkeys(self.in_progress, STARTED_LEVEL)
        found.update(dict.fromkeys(self.known, DONE_LEVEL))
        found.update(self.levels)
        return found

    def known_slugs(self) -> frozenset[str]:
        """The slugs known by §7's rule: effective level at least KNOWN_LEVEL."""
        return frozenset(
            slug
            for slug, level in self.effective_levels().items()
            if level.rank >= KNOWN_LEVEL.rank
        )
