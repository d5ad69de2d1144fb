"""A process-wide cache of what the planner knows of each learner.

Reading a learner's progress costs a row per record (thousands for a learner far along); one
indexed read of the learner's progress version tells whether the cached copy is still current,
whichever process made the learner's last change. A progress write made by this process moves
the cached copy along with it (`follow`), so the learner's next read, the product's core loop,
finds it current without reading their records again. After a change made by another process,
the plan read's token check reads the records in the same statement
(`service.caller_with_state`, given `held_version`).
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from api.catalog.snapshot import CatalogSnapshot
from api.progress.repository import ProgressChange
from api.reviews import memory as review_memory
from models import KNOWN_STATUSES, ChangeSource, ProgressStatus
from planner import LearnerState
from planner.levels import Level
from planner.memory import Memory, Recall

DEFAULT_CAPACITY = 10_000

# (progress version, catalog version): a catalog edit can delete topics and their records
# without a progress write, so the catalog version is part of what a copy depends on.
StateKey = tuple[int, int]

# What `held_version` answers when no copy is held: no progress version is negative.
NO_VERSION = -1

KNOWN = frozenset(status.value for status in KNOWN_STATUSES)
STARTED = ProgressStatus.IN_PROGRESS.value


def _followable(change: ProgressChange) -> bool:
    """Whether a change moves only what `with_change` and `with_card` move: the learner's own
    write, that started a review schedule (its card comes with it) or left the reviews alone.
    A review or a check changes cards in ways only a read of them shows."""
    reviews_before = 0 if change.old is None else change.old.get("reviews") or 0
    reviews_left_alone = change.new.get("reviews", 0) == reviews_before
    return change.source is ChangeSource.SELF and (reviews_left_alone or change.card is not None)


def place_record(
    known: set[str],
    started: set[str],
    levels: dict[str, Level],
    *,
    slug: str,
    status: str,
    level: Level | None,
) -> None:
    """Put one record into a learner state being built: known (completed, skipped) or started
    by its status, and its own level, when it has one, overriding what the status implies."""
    known.discard(slug)
    started.discard(slug)
    levels.pop(slug, None)
    if status in KNOWN:
        known.add(slug)
    elif status == STARTED:
        started.add(slug)
    if level is not None:
        levels[slug] = level


def with_change(state: LearnerState, slug: str, new: dict[str, Any]) -> LearnerState:
    """`state` with the record on `slug` at the values `new` (as its history event shows them:
    `level_source` `status` means no level of its own)."""
    known, started, levels = set(state.known), set(state.in_progress), dict(state.levels)
    own_level = new.get("level") if new.get("level_source") != "status" else None
    place_record(
        known,
        started,
        levels,
        slug=slug,
        status=str(new["status"]),
        level=None if own_level is None else Level(own_level),
    )
    return LearnerState(known=known, in_progress=started, levels=levels)


Cards = tuple[tuple[str, dict[str, Any]], ...]


def with_card(cards: Cards, slug: str, card: dict[str, Any]) -> Cards:
    """`cards` (by slug) with the schedule on `slug` at `card`."""
    others = [(other, kept) for other, kept in cards if other != slug]
    return tuple(sorted([*others, (slug, card)], key=lambda entry: entry[0]))


@dataclass(frozen=True, slots=True)
class LearnerPlanning:
    """What the planner is told of a learner: their state, and the fsrs card of each topic
    with a review schedule (ordered by slug), from which their memory at any moment follows."""

    state: LearnerState
    cards: Cards = ()
    # The memory last asked for, by date and retention: a learner's memory is read on every
    # plan they ask for, and it stays the same across changes that move no card (`after`).
    _memory: dict[tuple[date, float], Memory] = field(
        default_factory=dict, compare=False, repr=False
    )

    def memory_at(self, as_of: datetime, *, retention: float) -> Memory:
        """The learner's memory on the UTC date of `as_of`.

        Retrievability counts whole days since the last review; taking it at the end of the
        date makes that the number of dates between, so the answer depends on the date only
        (and a review falls due in recommendations on the date of its `due_at`).
        """
        day = as_of.astimezone(UTC).date()
        kept = self._memory.get((day, retention))
        if kept is not None:
            return kept
        recalls = [_recall_on(day, slug, card) for slug, card in self.cards]
        memory = Memory(retention=retention, recalls=recalls)
        self._memory.clear()
        self._memory[(day, retention)] = memory
        return memory

    def after(
        self, slug: str, new: dict[str, Any], card: dict[str, Any] | None
    ) -> "LearnerPlanning":
        """This planning once the record on `slug` is at the values `new` (`with_change`) and
        the topic's schedule at `card` (None: as it was, and so is the memory). The memory
        last asked for carries over with only that topic's recall read anew."""
        state = with_change(self.state, slug, new)
        if card is None:
            return LearnerPlanning(state, self.cards, self._memory)
        carried = {
            (day, retention): Memory(
                retention=retention,
                recalls=[
                    *(recall for recall in memory.recalls if recall.slug != slug),
                    _recall_on(day, slug, card),
                ],
            )
            for (day, retention), memory in self._memory.items()
        }
        return LearnerPlanning(state, with_card(self.cards, slug, card), carried)


def _recall_on(day: date, slug: str, card: dict[str, Any]) -> Recall:
    """How well the topic `slug`, scheduled at `card`, is recalled at the end of `day` (UTC)."""
    chance, reviewed = review_memory.recall(card, at=datetime.combine(day, time.max, tzinfo=UTC))
    return Recall(slug, chance, days_since_review=(day - reviewed.date()).days)


class LearnerStates:
    """The most recently used learners' states, at most `capacity` of them."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._states: OrderedDict[int, tuple[StateKey, LearnerPlanning]] = OrderedDict()
        # Units of work may follow changes from a worker thread (a Database joined to a
        # test's transaction runs them on the thread pool).
        self._lock = threading.Lock()

    def get(self, learner_id: int, key: StateKey) -> LearnerPlanning | None:
        """The cached state if it was taken at `key`."""
        with self._lock:
            found = self._states.get(learner_id)
            if found is None or found[0] != key:
                return None
            self._states.move_to_end(learner_id)
            return found[1]

    def held_version(self, learner_id: int, catalog_version: int) -> int:
        """The progress version of the copy held of the learner under `catalog_version`; -1
        when none is held."""
        with self._lock:
            found = self._states.get(learner_id)
        if found is None or found[0][1] != catalog_version:
            return NO_VERSION
        return found[0][0]

    def put(self, learner_id: int, key: StateKey, state: LearnerPlanning) -> None:
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
            if not _followable(change):
                return
            if change.topic_slug in snapshot.topics:  # else the planner cannot use it yet
                state = state.after(change.topic_slug, change.new, change.card)
            self._states[change.learner_id] = ((change.progress_version, catalog_version), state)
