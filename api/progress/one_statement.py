"""A learner's PUT of their record in one statement, on PostgreSQL.

Writers of one record take turns on its row lock, so how long a writer holds the lock bounds
how many writes of one record land per second. Taken by a lookup and released by a COMMIT
two round trips later, the lock is also held while the service computes the change and
while the event loop serves other requests in between. Here one statement, run in
autocommit, does all of it inside the database: it locks the record, checks `If-Match`,
applies the PUT's rules (a no-op writes nothing, a level written back keeps who set it, a
first completion starts the review schedule), writes the record, its history event, the
schedule and its log entry, and bumps the learner's progress version. The lock is held for
that statement and its commit alone. A request's statement also checks that its bearer token
is still good (`revocation.TOKEN_IS_GOOD`): the PUT is one round trip.

The rules are the ones `api.progress.service.save_progress` applies in Python on SQLite; the
tests run every PUT case on both databases. The event's values are built here as
`service.shown_values` builds them (`_shown_json`).
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    Boolean,
    ColumnElement,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    literal_column,
    not_,
    null,
    or_,
    select,
    true,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.selectable import CTE

from api.auth.revocation import TOKEN_IS_GOOD
from api.progress.repository import RECORD_COLUMN_NAMES, RecordState, record_state
from api.progress.schemas import LevelSource
from models import (
    ChangeSource,
    Learner,
    Progress,
    ProgressEvent,
    ProgressStatus,
    ReviewLogEntry,
    ReviewSchedule,
    Topic,
)
from models.prepared import Prepared
from planner.levels import level_from_status

_RECORD = Progress.__table__
# The record's id, then its columns as `repository.record_state` takes them.
_COLUMNS = ("id", *RECORD_COLUMN_NAMES)
_COMPLETED = ProgressStatus.COMPLETED.value


def _param(name: str, column: str) -> Any:
    """A parameter typed as the record's `column` (so the driver is told its type)."""
    return bindparam(name, type_=_RECORD.c[column].type)


def _text(name: str) -> Any:
    """A string parameter, cast to VARCHAR: the enums' columns are VARCHARs, and a value
    PostgreSQL cannot type (`$1 IS NULL`) would refuse the statement."""
    return bindparam(name, type_=String)


def _word(value: str) -> Any:
    """A string constant, typed (see `_text`)."""
    return literal(value, String)


_STATUS = _text("status")
_MASTERY = _param("mastery", "mastery")
_HOURS = _param("hours_spent", "hours_spent")
_NOTES = _param("notes", "notes")
_LEVEL = _text("level")
_AT = _param("at", "updated_at")
_LEARNER = bindparam("learner_id", type_=Integer)
# `If-Match`: whether one was sent, whether it admits any record (`*`), and the versions its
# entity tags name.
_CHECK_MATCH = bindparam("check_match", type_=Boolean)
_MATCH_ANY = bindparam("match_any", type_=Boolean)
_MATCH_VERSIONS = bindparam("match_versions", type_=ARRAY(Integer))

# The learner's record on the topic, locked as it is read. The lock sits in a LATERAL
# subquery because PostgreSQL refuses FOR UPDATE on the nullable side of an outer join. A
# read that waits for the lock gets the record as its last writer left it, but the rest of
# the statement sees the database as it was when the statement started: a schedule that
# writer started is not seen, so the record's reviews count too (every start sets them).
_FOUND = (
    select(*(_RECORD.c[name] for name in _COLUMNS))
    .where(_RECORD.c.learner_id == _LEARNER, _RECORD.c.topic_id == Topic.id)
    .with_for_update()
    .lateral("found")
)
_F = _FOUND.c
_EXISTS = _F.id.is_not(None)
_SCHEDULED = or_(
    func.coalesce(_F.reviews, 0) > 0,
    exists().where(ReviewSchedule.learner_id == _LEARNER, ReviewSchedule.topic_id == Topic.id),
)
# A PUT replaces the record, its level too; writing back the level stored keeps who set it.
_NEW_LEVEL_SOURCE = case(
    (and_(_EXISTS, _LEVEL.is_not_distinct_from(_F.level)), _F.level_source),
    (_LEVEL.is_(None), null()),
    else_=_word(ChangeSource.SELF.value),
)
_ALLOWED = or_(
    not_(_CHECK_MATCH),
    and_(_EXISTS, or_(_MATCH_ANY, _F.version == any_(_MATCH_VERSIONS))),
)
_CHANGED = or_(
    not_(_EXISTS),
    tuple_(
        _F.status, _F.mastery, _F.hours_spent, _F.notes, _F.level, _F.level_source
    ).is_distinct_from(tuple_(_STATUS, _MASTERY, _HOURS, _NOTES, _LEVEL, _NEW_LEVEL_SOURCE)),
)
# A first completion starts the topic's review schedule.
_STARTS = and_(
    _STATUS == _COMPLETED,
    or_(not_(_EXISTS), _F.status != _COMPLETED),
    not_(_SCHEDULED),
)
# With `check_token`, the statement writes only for a caller whose token is still good (the
# request's own token check, in the same round trip): no row comes back otherwise.
_CALLER = or_(
    not_(bindparam("check_token", type_=Boolean)),
    select(Learner.id).where(*TOKEN_IS_GOOD).exists(),
)
_STATE = (
    select(
        Topic.id.label("topic_id"),
        *(_F[name].label(f"old_{name}") for name in _COLUMNS),
        _ALLOWED.label("allowed"),
        _CHANGED.label("changed"),
        _STARTS.label("starts"),
        _NEW_LEVEL_SOURCE.label("new_level_source"),
    )
    .select_from(Topic)
    .outerjoin(_FOUND, true())
    .where(Topic.slug == _text("slug"), _CALLER)
    .cte("state")
)
_S = _STATE.c
_WRITES = and_(_S.allowed, _S.changed)


# The time of the change: the service's clock, or the record's last change if that is later
# (another process's clock, or a writer that took the lock first), so that a record's changes
# never go back in time.
_NOW = func.greatest(_AT, _S.old_updated_at, type_=_RECORD.c.updated_at.type)


def _new_values(reviews: Any, last_reviewed_at: Any) -> dict[str, Any]:
    """The record's columns as the PUT writes them (its review fields when it starts a
    schedule: the completion is the first review)."""
    return {
        "status": _STATUS,
        "mastery": _MASTERY,
        "hours_spent": _HOURS,
        "notes": _NOTES,
        "level": _LEVEL,
        "level_source": _S.new_level_source,
        "reviews": case((_S.starts, 1), else_=reviews),
        "last_reviewed_at": case((_S.starts, _NOW), else_=last_reviewed_at),
        "updated_at": _NOW,
    }


_RETURNED = [_RECORD.c[name] for name in _COLUMNS]
_UPDATED = (
    update(Progress)
    .where(Progress.id == _S.old_id, _WRITES)
    .values(
        **_new_values(Progress.reviews, Progress.last_reviewed_at),
        version=Progress.version + 1,
    )
    .returning(*_RETURNED)
    .cte("updated")
)
_CREATED_VALUES = {
    "learner_id": _LEARNER,
    "topic_id": _S.topic_id,
    **_new_values(literal(0), null()),
    "version": literal(1),
}
# A writer that found no record races others on creating it: the losers' INSERT does nothing
# (an error would abort the statement) and they go round again, then as an update.
_CREATED = (
    postgresql.insert(Progress)
    .from_select(
        list(_CREATED_VALUES),
        select(*_CREATED_VALUES.values()).where(_S.old_id.is_(None), _WRITES),
    )
    .on_conflict_do_nothing(index_elements=[Progress.learner_id, Progress.topic_id])
    .returning(*_RETURNED)
    .cte("created")
)
_WRITTEN = union_all(select(*_UPDATED.c), select(*_CREATED.c)).cte("written")
_W = _WRITTEN.c


def _effective_level(status: Any, level: Any) -> ColumnElement[Any]:
    implied = {
        status_.value: implied.value
        for status_ in ProgressStatus
        if (implied := level_from_status(status_.value)) is not None
    }
    return func.coalesce(level, case(implied, value=status))


def _shown_json(row: Any, prefix: str = "") -> ColumnElement[Any]:
    """A record's values as its history events hold them (`service.shown_values` and
    `repository.review_values`): the effective level, with `status` as its source when the
    status implies it."""

    def column(name: str) -> Any:
        return row[f"{prefix}{name}"]

    level = _effective_level(column("status"), column("level"))
    source = case(
        (column("level").is_not(None), column("level_source")),
        (level.is_not(None), _word(LevelSource.STATUS.value)),
        else_=null(),
    )
    reviewed = func.to_char(
        func.timezone("UTC", column("last_reviewed_at")),
        literal_column("""'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'"""),
    )
    return func.json_build_object(
        "status", column("status"),
        "mastery", column("mastery"),
        "hours_spent", column("hours_spent"),
        "notes", column("notes"),
        "level", level,
        "level_source", source,
        "reviews", column("reviews"),
        "last_reviewed_at", reviewed,
    )  # fmt: skip


def _from_written(model: Any, values: dict[str, Any], *, starts: bool = False) -> CTE:
    """INSERT INTO `model`'s table a row of `values` for the record written (only when the
    write starts a schedule, with `starts`)."""
    rows = select(*values.values()).select_from(_WRITTEN).join(_STATE, true())
    if starts:
        rows = rows.where(_S.starts)
    name = f"{model.__tablename__}_row"
    return insert(model).from_select(list(values), rows).cte(name)


_EVENT = (
    insert(ProgressEvent)
    .from_select(
        ["learner_id", "topic_slug", "actor_id", "version", "occurred_at", "old", "new", "source"],
        select(
            _LEARNER,
            _text("slug"),
            _LEARNER,
            _W.version,
            _W.updated_at,
            case((_S.old_id.is_(None), null()), else_=_shown_json(_S, "old_")),
            _shown_json(_W),
            _word(ChangeSource.SELF.value),
        )
        .select_from(_WRITTEN)
        .join(_STATE, true()),
    )
    .returning(ProgressEvent.__table__.c.old, ProgressEvent.__table__.c.new)
    .cte("event")
)
# The card is the one the service computed for a first review (the library's), with the
# topic's id as its own: the service computes it before it knows the topic's id.
CARD_ID_SET_BY_STATEMENT = 0
_CARD = cast(
    cast(bindparam("card", type_=JSON), postgresql.JSONB).op("||")(
        func.jsonb_build_object("card_id", _S.topic_id)
    ),
    JSON,
)
_SCHEDULE = _from_written(
    ReviewSchedule,
    {
        "learner_id": _LEARNER,
        "topic_id": _S.topic_id,
        "card": _CARD,
        "due_at": _param("due_at", "updated_at"),
        "reviews": _W.reviews,
        "last_reviewed_at": _W.last_reviewed_at,
    },
    starts=True,
)
_LOG = _from_written(
    ReviewLogEntry,
    {
        "learner_id": _LEARNER,
        "topic_slug": _text("slug"),
        "rating": _text("rating"),
        "source": _word(ChangeSource.SELF.value),
        "reviewed_at": _W.last_reviewed_at,
        "due_at": _param("due_at", "updated_at"),
    },
    starts=True,
)
_BUMP = (
    update(Learner)
    .where(Learner.id == _LEARNER, select(_W.id).exists())
    .values(progress_version=Learner.progress_version + 1)
    .returning(Learner.progress_version)
    .cte("bump")
)
_EVENT_C = _EVENT.c
PUT_RECORD = Prepared(
    select(
        *_S,
        *(_W[name].label(f"new_{name}") for name in _COLUMNS),
        _BUMP.c.progress_version,
        _EVENT_C.old.label("event_old"),
        _EVENT_C.new.label("event_new"),
    )
    .select_from(_STATE)
    .outerjoin(_WRITTEN, true())
    .outerjoin(_BUMP, true())
    .outerjoin(_EVENT, true())
    .add_cte(_SCHEDULE, _LOG)
)
"""The PUT (its parameters: api/progress/service.py): no row when there is no such topic, or
when the token checked is no longer good; else one that says what it found and what it did
(`outcome`)."""


@dataclass(frozen=True, slots=True)
class PutOutcome:
    """What `PUT_RECORD` found and did."""

    topic_id: int
    old: RecordState
    allowed: bool
    changed: bool
    starts: bool
    # The record written (None when nothing was), the learner's progress version after it,
    # and its history event's values.
    new: RecordState | None
    progress_version: int | None
    event_old: dict[str, Any] | None
    event_new: dict[str, Any] | None


def outcome(row: tuple[Any, ...]) -> PutOutcome:
    """A row of `PUT_RECORD` as a PutOutcome."""
    size = len(_COLUMNS)
    topic_id, old_id, *old = row[: 1 + size]
    allowed, changed, starts, _level_source = row[1 + size : 5 + size]
    new_id, *new = row[5 + size : 5 + 2 * size]
    progress_version, event_old, event_new = row[5 + 2 * size :]
    return PutOutcome(
        topic_id=topic_id,
        old=record_state(topic_id, old_id, old),
        allowed=bool(allowed),
        changed=bool(changed),
        starts=bool(starts),
        new=None if new_id is None else record_state(topic_id, new_id, new),
        progress_version=progress_version,
        event_old=event_old,
        event_new=event_new,
    )
