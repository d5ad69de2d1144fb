"""A process-wide cache of what the planner knows of each learner.

Reading a learner's progress costs a row per record (thousands for a learner far along); one
indexed read of the learner's progress version tells whether the cached copy is still current,
whichever process made the learner's last change.
"""

import threading
from collections import OrderedDict

from planner import LearnerState

DEFAULT_CAPACITY = 10_000

# (progress version, catalog version): a catalog edit can delete topics and their records
# without a progress write, so the catalog version is part of what a copy depends on.
StateKey = tuple[int, int]


class LearnerStates:
    """The most recently used learners' states, at most `capacity` of them."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._states: OrderedDict[int, tuple[StateKey, LearnerState]] = OrderedDict()
        # PostgreSQL requests run on the thread pool.
        self._lock = threading.Lock()

    def get(self, learner_id: int, key: StateKey) -> LearnerState | None:
        """The cached state if it was taken at `key`."""
        with self._lock:
            found = self._states.get(learner_id)
            if found is None or found[0] != key:
                return None
            self._states.move_to_end(learner_id)
            return found[1]

    def put(self, learner_id: int, key: StateKey, state: LearnerState) -> None:
        with self._lock:
            self._states[learner_id] = (key, state)
            self._states.move_to_end(learner_id)
            while len(self._states) > self._capacity:
                self._states.popitem(last=False)
