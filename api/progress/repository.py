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
    inspect,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import CTE

from api.reviews.repository import Review, save_review
from models import (
    Area,
    Base,
    ChangeSource,
    Learner,
    Progress,
    ProgressEvent,
    ProgressStatus,
    ReviewLogEntry,
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
    # Read under a row lock held until the transaction ends (`lookup(..., for_update=True)`).
    locked: bool = False
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
# The same, the record locked as it is read (PostgreSQL): one round trip instead of a lookup
# and a lock. The lock sits in a LATERAL subquery because PostgreSQL refuses FOR UPDATE on the
# nullable side of an outer join; a topic without a record still comes back.
_RECORD_FOR_UPDATE = (
    select(Progress.id.label("progress_id"), *_RECORD_COLUMNS)
    .where(Progress.topic_id == Topic.id, Progress.learner_id == bindparam("learner_id"))
    .with_for_update()
    .lateral("record")
)
_LOOKUP_FOR_UPDATE = Prepared(
    select(Topic.id, *_RECORD_FOR_UPDATE.c, _SCHEDULED)
    .select_from(Topic)
    .outerjoin(_RECORD_FOR_UPDATE, true())
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
_CREATE_RECORD = (
    postgresql.insert(Progress)
    .values(**bound("learner_id", "topic_id", *_WRITTEN_COLUMNS))
    .on_conflict_do_nothing(index_elements=[Progress.learner_id, Progress.topic_id])
)
_INSERT_UNLESS_CREATED = Prepared(_CREATE_RECORD)
_UPDATE_RECORD = (
    update(Progress)
    .where(Progress.id == bindparam("progress_id"), Progress.version == bindparam("expected"))
    .values(**bound(*_WRITTEN_COLUMNS))
)
_UPDATE = Prepared(_UPDATE_RECORD)
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

# A learner's change of their record in one statement (PostgreSQL): the record's write, its
# history event, the learner's progress version and, when the change starts a review
# schedule, the schedule and its first review in the log. The record is locked when it is
# read (`lookup(..., for_update=True)`), so the lock is held for this one round trip and the
# COMMIT, not for one round trip per statement. The other parts take their rows from the
# record's write: when it writes nothing (a concurrent creation won), nothing is written and
# no version comes back.
_EVENT_PARAMS = {name: name for name in _EVENT_COLUMNS}
_SCHEDULE_PARAMS = {
    "learner_id": "learner_id",
    "topic_id": "topic_id",
    "card": "schedule_card",
    "due_at": "schedule_due_at",
    "reviews": "reviews",
    "last_reviewed_at": "last_reviewed_at",
}
_LOG_PARAMS = {
    "learner_id": "learner_id",
    "topic_slug": "topic_slug",
    "rating": "log_rating",
    "source": "log_source",
    "reviewed_at": "last_reviewed_at",
    "due_at": "schedule_due_at",
}


def _from_record(record: CTE, model: type[Base], params: dict[str, str]) -> CTE:
    """INSERT INTO `model`'s table one row of bound values for each row `record` wrote."""
    table = inspect(model).local_table
    values = [bindparam(param, type_=table.c[column].type) for column, param in params.items()]
    rows = select(*values).select_from(record)
    return insert(model).from_select(list(params), rows).cte(f"{model.__tablename__}_row")


def _change_in_one_statement(record_write: Any, *, starts_schedule: bool) -> Prepared:
    record = record_write.returning(Progress.id).cte("record")
    parts = [record, _from_record(record, ProgressEvent, _EVENT_PARAMS)]
    if starts_schedule:
        parts.append(_from_record(record, ReviewSchedule, _SCHEDULE_PARAMS))
        parts.append(_from_record(record, ReviewLogEntry, _LOG_PARAMS))
    bump = (
        update(Learner)
        .where(Learner.id == bindparam("learner_id"), select(record.c.id).exists())
        .values(progress_version=Learner.progress_version + 1)
        .returning(Learner.progress_version)
    )
    for part in parts:
        bump = bump.add_cte(part)
    return Prepared(bump)


# By (whether the record exists, whether the change starts a schedule).
_CHANGES_IN_ONE_STATEMENT = {
    (exists_, starts): _change_in_one_statement(
        _UPDATE_RECORD if exists_ else _CREATE_RECORD, starts_schedule=starts
    )
    for exists_ in (True, False)
    for starts in (True, False)
}


def _record_state(
    topic_id: int,
    progress_id: int | None,
    row: Sequence[Any],
    *,
    locked: bool = False,
    schedule_exists: bool = False,
) -> RecordState:
    """A record's state from its columns (`_RECORD_COLUMNS`). It counts as scheduled when a
    schedule was seen or the record has reviews: every start of a schedule sets the record's
    reviews in the same transaction. The reviews are what tell a locked read on PostgreSQL:
    a lookup that waited for the lock reads the record as its last writer left it, but the
    rest of the statement (the EXISTS) as things were before that writer committed."""
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
        return RecordState(topic_id, None, 0, None, None, locked=locked, scheduled=schedule_exists)
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
        locked=locked,
        last_reviewed_at=last_reviewed_at,
        scheduled=schedule_exists or reviews > 0,
    )


# The write path's functions take a Connection: progress writes run without a Session.


def lookup(
    connection: Connection, *, learner_id: int, topic_slug: str, for_update: bool = False
) -> RecordState | None:
    """The topic and the learner's record on it; None when there is no such topic. With
    `for_update`, on PostgreSQL, the record is locked as it is read (see `lock_record`)."""
    params = {"learner_id": learner_id, "slug": topic_slug}
    locked = for_update and connection.dialect.name == "postgresql"
    row = (_LOOKUP_FOR_UPDATE if locked else _LOOKUP).first(connection, params)
    if row is None:
        return None
    topic_id, progress_id, *record, scheduled = row
    return _record_state(
        topic_id, progress_id, record, locked=locked, schedule_exists=bool(scheduled)
    )


def lock_record(connection: Connection, state: RecordState) -> RecordState:
    """`state`'s record re-read under a row lock held until the transaction ends, so concurrent
    writers of one record queue instead of racing. On SQLite, a writing transaction holds the
    database's write lock from its start (BEGIN IMMEDIATE), so `state` was read under it."""
    if connection.dialect.name == "sqlite" or state.locked:
        return state
    row = connection.execute(_LOCK, {"progress_id": state.progress_id}).one()
    return _record_state(state.topic_id, state.progress_id, row, schedule_exists=state.scheduled)


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
    """Write `change` and bump the learner's progress version; False, and nothing written,
    when a concurrent write got there first. One statement on PostgreSQL; on SQLite (one
    writer at a time) a statement per part."""
    if connection.dialect.name != "postgresql":
        return _write_change_in_parts(connection, change)
    state, started = change.state, change.started
    params: dict[str, Any] = {
        "learner_id": change.learner_id,
        "topic_id": state.topic_id,
        "progress_id": state.progress_id,
        "expected": state.version,
        **change.values,
        "reviews": change.reviews,
        "last_reviewed_at": change.last_reviewed_at,
        "updated_at": change.at,
        "version": state.version + 1,
        "topic_slug": change.topic_slug,
        "actor_id": change.learner_id,
        "occurred_at": change.at,
        "old": change.old,
        "new": change.new,
        "source": ChangeSource.SELF,
    }
    if started is not None:
        params |= {
            "schedule_card": started.schedule.card,
            "schedule_due_at": started.schedule.due_at,
            "log_rating": started.rating,
            "log_source": started.source,
        }
    statement = _CHANGES_IN_ONE_STATEMENT[(state.progress_id is not None, started is not None)]
    bumped = statement.first(connection, params)
    if bumped is None:
        return False
    note_progress_change(
        ProgressChange(
            change.learner_id,
            int(bumped[0]),
            change.topic_slug,
            change.old,
            change.new,
            ChangeSource.SELF,
            change.card,
        )
    )
    return True


def _write_change_in_parts(connection: Connection, change: RecordChange) -> bool:
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
