"""The Database's direct one-statement reads and writes (one by one, or together in one
transaction), its async pool, its SQLite write-ahead log checkpoints, and the SQLite connection a
thread holds."""

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg_pool import PoolTimeout
from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    bindparam,
    event,
    func,
    select,
    text,
    update,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from api.app import create_app
from models import Learner, async_connections
from models import database as database_module
from models.database import Database, connect_params, create_db_engine
from models.migrate import upgrade_to_head
from models.prepared import Prepared
from tests.conftest import make_settings
from tests.models.conftest import add_learner
from tests.threads import start_and_join

VERSION_OF = Prepared(select(Learner.progress_version).where(Learner.id == bindparam("learner_id")))


def test_a_direct_read_sees_the_latest_commit(migrated_engine: Engine):
    database = Database(migrated_engine)
    learner_id = add_learner(migrated_engine)
    assert database.read_rows(VERSION_OF, {"learner_id": learner_id}) == [(0,)]
    with migrated_engine.begin() as connection:
        connection.execute(update(Learner).values(progress_version=7))
    assert database.read_rows(VERSION_OF, {"learner_id": learner_id}) == [(7,)]
    assert database.read_rows(VERSION_OF, {"learner_id": learner_id + 1}) == []


def _wal_frames(database: Database) -> tuple[int, int]:
    """(frames in the log, frames of it already copied into the database file)."""
    with database.engine.connect() as connection:
        _busy, logged, copied = connection.execute(text("PRAGMA wal_checkpoint(PASSIVE)")).one()
    return logged, copied


def test_sqlite_writes_leave_the_log_to_the_background_checkpoint(tmp_path: Path):
    database = Database.from_url(f"sqlite:///{tmp_path / 'wal.db'}")
    upgrade_to_head(database.write_engine)
    learner_id = add_learner(database.write_engine)
    assert database.wal_checkpoints
    # SQLite's own checkpoint would run in the commit that passes 1,000 frames.
    for version in range(1, 1201):
        with database.write_engine.begin() as connection:
            connection.execute(
                update(Learner).where(Learner.id == learner_id).values(progress_version=version)
            )
    with database.write_engine.connect() as connection:
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
    database.checkpoint()
    logged, copied = _wal_frames(database)
    assert logged >= 1200
    assert copied == logged
    # Once copied, the log starts over with the next write.
    with database.write_engine.begin() as connection:
        connection.execute(update(Learner).values(progress_version=0))
    assert _wal_frames(database)[0] < 10
    assert database.read_rows(VERSION_OF, {"learner_id": learner_id}) == [(0,)]
    database.dispose()


def test_a_log_left_partly_copied_starts_over_once_the_writer_finishes_the_checkpoint(
    tmp_path: Path,
):
    # As served: this thread (the event loop's) holds the connection the writes are made on,
    # and the checkpoint runs on another thread. Served, the frames it leaves are those written
    # while it runs; here a reader's snapshot keeps it from copying the newest ones.
    path = tmp_path / "steady.db"
    database = Database.from_url(f"sqlite:///{path}")
    upgrade_to_head(database.write_engine)
    learner_id = add_learner(database.write_engine)
    database.hold_connection()
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        for _ in range(300):
            _bump(database, learner_id)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM learners").fetchall()
        _bump(database, learner_id)  # after the reader's snapshot: not copied below
        start_and_join([threading.Thread(target=database.checkpoint)], timeout=30)
        reader.execute("COMMIT")
        _bump(database, learner_id)  # appended: the log was not all copied

        database.finish_checkpoint()  # the rest, on the writer's own connection
        assert _bump(database, learner_id) == 303
        # (`_wal_frames` checkpoints too: only at the end.)
        assert _wal_frames(database)[0] < 10

        # While another process writes, the event loop's finish does not wait for its lock
        # (which it would for the busy timeout, 5 s): the next round finishes instead.
        other_writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            other_writer.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            database.finish_checkpoint()
            assert time.monotonic() - started < database_module.SQLITE_BUSY_TIMEOUT_MS / 2000
            # The connection's writes still wait for the lock, as before the finish.
            release = threading.Timer(0.2, lambda: other_writer.execute("ROLLBACK"))
            release.start()
            assert _bump(database, learner_id) == 304
            release.join()
        finally:
            other_writer.close()
    finally:
        reader.close()
        database.release_connection()
        database.dispose()


def _open_together(url: str) -> list[str]:
    """Two engines, as two processes would have, each connecting to `url` at once and one of
    them writing: the journal mode each connection then reads."""
    engines = [create_db_engine(url, poolclass=NullPool) for _ in range(2)]
    ready = threading.Barrier(2)
    modes: list[str] = []

    def open_one(engine: Engine, writes: bool) -> None:
        # Before the engine's own set-up of a new connection: both connections are open,
        # and they set themselves up at the same moment.
        event.listen(engine, "connect", lambda *_: ready.wait(timeout=10), insert=True)
        with engine.connect() as connection:
            if writes:
                connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS made (x INTEGER)")
                connection.commit()
            modes.append(connection.exec_driver_sql("PRAGMA journal_mode").scalar_one())

    try:
        threads = [
            threading.Thread(target=open_one, args=(engine, writes))
            for engine, writes in zip(engines, (True, False), strict=True)
        ]
        start_and_join(threads, timeout=30)
    finally:
        for engine in engines:
            engine.dispose()
    return modes


def test_connections_opening_a_new_sqlite_file_together_all_put_it_in_wal_mode(tmp_path: Path):
    # Both switch the new file to WAL, and SQLite refused one of the two at once, without
    # waiting, about one time in ten (42 of 400 in a script) before the retry.
    for trial in range(100):
        assert _open_together(f"sqlite:///{tmp_path / f'new-{trial}.db'}") == ["wal", "wal"]


def test_a_connection_that_cannot_put_a_new_file_in_wal_mode_gives_up_with_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # Another process holds the new file's exclusive lock and does not let go: the connection
    # tries for as long as the busy timeout, then fails as SQLite says, rather than waiting on
    # (on a thread of its own, so that one that waited on would fail the test, not hang it).
    monkeypatch.setattr(database_module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "held.db"
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("CREATE TABLE held (x)")
        holder.execute("BEGIN EXCLUSIVE")
        engine = create_db_engine(f"sqlite:///{path}")
        refusals: list[OperationalError] = []

        def connect() -> None:
            try:
                engine.connect().close()
            except OperationalError as error:
                refusals.append(error)

        start_and_join([threading.Thread(target=connect, daemon=True)], timeout=10)
        assert len(refusals) == 1
        assert "database is locked" in str(refusals[0])
        engine.dispose()
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    # Let go, the file is switched by the next connection.
    engine = create_db_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def _checkouts(database: Database) -> list[str]:
    """Every checkout from the database's pools from now on: `read` or `write`, in order."""
    seen: list[str] = []
    for name, engine in (("read", database.engine), ("write", database.write_engine)):
        event.listen(engine, "checkout", lambda *_args, name=name: seen.append(name))
    return seen


def _bump(database: Database, learner_id: int) -> int:
    """Bump the learner's progress version with `execute`; the version it wrote."""

    def bump(connection: Connection) -> int:
        [(version,)] = BUMP.rows(connection, {"learner_id": learner_id})
        return int(version)

    return database.execute(bump)


def test_a_thread_holding_a_sqlite_connection_works_on_it_and_other_threads_on_the_pools(
    tmp_path: Path,
):
    database = Database.from_url(f"sqlite:///{tmp_path / 'held.db'}")
    upgrade_to_head(database.write_engine)
    learner_id = add_learner(database.write_engine)
    checkouts = _checkouts(database)
    database.hold_connection()
    # This thread's writes and reads take nothing from the pools, and commit as before.
    assert _bump(database, learner_id) == 1
    assert database.read_rows(VERSION_OF, {"learner_id": learner_id}) == [(1,)]
    assert checkouts == []

    # Work that fails is rolled back, and the held connection serves the next write.
    def bump_then_fail(connection: Connection) -> None:
        BUMP.rows(connection, {"learner_id": learner_id})
        raise RuntimeError("the unit of work fails")

    with pytest.raises(RuntimeError):
        database.execute(bump_then_fail)
    assert database.read_rows(VERSION_OF, {"learner_id": learner_id}) == [(1,)]
    assert _bump(database, learner_id) == 2
    assert checkouts == []
    # Another thread reads and writes through the pools, and each sees the other's commits.
    seen: list[object] = []

    def elsewhere() -> None:
        seen.append(database.read_rows(VERSION_OF, {"learner_id": learner_id}))
        seen.append(_bump(database, learner_id))

    other = threading.Thread(target=elsewhere)
    other.start()
    other.join()
    assert seen == [[(2,)], 3]
    assert checkouts == ["read", "write"]
    assert database.read_rows(VERSION_OF, {"learner_id": learner_id}) == [(3,)]
    # Released, this thread is back on the pools.
    database.release_connection()
    assert _bump(database, learner_id) == 4
    assert checkouts == ["read", "write", "write"]
    database.dispose()


def test_only_a_sqlite_file_has_a_connection_to_hold(migrated_engine: Engine):
    database = Database(migrated_engine)
    learner_id = add_learner(migrated_engine)
    checkouts = _checkouts(database)
    database.hold_connection()
    _bump(database, learner_id)
    # (One engine reads and writes here: its checkout is seen as both.)
    assert "write" in checkouts
    database.release_connection()


def test_an_app_serves_progress_writes_and_token_checks_on_a_held_sqlite_connection(
    tmp_path: Path,
):
    database = Database.from_url(f"sqlite:///{tmp_path / 'served.db'}")
    settings = make_settings(migrate_on_start=True, seed_on_start=True)
    app = create_app(settings, database=database)
    checkouts = _checkouts(database)
    with TestClient(app) as client:
        email = "held@example.com"
        account = {"email": email, "password": "held connections", "display_name": "Held"}
        assert client.post("/api/v1/auth/register", json=account).status_code == 201
        login = {"username": email, "password": "held connections"}
        token = client.post("/api/v1/auth/token", data=login).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        checkouts.clear()
        put = client.put(
            "/api/v1/me/progress/linear-regression", json={"status": "completed"}, headers=auth
        )
        assert put.status_code == 201
        read = client.get("/api/v1/me/recommendations?goal=job-interview", headers=auth)
        assert read.status_code == 200
        assert read.json()["items"][0]["topic"]["slug"] != "linear-regression"
        assert checkouts == []
    database.dispose()


def test_an_awaited_read_on_postgresql_sees_the_latest_commit_and_survives_a_lost_connection(
    migrated_engine: Engine,
):
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("awaited reads are PostgreSQL's (SQLite reads run inline)")
    database = Database(migrated_engine)
    assert database.async_engine is not None
    learner_id = add_learner(migrated_engine)

    async def version_of(params: dict[str, int]) -> int | None:
        rows = await database.read_rows_async(VERSION_OF, params)
        return rows[0][0] if rows else None

    async def reads() -> list[Any]:
        found: list[Any] = [await version_of({"learner_id": learner_id})]
        with migrated_engine.begin() as connection:
            connection.execute(update(Learner).values(progress_version=7))
        found.append(await version_of({"learner_id": learner_id}))
        found.append(await version_of({"learner_id": 10**9}))
        # The server ends the reads' session (a restart would): the next read reconnects.
        # (Only this pool's own session: other test runs share the server. The reads ran one
        # at a time, so the pool holds one connection.)
        assert database.async_engine is not None
        async with database.async_engine.connect() as own:
            pid = (await own.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        with migrated_engine.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        found.append(await version_of({"learner_id": learner_id}))
        # Many at once share the pool, each getting its own answer.
        many = await asyncio.gather(*(version_of({"learner_id": learner_id}) for _ in range(20)))
        found.append(set(many))
        await database.close_async_connections()
        return found

    assert asyncio.run(reads()) == [0, 7, None, 7, {7}]


BUMP = Prepared(
    update(Learner)
    .where(Learner.id == bindparam("learner_id"))
    .values(progress_version=Learner.progress_version + 1)
    .returning(Learner.progress_version)
)


def test_an_awaited_write_on_postgresql_commits_alone_and_a_dead_idle_connection_is_replaced(
    migrated_engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("awaited writes are PostgreSQL's (SQLite writes run inline)")
    # Every connection counts as idle: it is pinged before it is handed out. One connection
    # in the pool, so the one the server ends is the one the next write is given.
    monkeypatch.setattr(async_connections, "PING_AFTER_IDLE_SECONDS", 0.0)
    database = Database(migrated_engine, async_pool_size=1)
    learner_id = add_learner(migrated_engine)

    async def bump() -> int:
        [(version,)] = await database.write_rows_async(BUMP, {"learner_id": learner_id})
        return int(version)

    async def writes() -> list[int]:
        try:
            found = [await bump()]
            # Committed on its own: another connection sees it at once.
            found.append(database.read_rows(VERSION_OF, {"learner_id": learner_id})[0][0])
            # The server ends the pool's session while it sits idle. A write is not tried
            # again (it may have committed), so the pool must notice before it hands it out.
            assert database.async_engine is not None
            async with database.async_engine.connect() as own:
                pid = (await own.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            with migrated_engine.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            found.append(await bump())
            return found
        finally:
            await database.close_async_connections()

    assert asyncio.run(writes()) == [1, 1, 2]


# The version after the bump, and the transaction that made it.
BUMP_IN_TRANSACTION = Prepared(
    update(Learner)
    .where(Learner.id == bindparam("learner_id"))
    .values(progress_version=Learner.progress_version + 1)
    .returning(Learner.progress_version, func.txid_current())
)
# The bump, which fails on its divisor 0 (after it has bumped).
BUMP_DIVIDED = Prepared(
    update(Learner)
    .where(Learner.id == bindparam("learner_id"))
    .values(progress_version=Learner.progress_version + 1)
    .returning(Learner.progress_version // bindparam("divisor", type_=Integer))
)


def _written_together(database: Database, statement: Prepared, many: list[dict[str, Any]]):
    async def write() -> Any:
        try:
            return await database.write_rows_together_async(statement, many)
        finally:
            await database.close_async_connections()

    return asyncio.run(write())


def test_writes_sent_together_on_postgresql_are_one_transaction_each_seeing_the_last(
    migrated_engine: Engine,
):
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("writes go together on PostgreSQL's async connections")
    database = Database(migrated_engine, async_pool_size=1)
    learner_id = add_learner(migrated_engine)
    many = [{"learner_id": learner_id}] * 3
    try:
        outcomes = _written_together(database, BUMP_IN_TRANSACTION, many)
        assert [rows[0][0] for rows in outcomes] == [1, 2, 3]
        assert len({rows[0][1] for rows in outcomes}) == 1  # one transaction
        # Committed: another connection sees the last.
        assert database.read_rows(VERSION_OF, {"learner_id": learner_id}) == [(3,)]
    finally:
        database.dispose()


def test_a_write_that_fails_among_writes_sent_together_fails_alone(migrated_engine: Engine):
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("writes go together on PostgreSQL's async connections")
    database = Database(migrated_engine, async_pool_size=1)
    learner_id = add_learner(migrated_engine)
    many = [{"learner_id": learner_id, "divisor": divisor} for divisor in (1, 0, 1)]
    try:
        first, failed, last = _written_together(database, BUMP_DIVIDED, many)
        assert isinstance(failed, psycopg.errors.DivisionByZero)
        # The failed write's bump was rolled back; the others were made, in order.
        assert (first, last) == ([(1,)], [(2,)])
        assert database.read_rows(VERSION_OF, {"learner_id": learner_id}) == [(2,)]
        # The synchronous twin, one write at a time, answers alike.
        first, failed, last = database.write_rows_together(BUMP_DIVIDED, many)
        assert isinstance(failed, psycopg.errors.DivisionByZero)
        assert (first, last) == ([(3,)], [(4,)])
    finally:
        database.dispose()


def test_the_async_pool_hands_out_the_connection_returned_last(migrated_engine: Engine):
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("the async pool is PostgreSQL's")
    connections = async_connections.AsyncConnections(connect_params(migrated_engine), size=4)

    async def backends() -> tuple[list[int], list[int]]:
        try:
            async with connections.autocommit() as first, connections.autocommit() as second:
                held = [first.info.backend_pid, second.info.backend_pid]
            # `second` went back, then `first`: `first` is handed out, and again after it.
            again = []
            for _ in range(2):
                async with connections.autocommit() as connection:
                    again.append(connection.info.backend_pid)
            return held, again
        finally:
            await connections.close()

    (first, second), again = asyncio.run(backends())
    assert first != second
    assert again == [first, first]


def test_the_async_pools_connections_parse_json_with_orjson(migrated_engine: Engine):
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("the async pool is PostgreSQL's")
    connections = async_connections.AsyncConnections(connect_params(migrated_engine), size=1)
    # An integer beyond 64 bits tells the two parsers apart: orjson reads it as a float.
    query = """SELECT '{"n": 123456789012345678901234567890, "s": "é"}'::json"""

    async def parsed() -> Any:
        try:
            async with connections.autocommit() as connection:
                cursor = await connection.execute(query)
                [(value,)] = await cursor.fetchall()
                return value
        finally:
            await connections.close()

    assert asyncio.run(parsed()) == {"n": 1.2345678901234568e29, "s": "é"}


def test_a_workers_requests_hold_at_most_the_pool_size_setting_of_connections(
    migrated_engine: Engine,
):
    # SKILLPATH_DATABASE_POOL_SIZE: with several workers, their pools together must stay under
    # PostgreSQL's max_connections.
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("the async pool is PostgreSQL's")
    url = migrated_engine.url.render_as_string(hide_password=False)
    database: Database = create_app(
        make_settings(database_url=url, database_pool_size=2)
    ).state.database
    statement = Prepared(select(func.pg_backend_pid(), func.pg_sleep(0.05)))

    async def backends_of_concurrent_reads() -> set[int]:
        try:
            answers = await asyncio.gather(
                *(database.read_rows_async(statement, {}) for _ in range(8))
            )
        finally:
            await database.close_async_connections()
        return {int(rows[0][0]) for rows in answers}

    try:
        assert len(asyncio.run(backends_of_concurrent_reads())) == 2
    finally:
        database.dispose()


def test_a_pool_the_database_cannot_fill_fails_instead_of_serving_short(
    monkeypatch: pytest.MonkeyPatch,
):
    # A server fills its pool before it serves; nothing listens on port 1, so no connection
    # can be opened, and the start-up that waits for them fails rather than hanging.
    monkeypatch.setattr(async_connections, "FILL_TIMEOUT_SECONDS", 0.5)
    connections = async_connections.AsyncConnections(
        {"host": "127.0.0.1", "port": 1, "dbname": "nowhere", "user": "nobody"}, size=2
    )

    async def fill() -> None:
        try:
            await connections.fill()
        finally:
            await connections.close()

    with pytest.raises(PoolTimeout):
        asyncio.run(fill())
