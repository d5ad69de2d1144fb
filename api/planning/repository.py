"""What the planner is told of a learner, read in one statement."""

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, null, select, union_all
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


# A row per review schedule of the learner: no version, its topic and its fsrs card.
_SCHEDULES = select(null(), ReviewSchedule.topic_id, null(), null(), ReviewSchedule.card).where(
    ReviewSchedule.learner_id == bindparam("learner_id")
)

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
CALLER_PLANNING = Prepared(
    union_all(
        _records(_CALLER.c.version).select_from(
            _CALLER.outerjoin(
                Progress, and_(Progress.learner_id == bindparam("learner_id"), _STALE)
            )
        ),
        _SCHEDULES.where(select(_CALLER.c.version).where(_STALE).exists()),
    )
)

PlanningRow = tuple[int | None, int | None, str | None, str | None, dict[str, Any] | None]
