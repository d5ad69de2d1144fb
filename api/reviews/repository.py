"""Review schedule and review log queries."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from models import (
    Area,
    ChangeSource,
    Learner,
    Progress,
    ReviewLogEntry,
    ReviewRating,
    ReviewSchedule,
    Topic,
)
from models.prepared import Prepared, bound
from planner.levels import Level


@dataclass(frozen=True, slots=True)
class Schedule:
    """A learner's schedule on one topic."""

    card: dict[str, Any]
    due_at: datetime
    reviews: int
    last_reviewed_at: datetime


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """A schedule with its topic's summary and the learner's record on it, for listing."""

    topic: dict[str, Any]
    schedule: Schedule
    status: str | None
    level: Level | None


# The write path's functions take a Connection, like the progress write they join. A schedule
# starts in the write of a completion, so its statements are Prepared (models/prepared.py).

_SCHEDULE_OF = Prepared(
    select(
        ReviewSchedule.card,
        ReviewSchedule.due_at,
        ReviewSchedule.reviews,
        ReviewSchedule.last_reviewed_at,
    ).where(
        ReviewSchedule.learner_id == bindparam("learner_id"),
        ReviewSchedule.topic_id == bindparam("topic_id"),
    )
)
_SCHEDULE_VALUES = ("card", "due_at", "reviews", "last_reviewed_at")
_INSERT_SCHEDULE = Prepared(
    insert(ReviewSchedule).values(**bound("learner_id", "topic_id", *_SCHEDULE_VALUES))
)
_UPDATE_SCHEDULE = Prepared(
    update(ReviewSchedule)
    .where(
        ReviewSchedule.learner_id == bindparam("learner_id"),
        ReviewSchedule.topic_id == bindparam("topic_id"),
    )
    .values(**bound(*_SCHEDULE_VALUES))
)
_INSERT_LOG_ENTRY = Prepared(
    insert(ReviewLogEntry).values(
        **bound("learner_id", "topic_slug", "rating", "source", "reviewed_at", "due_at")
    )
)


def schedule_of(connection: Connection, *, learner_id: int, topic_id: int) -> Schedule | None:
    """The learner's schedule on the topic, if there is one."""
    row = _SCHEDULE_OF.first(connection, {"learner_id": learner_id, "topic_id": topic_id})
    return None if row is None else Schedule(*row)


def _save_schedule(
    connection: Connection, *, learner_id: int, topic_id: int, schedule: Schedule, exists: bool
) -> None:
    """Create the schedule, or replace an existing one's state."""
    statement = _UPDATE_SCHEDULE if exists else _INSERT_SCHEDULE
    statement.run(
        connection,
        {
            "learner_id": learner_id,
            "topic_id": topic_id,
            "card": schedule.card,
            "due_at": schedule.due_at,
            "reviews": schedule.reviews,
            "last_reviewed_at": schedule.last_reviewed_at,
        },
    )


def _add_log_entry(
    connection: Connection,
    *,
    learner_id: int,
    topic_slug: str,
    rating: ReviewRating,
    source: ChangeSource,
    reviewed_at: datetime,
    due_at: datetime,
) -> None:
    """Append one review to the learner's review log."""
    _INSERT_LOG_ENTRY.run(
        connection,
        {
            "learner_id": learner_id,
            "topic_slug": topic_slug,
            "rating": rating,
            "source": source,
            "reviewed_at": reviewed_at,
            "due_at": due_at,
        },
    )


@dataclass(frozen=True, slots=True)
class Review:
    """A review of a topic: the schedule it leaves, how it was rated and what made it (a
    learner's rating, or the first review that a completion or a check's level starts)."""

    schedule: Schedule
    rating: ReviewRating
    source: ChangeSource


def save_review(
    connection: Connection,
    *,
    learner_id: int,
    topic_id: int,
    topic_slug: str,
    review: Review,
    first: bool,
) -> None:
    """Store the schedule a review leaves (`first`: it starts one) and log the review. The
    record's review fields are its writer's to set."""
    schedule = review.schedule
    _save_schedule(
        connection, learner_id=learner_id, topic_id=topic_id, schedule=schedule, exists=not first
    )
    _add_log_entry(
        connection,
        learner_id=learner_id,
        topic_slug=topic_slug,
        rating=review.rating,
        source=review.source,
        reviewed_at=schedule.last_reviewed_at,
        due_at=schedule.due_at,
    )


_RECORD_OF_TOPIC = update(Progress).where(
    Progress.learner_id == bindparam("learner_id"), Progress.topic_id == bindparam("topic_id")
)
_SET_RECORD_REVIEWS = Prepared(_RECORD_OF_TOPIC.values(**bound("reviews", "last_reviewed_at")))
_SET_RECORD_REVIEWS_AND_VERSION = Prepared(
    _RECORD_OF_TOPIC.where(Progress.version == bindparam("expected")).values(
        reviews=bindparam("reviews"),
        last_reviewed_at=bindparam("last_reviewed_at"),
        updated_at=bindparam("last_reviewed_at"),
        version=bindparam("version"),
    )
)


def set_record_reviews(
    connection: Connection,
    *,
    learner_id: int,
    topic_id: int,
    reviews: int,
    last_reviewed_at: datetime,
    moves_version_from: int | None = None,
) -> bool:
    """Write the record's review count and last review; with `moves_version_from`, the change
    also moves the record's version (only from that version: False when it moved already)."""
    params = {
        "learner_id": learner_id,
        "topic_id": topic_id,
        "reviews": reviews,
        "last_reviewed_at": last_reviewed_at,
    }
    if moves_version_from is None:
        return _SET_RECORD_REVIEWS.run(connection, params) == 1
    moved = {"expected": moves_version_from, "version": moves_version_from + 1}
    return _SET_RECORD_REVIEWS_AND_VERSION.run(connection, params | moved) == 1


def bump_progress_version(connection: Connection, learner_id: int) -> None:
    """Tell the processes' caches of the learner's planner state that it changed."""
    connection.execute(
        update(Learner)
        .where(Learner.id == learner_id)
        .values(progress_version=Learner.progress_version + 1)
    )


def _listing(learner_id: int) -> Select[Any]:
    return (
        select(
            Topic.slug,
            Topic.title,
            Area.slug,
            Topic.level,
            Topic.estimated_hours,
            ReviewSchedule.card,
            ReviewSchedule.due_at,
            ReviewSchedule.reviews,
            ReviewSchedule.last_reviewed_at,
            Progress.status,
            Progress.level,
        )
        .select_from(ReviewSchedule)
        .join(Topic, Topic.id == ReviewSchedule.topic_id)
        .join(Area, Area.id == Topic.area_id)
        .outerjoin(
            Progress,
            (Progress.learner_id == ReviewSchedule.learner_id)
            & (Progress.topic_id == ReviewSchedule.topic_id),
        )
        .where(ReviewSchedule.learner_id == learner_id)
    )


def _schedule_row(row: Any) -> ScheduleRow:
    slug, title, area, level, hours, card, due_at, reviews, last, status, chosen = row
    return ScheduleRow(
        topic={
            "slug": slug,
            "title": title,
            "area": area,
            "level": level,
            "estimated_hours": hours,
        },
        schedule=Schedule(card, due_at, reviews, last),
        status=None if status is None else str(status),
        level=None if chosen is None else Level(chosen),
    )


def schedules_page(
    session: Session,
    *,
    learner_id: int,
    due_by: datetime | None,
    later_than: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[ScheduleRow], int]:
    """One page of a learner's schedules by due date (then topic slug), and how many match:
    those due by `due_by`, or due later than `later_than`, when given."""
    query = _listing(learner_id)
    if due_by is not None:
        query = query.where(ReviewSchedule.due_at <= due_by)
    if later_than is not None:
        query = query.where(ReviewSchedule.due_at > later_than)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(ReviewSchedule.due_at, Topic.slug).limit(limit).offset(offset)
    )
    return [_schedule_row(row) for row in rows], total


def schedule_row(connection: Connection, *, learner_id: int, topic_id: int) -> ScheduleRow:
    """The learner's schedule on one topic, as a listing shows it."""
    row = connection.execute(_listing(learner_id).where(ReviewSchedule.topic_id == topic_id)).one()
    return _schedule_row(row)


def reviews_for_export(session: Session, learner_id: int) -> list[dict[str, Any]]:
    """A learner's spaced review, as JSON-ready dicts, for the export of their data: one entry
    per topic (by slug) with its schedule (the fsrs card included; null fields once the topic
    is deleted) and its review log, oldest first. The log keeps the topic's slug, so it
    outlives the topic, like history."""
    schedules = {
        slug: {
            "due_at": due_at.isoformat(),
            "reviews": reviews,
            "last_reviewed_at": last.isoformat(),
            "card": card,
        }
        for slug, due_at, reviews, last, card in session.execute(
            select(
                Topic.slug,
                ReviewSchedule.due_at,
                ReviewSchedule.reviews,
                ReviewSchedule.last_reviewed_at,
                ReviewSchedule.card,
            )
            .join(Topic, Topic.id == ReviewSchedule.topic_id)
            .where(ReviewSchedule.learner_id == learner_id)
        )
    }
    logs: dict[str, list[dict[str, Any]]] = {}
    for slug, rating, source, reviewed_at, due_at in session.execute(
        select(
            ReviewLogEntry.topic_slug,
            ReviewLogEntry.rating,
            ReviewLogEntry.source,
            ReviewLogEntry.reviewed_at,
            ReviewLogEntry.due_at,
        )
        .where(ReviewLogEntry.learner_id == learner_id)
        .order_by(ReviewLogEntry.id)
    ):
        logs.setdefault(slug, []).append(
            {
                "rating": ReviewRating(rating).value,
                "source": ChangeSource(source).value,
                "reviewed_at": reviewed_at.isoformat(),
                "due_at": due_at.isoformat(),
            }
        )
    no_schedule = dict.fromkeys(("due_at", "reviews", "last_reviewed_at", "card"))
    return [
        {"topic": slug, **schedules.get(slug, no_schedule), "log": logs.get(slug, [])}
        for slug in sorted(schedules.keys() | logs.keys())
    ]
