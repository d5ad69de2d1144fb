"""Spaced review: schedules start when a topic is learned, move with each rated review, and
say when a topic is due (DESIGN.md §7)."""

from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from api.errors import Conflict, NotFound
from api.progress import repository as progress
from api.reviews import memory, repository
from api.reviews.repository import Review, Schedule, ScheduleRow
from api.reviews.schemas import ReviewRead
from api.topics.schemas import TopicSummary
from models import ChangeSource, ReviewRating
from planner.levels import Level, effective_level

# Completing a topic or being awarded a level counts as its first review, rated `good`.
FIRST_RATING = ReviewRating.GOOD


def first_schedule(
    *, topic_id: int, at: datetime, retention: float, source: ChangeSource
) -> Review:
    """The schedule a topic starts with when it is learned at `at` (completed, or a level
    awarded by a check): that counts as its first review, rated `good`."""
    remembered = memory.first_review(
        card_id=topic_id, rating=FIRST_RATING, at=at, retention=retention
    )
    schedule = Schedule(remembered.card, remembered.due_at, reviews=1, last_reviewed_at=at)
    return Review(schedule, FIRST_RATING, source)


def schedule_awarded_level(
    connection: Connection,
    *,
    learner_id: int,
    topic_slug: str,
    at: datetime,
    retention: float,
) -> bool:
    """Start the topic's schedule when a check awarded a level (called in the check's
    transaction, after the record is written): the check is the first review, rated `good`.
    An existing schedule is left as it is. True when one started.

    It writes the record's `reviews` and `last_reviewed_at` but not its version or history:
    the check's own change to the record carries those.
    """
    state = progress.lookup(connection, learner_id=learner_id, topic_slug=topic_slug)
    if state is None or state.progress_id is None:
        return False  # the check's own write refuses an unknown topic first
    if state.scheduled:
        return False
    started = first_schedule(
        topic_id=state.topic_id, at=at, retention=retention, source=ChangeSource.CHECK
    )
    repository.save_review(
        connection,
        learner_id=learner_id,
        topic_id=state.topic_id,
        topic_slug=topic_slug,
        review=started,
        first=True,
    )
    repository.set_record_reviews(
        connection, learner_id=learner_id, topic_id=state.topic_id, reviews=1, last_reviewed_at=at
    )
    # The planner's view of the learner (retrievabilities) changed, with or without a change
    # of the record's level.
    repository.bump_progress_version(connection, learner_id)
    return True


def review_topic(
    connection: Connection,
    *,
    learner_id: int,
    topic_slug: str,
    rating: ReviewRating,
    at: datetime,
    retention: float,
) -> ReviewRead:
    """Record a review of a topic the learner knows at some level, rated `rating`, at `at`:
    the schedule starts or moves on, and the record's review count, last review and version
    move with a history event of source `review`."""
    state = progress.lookup(connection, learner_id=learner_id, topic_slug=topic_slug)
    if state is None:
        raise NotFound(f"No topic with slug '{topic_slug}'.")
    if state.progress_id is None:
        raise Conflict(f"You have no record on '{topic_slug}' to review; record progress first.")
    state = progress.lock_record(connection, state)
    assert state.values is not None
    chosen = state.values["level"]
    if effective_level(state.values["status"], None if chosen is None else Level(chosen)) is None:
        raise Conflict(
            f"You have not started '{topic_slug}', so there is nothing to review yet; "
            "a review needs at least the level aware."
        )
    existing = repository.schedule_of(connection, learner_id=learner_id, topic_id=state.topic_id)
    if existing is None:
        remembered = memory.first_review(
            card_id=state.topic_id, rating=rating, at=at, retention=retention
        )
    else:
        remembered = memory.review(existing.card, rating, at=at, retention=retention)
    reviews = 1 if existing is None else existing.reviews + 1
    schedule = Schedule(remembered.card, remembered.due_at, reviews=reviews, last_reviewed_at=at)
    repository.save_review(
        connection,
        learner_id=learner_id,
        topic_id=state.topic_id,
        topic_slug=topic_slug,
        review=Review(schedule, rating, ChangeSource.REVIEW),
        first=existing is None,
    )
    # The record is locked, so its version cannot have moved since it was read.
    moved = repository.set_record_reviews(
        connection,
        learner_id=learner_id,
        topic_id=state.topic_id,
        reviews=reviews,
        last_reviewed_at=at,
        moves_version_from=state.version,
    )
    assert moved, "a locked record's version moved"
    progress.add_event(
        connection,
        learner_id=learner_id,
        topic_slug=topic_slug,
        version=state.version + 1,
        at=at,
        old={**state.values, **state.review_values()},
        new={**state.values, **progress.review_values(reviews, at)},
        source=ChangeSource.REVIEW,
    )
    return review_read(
        repository.schedule_row(connection, learner_id=learner_id, topic_id=state.topic_id),
        as_of=at,
    )


def review_read(row: ScheduleRow, *, as_of: datetime) -> ReviewRead:
    """The API shape of a schedule, with the retrievability at `as_of`."""
    return ReviewRead(
        topic=TopicSummary.model_validate(row.topic),
        due_at=row.schedule.due_at,
        retrievability=memory.retrievability(row.schedule.card, at=as_of),
        level=None if row.status is None else effective_level(row.status, row.level),
        reviews=row.schedule.reviews,
    )


def list_reviews(
    session: Session,
    *,
    learner_id: int,
    as_of: datetime,
    due: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[ReviewRead], int]:
    """A page of the learner's schedules by due date: all, or only those due (`due=True`) or
    not yet due (`due=False`) at `as_of`. A schedule is due once its retrievability at
    `as_of` is below the retention, which is exactly when `as_of` reaches its `due_at`."""
    rows, total = repository.schedules_page(
        session,
        learner_id=learner_id,
        due_by=as_of if due is True else None,
        later_than=as_of if due is False else None,
        limit=limit,
        offset=offset,
    )
    return [review_read(row, as_of=as_of) for row in rows], total
