"""A progress write's locked lookup on PostgreSQL that had to wait for another writer sees
what that writer did, the review schedule it started included (api/progress/repository.py)."""

import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, delete, insert, select, text, update

from api.progress import repository
from api.progress.repository import RecordState
from models import Learner, Progress, ReviewSchedule, Topic

TOPIC = "linear-regression"


def _blocked_on_a_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE '%FOR UPDATE%'"
            )
        ).scalar_one()
    return bool(waiting)


def test_a_lookup_that_waited_for_a_completion_sees_the_schedule_it_started(
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
    found: list[RecordState | None] = []

    def lookup() -> None:
        with seeded_engine.begin() as connection:
            found.append(
                repository.lookup(
                    connection, learner_id=learner_id, topic_slug=TOPIC, for_update=True
                )
            )

    try:
        with seeded_engine.connect() as holder:
            with holder.begin():
                record = (Progress.learner_id == learner_id) & (Progress.topic_id == topic_id)
                holder.execute(select(Progress.id).where(record).with_for_update())
                waiter = threading.Thread(target=lookup)
                waiter.start()
                deadline = time.monotonic() + 10
                while not _blocked_on_a_lock(seeded_engine):
                    assert time.monotonic() < deadline, "the lookup never waited for the lock"
                    time.sleep(0.02)
                # What a completion does, while the lookup waits: the record and its schedule.
                now = datetime.now(UTC)
                holder.execute(
                    update(Progress)
                    .where(record)
                    .values(status="completed", reviews=1, last_reviewed_at=now, version=2)
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
        [state] = found
        assert state is not None
        assert state.version == 2
        assert state.values is not None
        assert state.values["status"] == "completed"
        assert state.scheduled
    finally:
        with seeded_engine.begin() as connection:
            connection.execute(delete(Learner).where(Learner.id == learner_id))
