"""What the planner is told of a learner, read in one statement."""

from typing import Any

from sqlalchemy import bindparam, null, select, union_all

from models import Learner, Progress, ReviewSchedule
from models.prepared import Prepared

# The learner's progress version with each of their records, then the fsrs card of each of
# their review schedules: one statement, so one snapshot and one round trip, whether or not a
# transaction is open. A learner with no record still gives their version (one row of
# nulls beside it); no learner, no rows. Schedule rows hold no version.
LEARNER_PLANNING = Prepared(
    union_all(
        select(
            Learner.progress_version,
            Progress.topic_id,
            Progress.status,
            Progress.level,
            null().cast(ReviewSchedule.card.type).label("card"),
        )
        .select_from(Learner)
        .outerjoin(Progress, Progress.learner_id == Learner.id)
        .where(Learner.id == bindparam("learner_id")),
        select(
            null(),
            ReviewSchedule.topic_id,
            null(),
            null(),
            ReviewSchedule.card,
        ).where(ReviewSchedule.learner_id == bindparam("learner_id")),
    )
)

PlanningRow = tuple[int | None, int | None, str | None, str | None, dict[str, Any] | None]
