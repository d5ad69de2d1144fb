"""What the planner is told of a learner, read in one statement."""

from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, case, null, select, union_all
from sqlalchemy.orm import InstrumentedAttribute

from api.auth.revocation import TOKEN_IS_GOOD
from models import Learner, Progress, ReviewSchedule
from models.prepared import Prepared


def _records(version: ColumnElement[Any] | InstrumentedAttribute[Any]) -> Select[Any]:
    """The columns of a record's row: `version`, then the record's topic, status and level."""
    return select(
        version,
        Progress.topic_id,
        Progress.status,
        Progress.level,
        null().cast(ReviewSchedule.card.type).label("card"),
    )


# A row per review schedule: no version, its topic and its fsrs card.
_SCHEDULE_ROWS = select(null(), ReviewSchedule.topic_id, null(), null(), ReviewSchedule.card)
_SCHEDULES = _SCHEDULE_ROWS.where(ReviewSchedule.learner_id == bindparam("learner_id"))

# The learner's progress version with each of their records, then the fsrs card of each of
# their review schedules: one statement, so one snapshot and one round trip, whether or not a
# transaction is open. A learner with no record still gives their version (one row of
# nulls beside it); no learner, no rows. Schedule rows hold no version.
LEARNER_PLANNING = Prepared(
    union_all(
        _records(Learner.progress_version)
        .select_from(Learner)
        .outerjoin(Progress, Progress.learner_id == Learner.id)
        .where(Learner.id == bindparam("learner_id")),
        _SCHEDULES,
    )
)

# The caller's token check (`revocation.TOKEN_IS_GOOD`) and, in the same statement, their
# planner state when their progress version is not `known_version` (the version of the copy
# this process holds, -1 for none): LEARNER_PLANNING's rows, or a single row of the version
# and nulls when the copy is current. No row: the token is not good.
_CALLER = select(Learner.progress_version.label("version")).where(*TOKEN_IS_GOOD).cte("caller")
_STALE = _CALLER.c.version != bindparam("known_version")
# Records and schedules are looked up by a learner id that is NULL when the copy is current,
# so the index finds none at once. With the staleness as a condition of its own beside the
# learner's id, SQLite walked every record and schedule of the learner and discarded each, and
# PostgreSQL every record (0.2 ms for 2,500 records).
_STALE_LEARNER = case((_STALE, bindparam("learner_id", type_=Progress.learner_id.type)))
CALLER_PLANNING = Prepared(
    union_all(
        _records(_CALLER.c.version).select_from(
            _CALLER.outerjoin(Progress, Progress.learner_id == _STALE_LEARNER)
        ),
        _SCHEDULE_ROWS.select_from(
            _CALLER.join(ReviewSchedule, ReviewSchedule.learner_id == _STALE_LEARNER)
        ),
    )
)

PlanningRow = tuple[int | None, int | None, str | None, str | None, dict[str, Any] | None]
