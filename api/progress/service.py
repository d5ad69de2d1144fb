"""Learners' progress records, their history, and summaries of them."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from api.catalog.snapshot import CatalogSnapshot
from api.errors import Conflict, NotFound, PreconditionFailed
from api.progress import repository
from api.progress.etags import if_match_allows
from api.progress.schemas import (
    AreaProgress,
    LevelSource,
    ProgressEventRead,
    ProgressEventValues,
    ProgressRead,
    ProgressSummary,
    ProgressWrite,
    StatusCounts,
)
from api.reviews import service as reviews_service
from models import ChangeSource, Progress, ProgressEvent, ProgressStatus
from models.types import utc_now
from planner.levels import Level, effective_level, is_known


@dataclass(frozen=True, slots=True)
class SavedProgress:
    """The record after a write, and whether the write created it."""

    record: ProgressRead
    created: bool


# A write goes round again when a concurrent write created the record between its read and
# its insert; more than a few rounds means something keeps deleting and creating it.
MAX_WRITE_ATTEMPTS = 3


def shown_values(values: dict[str, Any]) -> dict[str, Any]:
    """A record's stored values as a client sees them (in reads and in history events): the
    effective level in `level` and where it comes from in `level_source` (`status` when the
    status implies it)."""
    status = values["status"]
    chosen = values.get("level")
    level = effective_level(status, None if chosen is None else Level(chosen))
    source = values.get("level_source") if chosen is not None else None
    if level is not None and source is None:
        source = LevelSource.STATUS.value
    return {
        **values,
        "level": None if level is None else level.value,
        "level_source": source,
    }


def progress_read(progress: Progress, topic_slug: str) -> ProgressRead:
    """The API shape of a record."""
    values = {
        "status": progress.status,
        "mastery": progress.mastery,
        "hours_spent": progress.hours_spent,
        "notes": progress.notes,
        "level": progress.level,
        "level_source": progress.level_source,
    }
    return ProgressRead(
        topic=topic_slug,
        **shown_values(values),
        reviews=progress.reviews,
        last_reviewed_at=progress.last_reviewed_at,
        updated_at=progress.updated_at,
        version=progress.version,
    )


def _state_read(state: repository.RecordState, topic_slug: str) -> ProgressRead:
    assert state.values is not None
    assert state.updated_at is not None
    return ProgressRead(
        topic=topic_slug,
        **shown_values(state.values),
        reviews=state.reviews,
        last_reviewed_at=state.last_reviewed_at,
        updated_at=state.updated_at,
        version=state.version,
    )


def _written_values(body: ProgressWrite, current: dict[str, Any] | None) -> dict[str, Any]:
    """The values a write stores. A PUT replaces the record, `level` too: omitted or `null`,
    the record has no level of its own and its status implies one. Writing back the stored
    level keeps who set it (a check, say); any other level is the learner's own (`self`)."""
    new = body.model_dump(mode="json", exclude={"level"})
    wanted = None if body.level is None else body.level.value
    level, source = (None, None) if current is None else (current["level"], current["level_source"])
    if wanted != level:
        level = wanted
        source = None if wanted is None else ChangeSource.SELF.value
    return {**new, "level": level, "level_source": source}


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
    retention: float,
) -> SavedProgress:
    """Create or replace the learner's record on a topic, recording the change in its history.

    With `if_match`, the write happens only if the record's current ETag is listed (412
    otherwise). A write that changes nothing leaves the version and the history as they are.
    An existing record is locked before it is compared, so writers of one record take turns;
    the UPDATE still names the version it read. Two writers creating the same record race on
    the unique constraint, and the loser goes round again as an update; none is lost.
    A record that becomes `completed` starts the topic's review schedule (at `retention`).
    """
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
        new = _written_values(body, state.values)
        if exists and state.values == new:
            return SavedProgress(record=_state_read(state, topic_slug), created=False)
        now = utc_now()
        # Completing a topic without a schedule starts one: the record's review fields move
        # with the write, and the schedule is stored once the write has landed.
        started = None
        if _becomes_completed(state, new) and not state.scheduled:
            started = reviews_service.first_schedule(
                topic_id=state.topic_id, at=now, retention=retention, source=ChangeSource.SELF
            )
        reviews, last_reviewed_at = (
            (state.reviews, state.last_reviewed_at) if started is None else (1, now)
        )
        change = repository.RecordChange(
            learner_id=learner_id,
            topic_slug=topic_slug,
            state=state,
            values=new,
            at=now,
            reviews=reviews,
            last_reviewed_at=last_reviewed_at,
            old=None
            if state.values is None
            else {**shown_values(state.values), **state.review_values()},
            new={**shown_values(new), **repository.review_values(reviews, last_reviewed_at)},
            started=started,
        )
        if repository.write_change(connection, change):
            record = ProgressRead(
                topic=topic_slug,
                **shown_values(new),
                reviews=reviews,
                last_reviewed_at=last_reviewed_at,
                updated_at=now,
                version=state.version + 1,
            )
            return SavedProgress(record=record, created=not exists)
    raise Conflict("The record keeps changing under concurrent writes; try again.")


def _becomes_completed(state: repository.RecordState, new: dict[str, object]) -> bool:
    completed = ProgressStatus.COMPLETED.value
    return new["status"] == completed and (
        state.values is None or state.values["status"] != completed
    )


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
    return [_event_read(event) for event in events], total


def _event_read(event: ProgressEvent) -> ProgressEventRead:
    # Events written before levels existed hold no level: the status implied one then.
    return ProgressEventRead(
        version=event.version,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        old=None if event.old is None else ProgressEventValues(**_with_level(event.old)),
        new=ProgressEventValues(**_with_level(event.new)),
        source=event.source,
    )


def _with_level(values: dict[str, Any]) -> dict[str, Any]:
    """An event's values with the effective level. Events hold the level set on the record
    with its source (a check writes those), the effective one with source `status`, or, from
    before levels, none: without a level set, the status implied one."""
    if values.get("level_source") in (LevelSource.SELF.value, LevelSource.CHECK.value):
        return values
    return shown_values({**values, "level": None, "level_source": None})


def summary(session: Session, *, learner_id: int, snapshot: CatalogSnapshot) -> ProgressSummary:
    """Per area and overall: topics per status, the share known, and the hours spent."""
    records = {
        slug: (status, hours, is_known(effective_level(status, level)))
        for slug, status, hours, level in repository.statuses(session, learner_id)
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
    records: dict[str, tuple[ProgressStatus, float, bool]],
) -> AreaProgress:
    counts = dict.fromkeys(ProgressStatus, 0)
    hours = 0.0
    known = 0
    for topic in topics:
        status, spent, knows = records.get(topic, (ProgressStatus.NOT_STARTED, 0.0, False))
        counts[status] += 1
        hours += spent
        known += knows
    return AreaProgress(
        area=slug,
        title=title,
        topics=len(topics),
        counts=StatusCounts(**{status.value: n for status, n in counts.items()}),
        known_share=round(known / len(topics), 4) if topics else 0.0,
        hours_spent=round(hours, 2),
    )
