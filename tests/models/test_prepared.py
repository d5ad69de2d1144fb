"""Prepared statements read and write exactly what SQLAlchemy's own execution does."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    String,
    bindparam,
    insert,
    literal,
    literal_column,
    select,
    update,
)

from models import Learner, ProgressEvent, async_connections
from models.database import connect_params
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
# Text that looks like placeholders, in a quoted string and a quoted name, beside a constant
# of the statement's own and a value the caller gives.
LOOKALIKES = Prepared(
    select(
        literal_column("'costs $2, not $1'").label("price"),
        literal("kept", String).label("constant"),
        bindparam("given", type_=Integer).label("given"),
        literal_column("1").label("$2"),
    )
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


# How many prepared statements of this text a connection holds (PostgreSQL's own view), in
# the driver's placeholders: run on the sync and the async connection alike.
_PREPARED_ON_CONNECTION = "SELECT count(*) FROM pg_prepared_statements WHERE statement = %s"
LEARNER_BY_ID = Prepared(select(Learner.id).where(Learner.id == bindparam("learner_id")))


def _require_postgresql(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("statements are prepared on PostgreSQL's connections")


def _prepared_count(connection: Connection, sql: str) -> int:
    return int(connection.exec_driver_sql(_PREPARED_ON_CONNECTION, (sql,)).scalar_one())


def test_a_statement_is_prepared_on_a_connection_the_first_time_it_runs_there(
    migrated_engine: Engine,
):
    # psycopg alone prepares a statement after five runs (docs/performance.md, session 8).
    _require_postgresql(migrated_engine)
    sql = LEARNER_BY_ID._compiled(migrated_engine.dialect, native=True).sql
    with migrated_engine.connect() as connection:
        assert _prepared_count(connection, sql) == 0
        assert LEARNER_BY_ID.rows(connection, {"learner_id": 1}) == []
        assert _prepared_count(connection, sql) == 1


def test_a_connection_told_to_prepare_nothing_prepares_nothing(migrated_engine: Engine):
    _require_postgresql(migrated_engine)
    sql = LEARNER_BY_ID._compiled(migrated_engine.dialect, native=True).sql
    with migrated_engine.connect() as connection:
        connection.connection.dbapi_connection.prepare_threshold = None  # type: ignore[union-attr]
        for _ in range(6):
            LEARNER_BY_ID.rows(connection, {"learner_id": 1})
        assert _prepared_count(connection, sql) == 0


def test_an_awaited_statement_is_prepared_the_first_time_it_runs_on_a_connection(
    migrated_engine: Engine,
):
    _require_postgresql(migrated_engine)
    connections = async_connections.AsyncConnections(connect_params(migrated_engine), size=1)
    sql = LEARNER_BY_ID._compiled(migrated_engine.dialect, native=True).sql
    learner_id = add_learner(migrated_engine)

    async def run_once() -> tuple[list[tuple[object, ...]], int]:
        try:
            async with connections.autocommit() as connection:
                rows = await LEARNER_BY_ID.rows_on_async(
                    connection, migrated_engine.dialect, {"learner_id": learner_id}
                )
                cursor = await connection.execute(_PREPARED_ON_CONNECTION, (sql,))
                [(count,)] = await cursor.fetchall()
                return rows, count
        finally:
            await connections.close()

    assert asyncio.run(run_once()) == ([(learner_id,)], 1)


def test_a_statements_own_constants_are_written_into_it_and_not_sent(migrated_engine: Engine):
    # The progress-version bump's 1 is part of the prepared statement: PostgreSQL is sent the
    # learner's id alone, and the bump still adds one.
    _require_postgresql(migrated_engine)
    learner_id = add_learner(migrated_engine)
    sql = BUMP._compiled(migrated_engine.dialect, native=True).sql
    with migrated_engine.begin() as connection:
        assert BUMP.run(connection, {"learner_id": learner_id}) == 1
        assert BUMP.run(connection, {"learner_id": learner_id}) == 1
        parameters = connection.exec_driver_sql(
            "SELECT cardinality(parameter_types) FROM pg_prepared_statements WHERE statement = %s",
            (sql,),
        ).scalar_one()
        version = connection.execute(
            select(Learner.progress_version).where(Learner.id == learner_id)
        ).scalar_one()
    assert parameters == 1
    assert version == 2


def test_text_like_a_placeholder_in_quotes_is_left_as_written(migrated_engine: Engine):
    # Only real placeholders are renumbered or filled: a quoted `$2` is text.
    _require_postgresql(migrated_engine)
    with migrated_engine.connect() as connection:
        row = LOOKALIKES.first(connection, {"given": 7})
    assert row == ("costs $2, not $1", "kept", 7, 1)
