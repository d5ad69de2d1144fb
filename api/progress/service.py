"""Learners' progress records, their history, and summaries of them."""

from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from api.catalog.snapshot import CatalogSnapshot
from api.errors import Conflict, NotFound, PreconditionFailed
from api.progress import repository
from api.progress.etags import if_match_allows
from api.progress.schemas import (
    AreaProgress,
    ProgressEventRead,
    ProgressRead,
    ProgressSummary,
    ProgressWrite,
    StatusCounts,
)
from models import KNOWN_STATUSES, Progress, ProgressStatus
from models.types import utc_now


@dataclass(frozen=True, slots=True)
class SavedProgress:
    """The record after a write, and whether the write created it."""

    record: ProgressRead
    created: bool


# A write goes round again when a concurrent write created the record between its read and
# its insert; more than a few rounds means something keeps deleting and creating it.
MAX_WRITE_ATTEMPTS = 3


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


def _state_read(state: repository.RecordState, topic_slug: str) -> ProgressRead:
    assert state.values is not None
    assert state.updated_at is not None
    return ProgressRead(
        topic=topic_slug, **state.values, updated_at=state.updated_at, version=state.version
    )


def _lookup(
    connection: Connection, *, learner_id: int, topic_slug: str, for_update: bool = False
) -> repository.RecordState:
    state = repository.lookup(
        connection, learner_id=learner_id, topic_slug=topic_slug, for_update=for_update
    )
    if state is None:
        raise NotFound(f"No topic with slug '{topic_slug}'.")
    return state


def save_progress(
    connection: Connection,
    *,
    learner_id: int,
    topic_slug: str,
    body: ProgressWrite,
    if_match: str | None,
) -> SavedProgress:
    """Create or replace the learner's record on a topic, recording the change in its history.

    With `if_match`, the write happens only if the record's current ETag is listed (412
    otherwise). A write that changes nothing leaves the version and the history as they are.
    An existing record is locked before it is compared, so writers of one record take turns;
    the UPDATE still names the version it read. Two writers creating the same record race on
    the unique constraint, and the loser goes round again as an update; none is lost.
    """
    new = body.model_dump(mode="json")
    for _attempt in range(MAX_WRITE_ATTEMPTS):
        state = _lookup(connection, learner_id=learner_id, topic_slug=topic_slug, for_update=True)
        exists = state.progress_id is not None
        if exists:
            state = repository.lock_record(connection, state)
        if if_match is not None and not if_match_allows(
            if_match, state.version if exists else None
        ):
            raise PreconditionFailed(
                "The record changed since you read it (or does not exist yet); "
                "read it again and retry with its current ETag."
            )
        if exists and state.values == new:
            return SavedProgress(record=_state_read(state, topic_slug), created=False)
        now = utc_now()
        if exists:
            written = repository.update_record(connection, state=state, values=new, at=now)
        else:
            written = repository.insert_record(
                connection, learner_id=learner_id, topic_id=state.topic_id, values=new, at=now
            )
        if written:
            version = state.version + 1
            repository.add_event(
                connection,
                learner_id=learner_id,
                topic_slug=topic_slug,
                version=version,
                at=now,
                old=state.values,
                new=new,
            )
            record = ProgressRead(topic=topic_slug, **new, updated_at=now, version=version)
            return SavedProgress(record=record, created=not exists)
    raise Conflict("The record keeps changing under concurrent writes; try again.")


def get_progress(session: Session, *, learner_id: int, topic_slug: str) -> ProgressRead:
    """The learner's record on a topic; NotFound when the topic or the record is missing."""
    state = _lookup(session.connection(), learner_id=learner_id, topic_slug=topic_slug)
    if state.progress_id is None:
        raise NotFound(f"No progress recorded on '{topic_slug}' yet.")
    return _state_read(state, topic_slug)


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
