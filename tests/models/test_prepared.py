"""Prepared statements read and write exactly what SQLAlchemy's own execution does."""

from datetime import UTC, datetime

from sqlalchemy import Engine, bindparam, insert, select, update

from models import Learner, ProgressEvent
from models.prepared import Prepared, bound
from tests.models.conftest import add_learner

WHEN = datetime(2026, 11, 26, 1, 2, 3, 456789, tzinfo=UTC)
OLD = {"status": "in_progress", "mastery": None, "hours_spent": 2.5, "notes": "ünïcode"}
NEW = {"status": "completed", "mastery": 90, "hours_spent": 4.0, "notes": ""}

INSERT_EVENT = Prepared(
    insert(ProgressEvent).values(
        actor_id=bindparam("learner_id"),
        **bound("learner_id", "topic_slug", "version", "occurred_at", "old", "new"),
    )
)
EVENTS = select(
    ProgressEvent.topic_slug,
    ProgressEvent.version,
    ProgressEvent.occurred_at,
    ProgressEvent.old,
    ProgressEvent.new,
).where(ProgressEvent.learner_id == bindparam("learner_id"))
# A statement carrying a literal of its own (the 1), as the progress-version bump does.
BUMP = Prepared(
    update(Learner)
    .where(Learner.id == bindparam("learner_id"))
    .values(progress_version=Learner.progress_version + 1)
)


def test_written_and_read_values_match_sqlalchemys(migrated_engine: Engine):
    learner_id = add_learner(migrated_engine)
    with migrated_engine.begin() as connection:
        for version, old in ((1, None), (2, OLD)):
            changed = INSERT_EVENT.run(
                connection,
                {
                    "learner_id": learner_id,
                    "topic_slug": "calculus",
                    "version": version,
                    "occurred_at": WHEN,
                    "old": old,
                    "new": NEW,
                },
            )
            assert changed == 1
        assert BUMP.run(connection, {"learner_id": learner_id}) == 1
        assert BUMP.run(connection, {"learner_id": learner_id + 1}) == 0
    with migrated_engine.connect() as connection:
        oldest_first = EVENTS.order_by(ProgressEvent.version)
        by_sqlalchemy = connection.execute(oldest_first, {"learner_id": learner_id}).all()
        prepared = Prepared(EVENTS.order_by(ProgressEvent.version.desc()))
        newest = prepared.first(connection, {"learner_id": learner_id})
        missing = prepared.first(connection, {"learner_id": learner_id + 1})
        version = connection.execute(
            select(Learner.progress_version).where(Learner.id == learner_id)
        ).scalar_one()
    assert [tuple(row) for row in by_sqlalchemy] == [
        ("calculus", 1, WHEN, None, NEW),
        ("calculus", 2, WHEN, OLD, NEW),
    ]
    assert newest == ("calculus", 2, WHEN, OLD, NEW)
    assert missing is None
    assert version == 1
