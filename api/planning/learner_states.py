"""A process-wide cache of what the planner knows of each learner.

Reading a learner's progress costs a row per record (thousands for a learner far along); one
indexed read of the learner's progress version tells whether the cached copy is still current,
whichever process made the learner's last change. A progress write made by this process moves
the cached copy along with it (`follow`), so the learner's next read, the product's core loop,
finds it current without reading their records again.
"""

import threading
from collections import OrderedDict

from api.catalog.snapshot import CatalogSnapshot
from api.progress.repository import ProgressChange
from models import KNOWN_STATUSES, ProgressStatus
from planner import LearnerState

DEFAULT_CAPACITY = 10_000

# (progress version, catalog version): a catalog edit can delete topics and their records
# without a progress write, so the catalog version is part of what a copy depends on.
StateKey = tuple[int, int]

KNOWN = frozenset(status.value for status in KNOWN_STATUSES)
STARTED = ProgressStatus.IN_PROGRESS.value


def with_status(state: LearnerState, slug: str, status: str) -> LearnerState:
    """`state` with the record on `slug` at `status`: how a state is read from records
    (api/planning/service.py), applied to one record."""
    known = state.known - {slug}
    started = state.in_progress - {slug}
    if status in KNOWN:
        known |= {slug}
    elif status == STARTED:
        started |= {slug}
    return LearnerState(known=known, in_progress=started)


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

    def follow(self, change: ProgressChange, snapshot: CatalogSnapshot) -> None:
        """Move a learner's cached state along a committed change of one of their records.

        Only a copy taken at the version just before the change, under the current catalog,
        moves: every progress version is one record's change, so that copy plus this change is
        the state at the new version. Anything else (a change made by another process in
        between, a catalog edit) is left alone, and the next read finds it stale.
        """
        with self._lock:
            found = self._states.get(change.learner_id)
            if found is None:
                return
            (version, catalog_version), state = found
            if version != change.progress_version - 1 or catalog_version != snapshot.version:
                return
            if change.topic_slug in snapshot.topics:  # else the planner cannot use it yet
                state = with_status(state, change.topic_slug, str(change.new["status"]))
            self._states[change.learner_id] = ((change.progress_version, catalog_version), state)
