"""Learners' progress records, their history, and summaries of them."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from api.auth import revocation
from api.auth.security import INVALID_TOKEN, TokenClaims
from api.catalog.snapshot import CatalogSnapshot
from api.deps import UnitsOfWork
from api.errors import Conflict, NotFound, PreconditionFailed, Unauthorized
from api.progress import one_statement, repository
from api.progress.etags import admitted_versions, if_match_allows
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


def _lookup(connection: Connection, *, learner_id: int, topic_slug: str) -> repository.RecordState:
    state = repository.lookup(connection, learner_id=learner_id, topic_slug=topic_slug)
    if state is None:
        raise NotFound(_no_topic(topic_slug))
    return state


def save_progress(
    connection: Connection,
    *,
    learner_id: int,
    topic_slug: str,
    body: ProgressWrite,
    if_match: str | None,
    retention: float,
    claims: TokenClaims | None = None,
) -> SavedProgress:
    """Create or replace the learner's record on a topic, recording the change in its history.

    With `if_match`, the write happens only if the record's current ETag is listed (412
    otherwise). A write that changes nothing leaves the version and the history as they are.
    Writers of one record take turns on a lock held from the record's read to the write: on
    PostgreSQL its row lock, taken by the one statement that applies these rules there
    (`_PutInOneStatement`); on SQLite the database's, taken at BEGIN IMMEDIATE. Two writers
    creating the same record race on the unique constraint, and the loser goes round again as
    an update; none is lost. A record that becomes `completed` starts the topic's review
    schedule (at `retention`). With the `claims` of the caller's token, the token is checked
    first, in the same transaction (401 when it is no longer good).
    """
    if connection.dialect.name == "postgresql":
        put = _PutInOneStatement(
            learner_id=learner_id,
            topic_slug=topic_slug,
            body=body,
            if_match=if_match,
            retention=retention,
        )
        return _save_in_one_statement(connection, put)
    if claims is not None and revocation.version_if_good_on(connection, claims) is None:
        raise Unauthorized(INVALID_TOKEN)
    for _attempt in range(MAX_WRITE_ATTEMPTS):
        state = _lookup(connection, learner_id=learner_id, topic_slug=topic_slug)
        exists = state.progress_id is not None
        if if_match is not None and not if_match_allows(
            if_match, state.version if exists else None
        ):
            raise PreconditionFailed(_CHANGED_SINCE_READ)
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
    raise Conflict(_KEEPS_CHANGING)


_CHANGED_SINCE_READ = (
    "The record changed since you read it (or does not exist yet); "
    "read it again and retry with its current ETag."
)
_KEEPS_CHANGING = "The record keeps changing under concurrent writes; try again."


class _PutInOneStatement:
    """`save_progress` on PostgreSQL: one statement applies the same rules inside the
    database (api/progress/one_statement.py), so the record's row lock is held for that
    statement alone; run in autocommit, it commits on its own. `params` are the statement's;
    `saved` reads what a run of it did. With `claims`, the statement also checks that the
    token they come from is still good (a request's own check, in the same round trip)."""

    def __init__(
        self,
        *,
        learner_id: int,
        topic_slug: str,
        body: ProgressWrite,
        if_match: str | None,
        retention: float,
        claims: TokenClaims | None = None,
    ) -> None:
        self.learner_id = learner_id
        self.topic_slug = topic_slug
        self.claims = claims
        at = utc_now()
        values = body.model_dump(mode="json", exclude={"level"})
        # Computed up front for a PUT that may complete the topic; the statement stores it
        # only if the record has no schedule yet, with the topic's id as the card's.
        self.started = None
        if values["status"] == ProgressStatus.COMPLETED.value:
            self.started = reviews_service.first_schedule(
                topic_id=one_statement.CARD_ID_SET_BY_STATEMENT,
                at=at,
                retention=retention,
                source=ChangeSource.SELF,
            )
        started = self.started
        match_any, versions = (False, ()) if if_match is None else admitted_versions(if_match)
        self.params = {
            "learner_id": learner_id,
            "slug": topic_slug,
            **values,
            "level": None if body.level is None else body.level.value,
            "at": at,
            "check_match": if_match is not None,
            "match_any": match_any,
            "match_versions": list(versions),
            "card": None if started is None else started.schedule.card,
            "due_at": None if started is None else started.schedule.due_at,
            "rating": None if started is None else started.rating.value,
            "check_token": claims is not None,
            **({"generation": 0, "jti": ""} if claims is None else revocation.check_params(claims)),
        }

    def saved(
        self, rows: list[tuple[Any, ...]]
    ) -> tuple[SavedProgress, repository.ProgressChange | None] | None:
        """The record after the statement's run that answered `rows` (one row), and the change
        it made (None: it changed nothing); None when a concurrent write created the record
        first, and the statement must run again (it then finds the record to lock)."""
        done = one_statement.outcome(rows[0])
        if not done.allowed:
            raise PreconditionFailed(_CHANGED_SINCE_READ)
        if not done.changed:
            return SavedProgress(record=_state_read(done.old, self.topic_slug), created=False), None
        if done.new is None or done.event_new is None or done.progress_version is None:
            return None
        card = None
        if done.starts and self.started is not None:
            card = {**self.started.schedule.card, "card_id": done.topic_id}
        change = repository.ProgressChange(
            self.learner_id,
            done.progress_version,
            self.topic_slug,
            done.event_old,
            done.event_new,
            ChangeSource.SELF,
            card,
        )
        created = done.old.progress_id is None
        return SavedProgress(record=_state_read(done.new, self.topic_slug), created=created), change


def _save_in_one_statement(connection: Connection, put: _PutInOneStatement) -> SavedProgress:
    for _attempt in range(MAX_WRITE_ATTEMPTS):
        rows = one_statement.PUT_RECORD.rows(connection, put.params)
        if not rows:
            raise NotFound(_no_topic(put.topic_slug))
        done = put.saved(rows)
        if done is not None:
            saved, change = done
            if change is not None:
                repository.note_progress_change(change)
            return saved
    raise Conflict(_KEEPS_CHANGING)


async def record_progress(
    db: UnitsOfWork,
    *,
    claims: TokenClaims,
    topic_slug: str,
    body: ProgressWrite,
    if_match: str | None,
    retention: float,
) -> SavedProgress:
    """`save_progress` as a request runs it, for the caller whose token's `claims` these are
    (401 unless the token is still good): on PostgreSQL the token's check and the write are
    one statement, the whole unit of work, awaited on the event loop, and the writes of one
    record waiting in this process go together (api/progress/batches.py); elsewhere they are
    one transaction."""
    if not db.writes_in_one_statement:
        return await db.execute(
            save_progress,
            learner_id=claims.learner_id,
            topic_slug=topic_slug,
            body=body,
            if_match=if_match,
            retention=retention,
            claims=claims,
        )

    def put() -> _PutInOneStatement:
        return _PutInOneStatement(
            learner_id=claims.learner_id,
            topic_slug=topic_slug,
            body=body,
            if_match=if_match,
            retention=retention,
            claims=claims,
        )

    return await db.write_in_batch((claims.learner_id, topic_slug), put, partial(_put_together, db))


async def _put_together(
    db: UnitsOfWork, writes: list[Callable[[], _PutInOneStatement]]
) -> list[SavedProgress | Exception]:
    """The PUTs of one record, in order, in one transaction: what each made, or its error. The
    time of each change is taken now, as the batch starts."""
    puts = [write() for write in writes]
    outcomes = await db.write_rows_together(one_statement.PUT_RECORD, [put.params for put in puts])
    saved: list[SavedProgress | Exception] = []
    for put, outcome in zip(puts, outcomes, strict=True):
        if isinstance(outcome, Exception):
            saved.append(outcome)
            continue
        try:
            saved.append(await _saved(db, put, outcome))
        except Exception as exc:  # this PUT's answer (a 412, a 404), not its neighbours'
            saved.append(exc)
    return saved


async def _saved(db: UnitsOfWork, put: _PutInOneStatement, rows: list[Any]) -> SavedProgress:
    """What a run of the PUT's statement answered with `rows` made, its progress change
    followed; the statement runs again while a concurrent write created the record first."""
    for _attempt in range(MAX_WRITE_ATTEMPTS):
        if not rows:  # which of the two it was: one more read, on this rare path
            assert put.claims is not None
            await _require_good_token(put.claims, db)
            raise NotFound(_no_topic(put.topic_slug))
        done = put.saved(rows)
        if done is not None:
            saved, change = done
            if change is not None:
                db.follow([change])
            return saved
        rows = await db.write_rows(one_statement.PUT_RECORD, **put.params)
    raise Conflict(_KEEPS_CHANGING)


async def _require_good_token(claims: TokenClaims, db: UnitsOfWork) -> None:
    """401 unless the token with these claims is still good (`revocation.version_if_good`)."""
    if await revocation.version_if_good(claims, db) is None:
        raise Unauthorized(INVALID_TOKEN)


def _no_topic(topic_slug: str) -> str:
    return f"No topic with slug '{topic_slug}'."


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
