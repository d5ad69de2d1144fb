"""A process-wide cache of what the planner knows of each learner.

Reading a learner's progress costs a row per record (thousands for a learner far along); one
indexed read of the learner's progress version tells whether the cached copy is still current,
whichever process made the learner's last change.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from api.reviews import memory as review_memory
from planner import LearnerState
from planner.memory import Memory, Recall

DEFAULT_CAPACITY = 10_000

# (progress version, catalog version): a catalog edit can delete topics and their records
# without a progress write, so the catalog version is part of what a copy depends on.
StateKey = tuple[int, int]


@dataclass(frozen=True, slots=True)
class LearnerPlanning:
    """What the planner is told of a learner: their state, and the fsrs card of each topic
    with a review schedule (by slug), from which their memory at any moment follows."""

    state: LearnerState
    cards: tuple[tuple[str, dict[str, Any]], ...] = ()

    def memory_at(self, as_of: datetime, *, retention: float) -> Memory:
        """The learner's memory on the UTC date of `as_of`.

        Retrievability counts whole days since the last review; taking it at the end of the
        date makes that the number of dates between, so the answer depends on the date only
        (and a review falls due in recommendations on the date of its `due_at`).
        """
        day = as_of.astimezone(UTC).date()
        end_of_day = datetime.combine(day, time.max, tzinfo=UTC)
        recalls = []
        for slug, card in self.cards:
            chance, reviewed = review_memory.recall(card, at=end_of_day)
            recalls.append(Recall(slug, chance, days_since_review=(day - reviewed.date()).days))
        return Memory(retention=retention, recalls=recalls)


class LearnerStates:
    """The most recently used learners' states, at most `capacity` of them."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._states: OrderedDict[int, tuple[StateKey, LearnerPlanning]] = OrderedDict()
        # PostgreSQL requests run on the thread pool.
        self._lock = threading.Lock()

    def get(self, learner_id: int, key: StateKey) -> LearnerPlanning | None:
        """The cached state if it was taken at `key`."""
        with self._lock:
            found = self._states.get(learner_id)
            if found is None or found[0] != key:
                return None
            self._states.move_to_end(learner_id)
            return found[1]

    def put(self, learner_id: int, key: StateKey, state: LearnerPlanning) -> None:
        with self._lock:
            self._states[learner_id] = (key, state)
            self._states.move_to_end(learner_id)
            while len(self._states) > self._capacity:
                self._states.popitem(last=False)
