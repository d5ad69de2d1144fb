"""Progress record and history queries."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Area, ChangeSource, Learner, Progress, ProgressEvent, ProgressStatus, Topic
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
_LOOKUP = Prepared(
    select(Topic.id, Progress.id, *_RECORD_COLUMNS)
    .select_from(Topic)
    .outerjoin(
        Progress,
        and_(Progress.topic_id == Topic.id, Progress.learner_id == bindparam("learner_id")),
    )
    .where(Topic.slug == bindparam("slug"))
)
_LOCK = select(*_RECORD_COLUMNS).where(Progress.id == bindparam("progress_id")).with_for_update()
_INSERT = insert(Progress)
_UPDATE = Prepared(
    update(Progress)
    .where(Progress.id == bindparam("progress_id"), Progress.version == bindparam("expected"))
    .values(
        **bound(
            "status",
            "mastery",
            "hours_spent",
            "notes",
            "level",
            "level_source",
            "updated_at",
            "version",
        )
    )
)
_INSERT_EVENT = Prepared(
    insert(ProgressEvent).values(
        **bound(
            "learner_id", "topic_slug", "actor_id", "version", "occurred_at", "old", "new", "source"
        )
    )
)
_BUMP_PROGRESS_VERSION = Prepared(
    update(Learner)
    .where(Learner.id == bindparam("learner_id"))
    .values(progress_version=Learner.progress_version + 1)
)
PROGRESS_VERSION = Prepared(
    select(Learner.progress_version).where(Learner.id == bindparam("learner_id"))
)


def _record_state(topic_id: int, progress_id: int | None, row: Sequence[Any]) -> RecordState:
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
        return RecordState(topic_id, None, 0, None, None)
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
    )


# The write path's functions take a Connection: progress writes run without a Session.


def lookup(connection: Connection, *, learner_id: int, topic_slug: str) -> RecordState | None:
    """The topic and the learner's record on it; None when there is no such topic."""
    row = _LOOKUP.first(connection, {"learner_id": learner_id, "slug": topic_slug})
    if row is None:
        return None
    return _record_state(row[0], row[1], row[2:])


def lock_record(connection: Connection, state: RecordState) -> RecordState:
    """`state`'s record re-read under a row lock held until the transaction ends, so concurrent
    writers of one record queue instead of racing. On SQLite, a writing transaction holds the
    database's write lock from its start (BEGIN IMMEDIATE), so `state` was read under it."""
    if connection.dialect.name == "sqlite":
        return state
    row = connection.execute(_LOCK, {"progress_id": state.progress_id}).one()
    return _record_state(state.topic_id, state.progress_id, row)


def insert_record(
    connection: Connection,
    *,
    learner_id: int,
    topic_id: int,
    values: dict[str, Any],
    at: datetime,
) -> bool:
    """Create the record at version 1; False when a concurrent write created it first."""
    try:
        with connection.begin_nested():
            connection.execute(
                _INSERT,
                {
                    "learner_id": learner_id,
                    "topic_id": topic_id,
                    **values,
                    "updated_at": at,
                    "version": 1,
                },
            )
    except IntegrityError:
        return False
    return True


def update_record(
    connection: Connection, *, state: RecordState, values: dict[str, Any], at: datetime
) -> bool:
    """Replace the record's values if it is still at `state`'s version (False otherwise)."""
    changed = _UPDATE.run(
        connection,
        {
            "progress_id": state.progress_id,
            "expected": state.version,
            **values,
            "updated_at": at,
            "version": state.version + 1,
        },
    )
    return changed == 1


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


def progress_version(session: Session, learner_id: int) -> int | None:
    """The learner's progress version; None when there is no such learner."""
    row = PROGRESS_VERSION.first(session.connection(), {"learner_id": learner_id})
    return None if row is None else int(row[0])


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
) -> None:
    """Append one change to the record's history and bump the learner's progress version."""
    _INSERT_EVENT.run(
        connection,
        {
            "learner_id": learner_id,
            "topic_slug": topic_slug,
            "actor_id": learner_id,
            "version": version,
            "occurred_at": at,
            "old": old,
            "new": new,
            "source": source,
        },
    )
    _BUMP_PROGRESS_VERSION.run(connection, {"learner_id": learner_id})


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


# The planner reads a learner's whole progress on every request: plain columns and no join
# (the snapshot maps topic ids to slugs) keep that cheap for learners with thousands of records.
_STATUS_BY_TOPIC = text(
    "SELECT topic_id, status, level FROM progress WHERE learner_id = :learner_id"
)


def status_by_topic_id(session: Session, learner_id: int) -> list[tuple[int, str, str | None]]:
    """(topic id, status value, level set or awarded) of every record of the learner."""
    rows = session.connection().execute(_STATUS_BY_TOPIC, {"learner_id": learner_id})
    return [(topic_id, status, level) for topic_id, status, level in rows]


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
