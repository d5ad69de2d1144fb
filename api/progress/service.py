"""Learners' progress records, their history, and summaries of them."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.auth.repository import learner_by_id
from api.catalog.snapshot import CatalogSnapshot
from api.errors import NotFound, PreconditionFailed, Unauthorized
from api.progress import repository
from api.progress.etags import if_match_allows
from api.progress.schemas import (
    AreaProgress,
    ProgressEventRead,
    ProgressRead,
    ProgressSummary,
    ProgressValues,
    ProgressWrite,
    StatusCounts,
)
from models import KNOWN_STATUSES, Progress, ProgressEvent, ProgressStatus
from models.types import utc_now


@dataclass(frozen=True, slots=True)
class SavedProgress:
    """The record after a write, and whether the write created it."""

    record: Progress
    created: bool


def progress_read(progress: Progress, topic_slug: str) -> ProgressRead:
    """The API shape of a record."""
    return ProgressRead(
        topic=topic_slug,
        status=progress.status,
        mastery=progress.mastery,
        hours_spent=progress.hours_spent,
        notes=progress.notes,
        updated_at=progress.updated_at,
        version=progress.version,
    )


def _values(progress: Progress) -> dict[str, object]:
    return ProgressValues.model_validate(progress, from_attributes=True).model_dump(mode="json")


def _topic_id(session: Session, slug: str) -> int:
    topic_id = repository.topic_id(session, slug)
    if topic_id is None:
        raise NotFound(f"No topic with slug '{slug}'.")
    return topic_id


def save_progress(
    session: Session,
    *,
    learner_id: int,
    topic_slug: str,
    body: ProgressWrite,
    if_match: str | None,
) -> SavedProgress:
    """Create or replace the learner's record on a topic, recording the change in its history.

    With `if_match`, the write happens only if the record's current ETag is listed (412
    otherwise). A write that changes nothing leaves the version and the history as they are.
    """
    topic_id = _topic_id(session, topic_slug)
    # Lock the learner's row: the learner's writes queue here, so two of them can neither
    # both create the record nor both pass the If-Match check against the same version.
    if learner_by_id(session, learner_id, for_update=True) is None:
        raise Unauthorized("Invalid or expired bearer token.")
    current = repository.record(session, learner_id=learner_id, topic_id=topic_id)
    if if_match is not None and not if_match_allows(if_match, current):
        raise PreconditionFailed(
            "The record changed since you read it (or does not exist yet); "
            "read it again and retry with its current ETag."
        )
    new_values = body.model_dump(mode="json")
    if current is not None and _values(current) == new_values:
        return SavedProgress(record=current, created=False)

    old_values = None if current is None else _values(current)
    record = current or Progress(learner_id=learner_id, topic_id=topic_id, version=0)
    record.status = body.status
    record.mastery = body.mastery
    record.hours_spent = body.hours_spent
    record.notes = body.notes
    record.updated_at = utc_now()
    record.version += 1
    session.add(record)
    session.add(
        ProgressEvent(
            learner_id=learner_id,
            topic_slug=topic_slug,
            actor_id=learner_id,
            version=record.version,
            occurred_at=record.updated_at,
            old=old_values,
            new=new_values,
        )
    )
    session.flush()
    return SavedProgress(record=record, created=current is None)


def get_progress(session: Session, *, learner_id: int, topic_slug: str) -> Progress:
    """The learner's record on a topic; NotFound when the topic or the record is missing."""
    topic_id = _topic_id(session, topic_slug)
    record = repository.record(session, learner_id=learner_id, topic_id=topic_id)
    if record is None:
        raise NotFound(f"No progress recorded on '{topic_slug}' yet.")
    return record


def history(
    session: Session, *, learner_id: int, topic_slug: str, limit: int, offset: int
) -> tuple[list[ProgressEventRead], int]:
    """A page of the record's history, oldest first. It outlives the topic's deletion."""
    events, total = repository.events_page(
        session, learner_id=learner_id, topic_slug=topic_slug, limit=limit, offset=offset
    )
    if total == 0 and repository.topic_id(session, topic_slug) is None:
        raise NotFound(f"No topic with slug '{topic_slug}' and no history for it.")
    return [ProgressEventRead.model_validate(e, from_attributes=True) for e in events], total


def summary(session: Session, *, learner_id: int, snapshot: CatalogSnapshot) -> ProgressSummary:
    """Per area and overall: topics per status, the share known, and the hours spent."""
    records = {
        slug: (status, hours) for slug, status, hours in repository.statuses(session, learner_id)
    }
    areas = [
        _area_progress(
            area["slug"],
            area["title"],
            [entry.slug for entry in snapshot.topics.values() if entry.area == area["slug"]],
            records,
        )
        for area in snapshot.areas
    ]
    overall = _area_progress("all", "All areas", list(snapshot.topics), records)
    return ProgressSummary(areas=areas, overall=overall)


def _area_progress(
    slug: str,
    title: str,
    topics: list[str],
    records: dict[str, tuple[ProgressStatus, float]],
) -> AreaProgress:
    counts = dict.fromkeys(ProgressStatus, 0)
    hours = 0.0
    for topic in topics:
        status, spent = records.get(topic, (ProgressStatus.NOT_STARTED, 0.0))
        counts[status] += 1
        hours += spent
    known = sum(counts[status] for status in KNOWN_STATUSES)
    return AreaProgress(
        area=slug,
        title=title,
        topics=len(topics),
        counts=StatusCounts(**{status.value: n for status, n in counts.items()}),
        known_share=round(known / len(topics), 4) if topics else 0.0,
        hours_spent=round(hours, 2),
    )
