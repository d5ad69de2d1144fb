"""What the planner is asked about: a goal (weighted targets) and a learner's state."""

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, init=False)
class Goal:
    """Why someone learns: target topics, each with a weight in (0, 1].

    `weights` accepts a dict (or pairs) and is stored as a tuple of `(slug, weight)` pairs sorted
    by slug, so equal goals are equal and hashable whatever order the targets came in. An ad-hoc
    goal has no slug or title.
    """

    slug: str | None
    title: str | None
    weights: tuple[tuple[str, float], ...]

    def __init__(
        self,
        *,
        slug: str | None = None,
        title: str | None = None,
        weights: Mapping[str, float] | Iterable[tuple[str, float]],
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
        object.__setattr__(self, "slug", slug)
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "weights", normalised)

    @classmethod
    def ad_hoc(cls, targets: Iterable[str]) -> "Goal":
        """An unnamed goal of the given target slugs, weight 1 each (duplicates collapse)."""
        return cls(weights=dict.fromkeys(targets, 1.0))

    @property
    def targets(self) -> tuple[str, ...]:
        """The target slugs, sorted."""
        return tuple(target for target, _ in self.weights)

    def weight_of(self, slug: str) -> float:
        """The goal weight of `slug`, 0.0 when it is not a target."""
        for target, weight in self.weights:
            if target == slug:
                return weight
        return 0.0


@dataclass(frozen=True, slots=True)
class LearnerState:
    """What a learner knows (completed or skipped) and has started.

    Slugs that the graph does not hold are ignored by the planner. A slug both known and in
    progress counts as known.
    """

    known: frozenset[str] = frozenset()
    in_progress: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Callers often hold sets or lists; freezing them keeps the state hashable and immutable.
        if not isinstance(self.known, frozenset):
            object.__setattr__(self, "known", frozenset(self.known))
        if not isinstance(self.in_progress, frozenset):
            object.__setattr__(self, "in_progress", frozenset(self.in_progress))
