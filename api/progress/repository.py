"""Progress record and history queries."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    and_,
    bindparam,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from api.reviews.repository import Review, save_review
from models import (
    Area,
    ChangeSource,
    Learner,
    Progress,
    ProgressEvent,
    ProgressStatus,
    ReviewSchedule,
    Topic,
)
from models.prepared import Prepared, bound
from planner.levels import Level


def topic_id(session: Session, slug: str) -> int | None:
    return session.scalar(select(Topic.id).where(Topic.slug == slug))


@dataclass(frozen=True, slots=True)
class RecordState:
    """A topic and the learner's record on it, if there is one."""

    topic_id: int
    progress_id: int | None
    version: int
    values: dict[str, Any] | None
    updated_at: datetime | None
    # Kept beside `values` (what a PUT writes): the spaced-review fields only reviews write.
    reviews: int = 0
    last_reviewed_at: datetime | None = None
    # Whether the learner has a review schedule on the topic.
    scheduled: bool = False

    def review_values(self) -> dict[str, Any]:
        """The record's spaced-review fields, as a history event holds them."""
        return review_values(self.reviews, self.last_reviewed_at)


def review_values(reviews: int, last_reviewed_at: datetime | None) -> dict[str, Any]:
    """Spaced-review fields as a history event holds them (JSON)."""
    at = None if last_reviewed_at is None else last_reviewed_at.isoformat()
    return {"reviews": reviews, "last_reviewed_at": at}


# The write path's statements are built once; building them costs more than running them.
_RECORD_COLUMNS = (
    Progress.version,
    Progress.status,
    Progress.mastery,
    Progress.hours_spent,
    Progress.notes,
    Progress.updated_at,
    Progress.level,
    Progress.level_source,
    Progress.reviews,
    Progress.last_reviewed_at,
)
RECORD_COLUMN_NAMES = tuple(column.key for column in _RECORD_COLUMNS)
# Every progress write runs these three; they run as Prepared statements (models/prepared.py).
_SCHEDULED = (
    exists()
    .where(
        ReviewSchedule.learner_id == bindparam("learner_id"),
        ReviewSchedule.topic_id == Topic.id,
    )
    .label("scheduled")
)
_LOOKUP = Prepared(
    select(Topic.id, Progress.id, *_RECORD_COLUMNS, _SCHEDULED)
    .select_from(Topic)
    .outerjoin(
        Progress,
        and_(Progress.topic_id == Topic.id, Progress.learner_id == bindparam("learner_id")),
    )
    .where(Topic.slug == bindparam("slug"))
)
_LOCK = select(*_RECORD_COLUMNS).where(Progress.id == bindparam("progress_id")).with_for_update()
_WRITTEN_COLUMNS = (
    "status",
    "mastery",
    "hours_spent",
    "notes",
    "level",
    "level_source",
    "reviews",
    "last_reviewed_at",
    "updated_at",
    "version",
)
_INSERT = Prepared(insert(Progress).values(**bound("learner_id", "topic_id", *_WRITTEN_COLUMNS)))
# On PostgreSQL a writer that finds no record races others on creating it: the losers' INSERT
# does nothing (no error, which would end the transaction) and they go round again.
_INSERT_UNLESS_CREATED = Prepared(
    postgresql.insert(Progress)
    .values(**bound("learner_id", "topic_id", *_WRITTEN_COLUMNS))
    .on_conflict_do_nothing(index_elements=[Progress.learner_id, Progress.topic_id])
)
_UPDATE = Prepared(
    update(Progress)
    .where(Progress.id == bindparam("progress_id"), Progress.version == bindparam("expected"))
    .values(**bound(*_WRITTEN_COLUMNS))
)
_EVENT_COLUMNS = bound(
    "learner_id", "topic_slug", "actor_id", "version", "occurred_at", "old", "new", "source"
)
_INSERT_EVENT = Prepared(insert(ProgressEvent).values(**_EVENT_COLUMNS))
_BUMP = (
    update(Learner)
    .where(Learner.id == bindparam("learner_id"))
    .values(progress_version=Learner.progress_version + 1)
    .returning(Learner.progress_version)
)
_BUMP_PROGRESS_VERSION = Prepared(_BUMP)
# Both in one statement where the database allows data-modifying CTEs (PostgreSQL): one round
# trip fewer per write.
_INSERT_EVENT_AND_BUMP = Prepared(
    _BUMP.add_cte(insert(ProgressEvent).values(**_EVENT_COLUMNS).cte("event"))
)


def record_state(
    topic_id: int,
    progress_id: int | None,
    row: Sequence[Any],
    *,
    schedule_exists: bool = False,
) -> RecordState:
    """A record's state from its columns (`_RECORD_COLUMNS`). It counts as scheduled when a
    schedule was seen or the record has reviews: every start of a schedule sets the record's
    reviews in the same transaction. The reviews are what tell a locked read on PostgreSQL:
    a read that waited for the lock gets the record as its last writer left it, but a
    schedule seen before the wait (`lock_record`), or by the rest of the statement
    (api/progress/one_statement.py), as things were before that writer committed."""
    (
        version,
        status,
        mastery,
        hours,
        notes,
        updated_at,
        level,
        level_source,
        reviews,
        last_reviewed_at,
    ) = row
    if progress_id is None:
        return RecordState(topic_id, None, 0, None, None, scheduled=schedule_exists)
    values = {
        "status": ProgressStatus(status).value,
        "mastery": mastery,
        "hours_spent": hours,
        "notes": notes,
        # The level set or awarded (not the effective one) and who set it; both null together.
        "level": None if level is None else Level(level).value,
        "level_source": None if level_source is None else ChangeSource(level_source).value,
    }
    return RecordState(
        topic_id,
        progress_id,
        version,
        values,
        updated_at,
        reviews=reviews,
        last_reviewed_at=last_reviewed_at,
        scheduled=schedule_exists or reviews > 0,
    )


# The write path's functions take a Connection: progress writes run without a Session.


def lookup(connection: Connection, *, learner_id: int, topic_slug: str) -> RecordState | None:
    """The topic and the learner's record on it; None when there is no such topic."""
    params = {"learner_id": learner_id, "slug": topic_slug}
    row = _LOOKUP.first(connection, params)
    if row is None:
        return None
    topic_id, progress_id, *record, scheduled = row
    return record_state(topic_id, progress_id, record, schedule_exists=bool(scheduled))


def lock_record(connection: Connection, state: RecordState) -> RecordState:
    """`state`'s record re-read under a row lock held until the transaction ends, so concurrent
    writers of one record queue instead of racing. On SQLite, a writing transaction holds the
    database's write lock from its start (BEGIN IMMEDIATE), so `state` was read under it."""
    if connection.dialect.name == "sqlite":
        return state
    row = connection.execute(_LOCK, {"progress_id": state.progress_id}).one()
    return record_state(state.topic_id, state.progress_id, row, schedule_exists=state.scheduled)


def insert_record(
    connection: Connection,
    *,
    learner_id: int,
    topic_id: int,
    values: dict[str, Any],
    at: datetime,
    reviews: int = 0,
    last_reviewed_at: datetime | None = None,
) -> bool:
    """Create the record at version 1; False when a concurrent write created it first.

    On SQLite none can: a writing transaction holds the database's write lock from its start.
    """
    params = {
        "learner_id": learner_id,
        "topic_id": topic_id,
        **values,
        "reviews": reviews,
        "last_reviewed_at": last_reviewed_at,
        "updated_at": at,
        "version": 1,
    }
    if connection.dialect.name == "postgresql":
        return _INSERT_UNLESS_CREATED.run(connection, params) == 1
    return _INSERT.run(connection, params) == 1


def update_record(
    connection: Connection,
    *,
    state: RecordState,
    values: dict[str, Any],
    at: datetime,
    reviews: int,
    last_reviewed_at: datetime | None,
) -> bool:
    """Replace the record's values, and its review fields, if it is still at `state`'s
    version (False otherwise)."""
    changed = _UPDATE.run(
        connection,
        {
            "progress_id": state.progress_id,
            "expected": state.version,
            **values,
            "reviews": reviews,
            "last_reviewed_at": last_reviewed_at,
            "updated_at": at,
            "version": state.version + 1,
        },
    )
    return changed == 1


@dataclass(frozen=True, slots=True)
class RecordChange:
    """A learner's own change of their record, as `write_change` writes it: the record at
    `values` (created when `state` has none, else replaced if still at its version) with its
    review fields, its history event (`old` and `new` as the event shows them), and the
    schedule it starts, if any."""

    learner_id: int
    topic_slug: str
    state: RecordState
    values: dict[str, Any]
    at: datetime
    reviews: int
    last_reviewed_at: datetime | None
    old: dict[str, Any] | None
    new: dict[str, Any]
    started: Review | None = None

    @property
    def card(self) -> dict[str, Any] | None:
        return None if self.started is None else self.started.schedule.card


def write_change(connection: Connection, change: RecordChange) -> bool:
    """Write `change` (a statement per part) and bump the learner's progress version; False,
    and nothing written, when a concurrent write got there first. PostgreSQL writes a PUT in
    one statement instead (api/progress/one_statement.py)."""
    state = change.state
    if state.progress_id is not None:
        written = update_record(
            connection,
            state=state,
            values=change.values,
            at=change.at,
            reviews=change.reviews,
            last_reviewed_at=change.last_reviewed_at,
        )
    else:
        written = insert_record(
            connection,
            learner_id=change.learner_id,
            topic_id=state.topic_id,
            values=change.values,
            at=change.at,
            reviews=change.reviews,
            last_reviewed_at=change.last_reviewed_at,
        )
    if not written:
        return False
    if change.started is not None:
        save_review(
            connection,
            learner_id=change.learner_id,
            topic_id=state.topic_id,
            topic_slug=change.topic_slug,
            review=change.started,
            first=True,
        )
    add_event(
        connection,
        learner_id=change.learner_id,
        topic_slug=change.topic_slug,
        version=state.version + 1,
        at=change.at,
        old=change.old,
        new=change.new,
        card=change.card,
    )
    return True


_LEVEL = select(Progress.level, Progress.level_source).where(
    Progress.id == bindparam("progress_id")
)
_SET_LEVEL = (
    update(Progress)
    .where(Progress.id == bindparam("progress_id"), Progress.version == bindparam("expected"))
    .values(**bound("status", "level", "level_source", "updated_at", "version"))
)


def record_level(
    connection: Connection, progress_id: int
) -> tuple[Level | None, ChangeSource | None]:
    """The level set on a record (by the learner or a check) and who set it."""
    level, source = connection.execute(_LEVEL, {"progress_id": progress_id}).one()
    return (
        None if level is None else Level(level),
        None if source is None else ChangeSource(source),
    )


def set_level(
    connection: Connection,
    *,
    state: RecordState,
    status: ProgressStatus,
    level: Level,
    source: ChangeSource,
    at: datetime,
) -> bool:
    """Set the record's status and level if it is still at `state`'s version (False otherwise)."""
    changed = connection.execute(
        _SET_LEVEL,
        {
            "progress_id": state.progress_id,
            "expected": state.version,
            "status": status,
            "level": level,
            "level_source": source,
            "updated_at": at,
            "version": state.version + 1,
        },
    ).rowcount
    return changed == 1


def add_event(
    connection: Connection,
    *,
    learner_id: int,
    topic_slug: str,
    version: int,
    at: datetime,
    old: dict[str, Any] | None,
    new: dict[str, Any],
    source: ChangeSource = ChangeSource.SELF,
    card: dict[str, Any] | None = None,
) -> None:
    """Append one change to the record's history and bump the learner's progress version.

    The change is also noted (`collect_progress_changes`), so that once the transaction
    commits, the process's cached planner state of the learner can follow it
    without reading their records again (api/planning/learner_states.py). `card` is the
    fsrs card of the review schedule the change started, if it started one."""
    event = {
        "learner_id": learner_id,
        "topic_slug": topic_slug,
        "actor_id": learner_id,
        "version": version,
        "occurred_at": at,
        "old": old,
        "new": new,
        "source": source,
    }
    if connection.dialect.name == "postgresql":
        bumped = _INSERT_EVENT_AND_BUMP.first(connection, event)
    else:
        _INSERT_EVENT.run(connection, event)
        bumped = _BUMP_PROGRESS_VERSION.first(connection, {"learner_id": learner_id})
    if bumped is not None:
        change = ProgressChange(learner_id, int(bumped[0]), topic_slug, old, new, source, card)
        note_progress_change(change)


@dataclass(frozen=True, slots=True)
class ProgressChange:
    """One committed-to-be change of a learner's record: their progress version after it, the
    record's values before (None: created) and after, as its history event shows them, what
    made it, and the card of the review schedule it started (if it started one)."""

    learner_id: int
    progress_version: int
    topic_slug: str
    old: dict[str, Any] | None
    new: dict[str, Any]
    source: ChangeSource
    card: dict[str, Any] | None = None


# The changes made by the unit of work running in this context (see `collect_progress_changes`).
_CHANGES: ContextVar[list[ProgressChange] | None] = ContextVar("progress_changes", default=None)


def note_progress_change(change: ProgressChange) -> None:
    found = _CHANGES.get()
    if found is not None:
        found.append(change)


@contextmanager
def collect_progress_changes() -> Iterator[list[ProgressChange]]:
    """The progress changes made inside the block (by `add_event`), in order."""
    changes: list[ProgressChange] = []
    token = _CHANGES.set(changes)
    try:
        yield changes
    finally:
        _CHANGES.reset(token)


def _records_query(
    learner_id: int, status: ProgressStatus | None, area: str | None
) -> Select[Progress, str]:
    query = (
        select(Progress, Topic.slug)
        .join(Topic, Topic.id == Progress.topic_id)
        .where(Progress.learner_id == learner_id)
    )
    if status is not None:
        query = query.where(Progress.status == status)
    if area is not None:
        query = query.join(Area, Area.id == Topic.area_id).where(Area.slug == area)
    return query


def records_page(
    session: Session,
    *,
    learner_id: int,
    status: ProgressStatus | None,
    area: str | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Progress, str]], int]:
    """One page of a learner's records with their topic slugs, newest change first, and the
    number of records matching."""
    query = _records_query(learner_id, status, area)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Progress.updated_at.desc(), Progress.id.desc()).limit(limit).offset(offset)
    )
    return [(progress, slug) for progress, slug in rows], total


# Built once: the planner asks for it on every recommendation, and building a statement
# costs more than running this one on SQLite.
_STATUSES = (
    select(Topic.slug, Progress.status, Progress.hours_spent, Progress.level)
    .join(Topic, Topic.id == Progress.topic_id)
    .where(Progress.learner_id == bindparam("learner_id"))
)


def statuses(
    session: Session, learner_id: int
) -> Sequence[tuple[str, ProgressStatus, float, Level | None]]:
    """(topic slug, status, hours spent, level set or awarded) of every record of the learner."""
    rows = session.connection().execute(_STATUSES, {"learner_id": learner_id})
    return [(slug, status, hours, level) for slug, status, hours, level in rows]


def events_page(
    session: Session, *, learner_id: int, topic_slug: str, limit: int, offset: int
) -> tuple[list[ProgressEvent], int]:
    """One page of a record's history, oldest first, and the number of events."""
    condition = (ProgressEvent.learner_id == learner_id, ProgressEvent.topic_slug == topic_slug)
    total = session.scalar(select(func.count(ProgressEvent.id)).where(*condition)) or 0
    events = session.scalars(
        select(ProgressEvent)
        .where(*condition)
        .order_by(ProgressEvent.id)
        .limit(limit)
        .offset(offset)
    )
    return list(events), total
