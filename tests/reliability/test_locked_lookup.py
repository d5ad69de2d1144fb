"""A PUT on PostgreSQL that had to wait for another writer's lock on the record sees what that
writer did, the review schedule it started included (api/progress/one_statement.py): it does
not start a second one, though the schedule is newer than the statement's snapshot."""

import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, delete, insert, select, text, update

from api.progress.schemas import ProgressWrite
from api.progress.service import SavedProgress, save_progress
from models import Learner, Progress, ReviewSchedule, Topic

TOPIC = "linear-regression"


def _blocked_on_a_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        waiting = connection.execute(
            text(
                # The PUT's statement (pg_stat_activity keeps only its first kilobyte).
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE 'WITH state AS%'"
            )
        ).scalar_one()
    return bool(waiting)


def test_a_put_that_waited_for_a_completion_sees_the_schedule_it_started(
    seeded_engine: Engine,
):
    if seeded_engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's: a SQLite writer holds the database's lock")
    with seeded_engine.begin() as connection:
        learner_id = connection.execute(
            insert(Learner)
            .values(
                email=f"locked-{uuid.uuid4().hex[:8]}@example.com",
                password_hash="not a real hash",
                display_name="Locked",
            )
            .returning(Learner.id)
        ).scalar_one()
        topic_id = connection.execute(select(Topic.id).where(Topic.slug == TOPIC)).scalar_one()
        connection.execute(
            insert(Progress).values(
                learner_id=learner_id, topic_id=topic_id, status="in_progress", version=1
            )
        )
    saved: list[SavedProgress] = []

    def complete() -> None:
        with seeded_engine.begin() as connection:
            saved.append(
                save_progress(
                    connection,
                    learner_id=learner_id,
                    topic_slug=TOPIC,
                    body=ProgressWrite(status="completed", hours_spent=3),
                    if_match=None,
                    retention=0.9,
                )
            )

    try:
        with seeded_engine.connect() as holder:
            with holder.begin():
                record = (Progress.learner_id == learner_id) & (Progress.topic_id == topic_id)
                holder.execute(select(Progress.id).where(record).with_for_update())
                waiter = threading.Thread(target=complete)
                waiter.start()
                deadline = time.monotonic() + 10
                while not _blocked_on_a_lock(seeded_engine):
                    assert time.monotonic() < deadline, "the PUT never waited for the lock"
                    time.sleep(0.02)
                # What a self-check's awarded level does while the PUT waits: the record, at
                # the level, and the schedule it starts (the PUT then completes the topic).
                now = datetime.now(UTC)
                holder.execute(
                    update(Progress)
                    .where(record)
                    .values(
                        level="practiced",
                        level_source="check",
                        reviews=1,
                        last_reviewed_at=now,
                        version=2,
                    )
                )
                holder.execute(
                    insert(ReviewSchedule).values(
                        learner_id=learner_id,
                        topic_id=topic_id,
                        card={"card_id": topic_id},
                        due_at=now,
                        reviews=1,
                        last_reviewed_at=now,
                    )
                )
            waiter.join(timeout=10)
        [put] = saved  # no error: it did not start the schedule again
        assert put.record.version == 3
        assert put.record.status == "completed"
        assert put.record.reviews == 1
        with seeded_engine.connect() as connection:
            schedules = connection.execute(
                select(ReviewSchedule.reviews).where(ReviewSchedule.learner_id == learner_id)
            ).all()
        assert schedules == [(1,)]
    finally:
        with seeded_engine.begin() as connection:
            connection.execute(delete(Learner).where(Learner.id == learner_id))
