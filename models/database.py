"""Engine and session set-up for SQLite and PostgreSQL."""

import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, Literal, TypeVar

import orjson
import psycopg
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    create_async_engine,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from models.async_connections import (
    CHECKOUT_TIMEOUT_SECONDS,
    PING_AFTER_IDLE_SECONDS,
    AsyncConnections,
)
from models.prepared import Prepared

SQLITE_BUSY_TIMEOUT_MS = 5000
SqliteBegin = Literal["DEFERRED", "IMMEDIATE"]
T = TypeVar("T")

# The synchronous engine's pool on PostgreSQL, per process: start-up, the catalog's poll and
# edits, and the tests' joined transactions use it. Requests use the async connections.
POSTGRES_POOL_SIZE = 16
POSTGRES_MAX_OVERFLOW = 8
# The async connections' pool, per process, by default (SKILLPATH_DATABASE_POOL_SIZE). A request
# holds a connection for one statement or one unit of work, so a few connections keep a worker's
# requests going; the rest wait their turn, first come first served. More connections only let
# more PostgreSQL processes run at once, on cores they share with the workers when the database
# is on the same machine: with 2 workers on 2 cores, write then read's p99 was about a tenth
# lower with 4 per worker than with 8 or 24 (docs/performance.md, session 15).
POSTGRES_ASYNC_POOL_SIZE = 4


def json_text(value: Any) -> str:
    """A JSON column's value as the text stored: orjson's, several times faster than the
    standard library's json (a progress event's values on every SQLite PUT)."""
    return orjson.dumps(value).decode()


def create_db_engine(
    url: str, *, begin: SqliteBegin = "IMMEDIATE", autocheckpoint: bool = True, **options: Any
) -> Engine:
    """Create the engine for `url`; on SQLite, transactions start with `BEGIN {begin}`, and
    `autocheckpoint=False` leaves WAL checkpoints to `Database.checkpoint`."""
    parsed = make_url(url)
    options.setdefault("json_serializer", json_text)
    if parsed.get_backend_name() != "sqlite":
        if "poolclass" not in options:
            options.setdefault("pool_size", POSTGRES_POOL_SIZE)
            options.setdefault("max_overflow", POSTGRES_MAX_OVERFLOW)
            options.setdefault("pool_timeout", CHECKOUT_TIMEOUT_SECONDS)
        engine = create_engine(url, **options)
        _ping_when_idle(engine)
        _, params = engine.dialect.create_connect_args(engine.url)
        _CONNECT_PARAMS[engine] = {**params, **options.get("connect_args", {})}
        return engine

    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    engine = create_engine(url, connect_args=connect_args, **options)
    _configure_sqlite(engine, begin, autocheckpoint)
    return engine


# The driver's keyword arguments of each PostgreSQL engine made here, for its async twin.
_CONNECT_PARAMS: "weakref.WeakKeyDictionary[Engine, dict[str, Any]]" = weakref.WeakKeyDictionary()


def connect_params(engine: Engine) -> dict[str, Any]:
    """What the driver connects `engine`'s connections with."""
    found = _CONNECT_PARAMS.get(engine)
    if found is not None:
        return dict(found)
    _, params = engine.dialect.create_connect_args(engine.url)
    return dict(params)


def create_async_twin(engine: Engine, *, pool_size: int) -> tuple[AsyncEngine, AsyncConnections]:
    """An engine on `engine`'s PostgreSQL database whose connections are psycopg's async ones,
    awaited on the event loop, made with the same keyword arguments (its connect_args too, a
    search_path, say); and the pool they come from (models/async_connections.py), which
    single statements use directly."""
    connections = AsyncConnections(connect_params(engine), size=pool_size)
    twin = create_async_engine(
        engine.url,
        async_creator=connections.connect,
        poolclass=NullPool,
        json_serializer=json_text,
    )
    return twin, connections


def _ping_when_idle(engine: Engine) -> None:
    """Check a connection that sat idle in the pool before handing it out (a server restart or
    an idle timeout may have closed it); a dead one is replaced, as pool_pre_ping would."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(f"connection lost while idle: {error}") from error
        if not alive:
            raise DisconnectionError("connection lost while idle")


def _switch_to_wal(cursor: sqlite3.Cursor) -> None:
    """Put the database in WAL mode (a no-op once it is). Two connections that switch a new
    file at once both need its exclusive lock, and SQLite refuses one of them at once with
    SQLITE_BUSY, without its busy timeout (which would deadlock there): that one tries again,
    for as long as the busy timeout, until the other has switched the file."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            busy = error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY  # extended codes too
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _configure_sqlite(engine: Engine, begin: SqliteBegin, autocheckpoint: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that SQLAlchemy's BEGIN (below) is the
        # only one, and SAVEPOINTs behave as documented.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        _switch_to_wal(cursor)
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if not autocheckpoint:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers BEGIN IMMEDIATE: they take the write lock up front and never have to upgrade
        # a read lock later, which is where SQLite answers "database is locked". Readers BEGIN
        # DEFERRED: under WAL they read a snapshot and never wait for a writer. Sent on the
        # driver's connection: a statement through SQLAlchemy costs more than SQLite's BEGIN.
        connection.connection.driver_connection.execute(f"BEGIN {begin}")


def create_session_factory(bind: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay usable after commit."""
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=False)


class Database:
    """The engines and session factories of one database: one for reading, one for writing.

    On SQLite the writing engine holds a single connection: SQLite admits one writer at a time,
    and queueing writers in the pool is fair and fast, where letting them meet inside SQLite
    would make them sleep in its busy handler. On PostgreSQL both are the same engine.

    A SQLite file opened by `from_url` does not checkpoint its write-ahead log in the commit
    that fills it (that commit would copy pages and fsync while every writer waits): the owner
    calls `checkpoint` in the background instead, then `finish_checkpoint` on the thread that
    writes (`wal_checkpoints` says whether it must).

    Units of work (`read`, `write`, `execute`) are plain functions of a Session or a
    Connection. On PostgreSQL with psycopg, requests run them on the event loop through the
    async twin of the engine (`read_async`, ...): SQLAlchemy runs the same synchronous code
    in a greenlet and awaits each statement, so a request's round trips cost no thread hop
    and no wait for the GIL (a worker thread coming back from the database waits up to the
    interpreter's switch interval, 5 ms, while the event loop computes).

    On a SQLite file, the thread that runs requests' work (the event loop's, where it runs
    inline) can hold a connection of its own (`hold_connection`): its statement-only writes
    (`execute`) and direct reads (`read_rows`) then run on it, with no checkout from a pool
    and no new SQLAlchemy Connection each time.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        write_engine: Engine | None = None,
        session_factory: sessionmaker[Session] | None = None,
        read_session_factory: sessionmaker[Session] | None = None,
        wal_checkpoints: bool = False,
        joined_to: Connection | None = None,
        async_pool_size: int = POSTGRES_ASYNC_POOL_SIZE,
        holds_connection: bool = False,
    ) -> None:
        self.engine = engine
        self.write_engine = write_engine or engine
        self.session_factory = session_factory or create_session_factory(self.write_engine)
        self.read_session_factory = read_session_factory or create_session_factory(engine)
        self.runs_inline = engine.dialect.name == "sqlite"
        # sqlite3 runs in autocommit already (isolation_level=None); psycopg does on request.
        self._autocommit_on_request = engine.dialect.name == "postgresql"
        # A joined Database works inside its owner's transaction, which is synchronous.
        self.async_engine: AsyncEngine | None = None
        self._async_connections: AsyncConnections | None = None
        if (
            engine.dialect.name == "postgresql"
            and engine.dialect.driver == "psycopg"
            and joined_to is None
        ):
            self.async_engine, self._async_connections = create_async_twin(
                engine, pool_size=async_pool_size
            )
        self.wal_checkpoints = wal_checkpoints
        self._joined_to = joined_to
        # A connection held per thread (`hold_connection`), made by an engine without a pool:
        # it is the holder's own, and takes no place in the pools of other threads.
        self._holds_connection = holds_connection
        self._holding_engine: Engine | None = None
        self._held: dict[int, Connection] = {}

    @classmethod
    def from_url(cls, url: str, *, async_pool_size: int = POSTGRES_ASYNC_POOL_SIZE) -> "Database":
        """The database at `url`; on PostgreSQL, this process's requests share up to
        `async_pool_size` connections."""
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            return cls(create_db_engine(url), async_pool_size=async_pool_size)
        return cls(
            create_db_engine(
                url,
                begin="DEFERRED",
                pool_size=8,
                max_overflow=32,
                pool_timeout=CHECKOUT_TIMEOUT_SECONDS,
            ),
            write_engine=create_db_engine(
                url,
                begin="IMMEDIATE",
                autocheckpoint=False,
                pool_size=1,
                max_overflow=0,
                pool_timeout=CHECKOUT_TIMEOUT_SECONDS,
            ),
            wal_checkpoints=True,
            holds_connection=True,
        )

    @classmethod
    def joined(cls, connection: Connection) -> "Database":
        """A Database whose sessions, write transactions and direct reads all run in
        `connection`'s open transaction (savepoints for the writes), so its owner can roll
        back everything they did: the tests do."""
        factory = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        return cls(
            connection.engine,
            session_factory=factory,
            read_session_factory=factory,
            joined_to=connection,
        )

    @contextmanager
    def write_transaction(self) -> Iterator[Connection]:
        """A transaction on a writing connection, committed when the block succeeds: for work
        made of statements only, which needs no Session and its bookkeeping."""
        if self._joined_to is not None:
            with self._joined_to.begin_nested():
                yield self._joined_to
            return
        with self.write_engine.begin() as connection:
            yield connection

    def hold_connection(self) -> None:
        """On a SQLite file, open a connection for the calling thread and keep it for its
        `execute` and `read_rows` until `release_connection`. The event loop runs requests'
        work inline on SQLite: its units of work then skip a pool's checkout and checkin and the
        set-up of a SQLAlchemy Connection (4% of the instructions of a write-then-read request,
        `make bench-instructions`). Its reads run on the connection that wrote last, whose page
        cache is current: a reading connection finds the database changed after every write,
        drops its cache and reads the pages again. Other threads keep using the pools. Nothing
        to do on other databases."""
        thread = threading.get_ident()
        if not self._holds_connection or thread in self._held:
            return
        if self._holding_engine is None:
            self._holding_engine = create_db_engine(
                self.write_engine.url.render_as_string(hide_password=False),
                begin="IMMEDIATE",
                autocheckpoint=False,
                poolclass=NullPool,
            )
        self._held[thread] = self._holding_engine.connect()

    def release_connection(self) -> None:
        """Close the connection the calling thread holds, if any."""
        held = self._held.pop(threading.get_ident(), None)
        if held is not None:
            held.close()

    def read(self, work: Callable[[Session], T]) -> T:
        """`work(session)` in a read-only transaction, ended when it returns."""
        # Closing ends the transaction and detaches what `work` loaded, keeping its values
        # (a rollback would expire them).
        with self.read_session_factory() as session:
            return work(session)

    def write(self, work: Callable[[Session], T]) -> T:
        """`work(session)`, committed when it returns; nothing is kept if it raises."""
        with self.session_factory() as session:
            try:
                result = work(session)
                session.commit()
            except BaseException:
                session.rollback()
                raise
        return result

    def execute(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` in a write transaction (`write_transaction`, or on the connection
        this thread holds), committed when it returns."""
        held = self._held.get(threading.get_ident())
        if held is not None:
            with held.begin():
                return work(held)
        with self.write_transaction() as connection:
            return work(connection)

    async def read_async(self, work: Callable[[Session], T]) -> T:
        """`read`, its statements awaited on the event loop (needs `async_engine`)."""
        async with self._async_session() as session:
            return await session.run_sync(work)

    async def write_async(self, work: Callable[[Session], T]) -> T:
        """`write`, its statements awaited on the event loop (needs `async_engine`)."""
        async with self._async_session() as session, session.begin():
            return await session.run_sync(work)

    async def execute_async(self, work: Callable[[Connection], T]) -> T:
        """`execute`, its statements awaited on the event loop (needs `async_engine`)."""
        assert self.async_engine is not None
        async with self.async_engine.begin() as connection:
            return await connection.run_sync(work)

    def _async_session(self) -> AsyncSession:
        assert self.async_engine is not None
        return AsyncSession(self.async_engine, expire_on_commit=False, autoflush=False)

    def read_rows(self, statement: Prepared, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of `statement`, read by that one statement outside any transaction.

        For the hottest reads: it runs on a pooled DBAPI connection, skipping the Session and
        Connection layers (a tenth of their cost on SQLite). A single statement is atomic on
        its own and reads one snapshot, so it needs no transaction of ours: it runs in
        autocommit and sees the latest commit. On PostgreSQL that is one round trip (a
        transaction would add a BEGIN and a ROLLBACK).
        """
        if self._joined_to is not None:
            return statement.rows(self._joined_to, params)
        held = self._held.get(threading.get_ident())
        if held is not None:
            # In autocommit, outside any transaction: it sees the latest commit.
            return statement.rows(held, params)
        return self._rows_in_autocommit(self.engine, statement, params)

    def write_rows(self, statement: Prepared, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of `statement`, a write made of that one statement, which commits on its
        own (autocommit, as `read_rows` reads): no BEGIN and no COMMIT round trip, and the row
        locks it takes are held for that statement and its commit alone."""
        if self._joined_to is not None:
            with self._joined_to.begin_nested():
                return statement.rows(self._joined_to, params)
        return self._rows_in_autocommit(self.write_engine, statement, params)

    def _rows_in_autocommit(
        self, engine: Engine, statement: Prepared, params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        connection = engine.raw_connection()
        try:
            driver: Any = connection.driver_connection
            if not self._autocommit_on_request:
                return statement.rows_on(driver, engine.dialect, params)
            driver.autocommit = True  # no round trip: the pool hands out idle ones
            try:
                return statement.rows_on(driver, engine.dialect, params)
            finally:
                if not driver.closed:
                    driver.autocommit = False
        finally:
            connection.close()  # back to the pool, which ends the driver's transaction

    async def read_rows_async(
        self, statement: Prepared, params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """`read_rows`, awaited on the event loop (needs `async_engine`). A connection the
        server has closed since its last use (a restart) is dropped and the read tried once
        more on a new one, so a restart costs no request."""
        for attempt in (1, 2):
            try:
                return await self._rows_in_autocommit_async(statement, params)
            except psycopg.OperationalError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def write_rows_async(
        self, statement: Prepared, params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """`write_rows`, awaited on the event loop (needs `async_engine`). Unlike a read, a
        write whose connection fails is not tried again: it may have committed."""
        return await self._rows_in_autocommit_async(statement, params)

    def write_rows_together(
        self, statement: Prepared, many: Sequence[Mapping[str, Any]]
    ) -> list[list[tuple[Any, ...]] | Exception]:
        """For each of `many` in order, the rows of `statement` written with them
        (`write_rows`), or the error of that write alone: the synchronous twin of
        `write_rows_together_async`, one write at a time. A lost connection fails them all."""
        outcomes: list[list[tuple[Any, ...]] | Exception] = []
        for params in many:
            try:
                outcomes.append(self.write_rows(statement, params))
            except psycopg.OperationalError:
                raise
            except Exception as exc:  # that write's failure, not its neighbours'
                outcomes.append(exc)
        return outcomes

    async def write_rows_together_async(
        self, statement: Prepared, many: Sequence[Mapping[str, Any]]
    ) -> list[list[tuple[Any, ...]] | Exception]:
        """For each of `many` in order, the rows of `statement` written with them, or the
        error of that write alone. Several writes are one transaction, sent and committed in
        one round trip (`Prepared.rows_together_async`): writers of one row wait for its lock
        once, and PostgreSQL flushes its log once. When one of them fails, the others are
        made again one by one, so that only it fails. A write alone goes in autocommit, as
        `write_rows_async` sends it. A lost connection fails them all: they may have
        committed."""
        assert self._async_connections is not None
        dialect = self.engine.dialect
        async with self._async_connections.autocommit() as connection:
            if len(many) > 1:
                try:
                    together = await statement.rows_together_async(connection, dialect, many)
                except psycopg.OperationalError:
                    raise
                except psycopg.Error:
                    pass  # rolled back: made again below, one by one
                else:
                    return list(together)
            outcomes: list[list[tuple[Any, ...]] | Exception] = []
            for params in many:
                try:
                    outcomes.append(await statement.rows_on_async(connection, dialect, params))
                except psycopg.OperationalError:
                    raise
                except psycopg.Error as exc:
                    outcomes.append(exc)
            return outcomes

    async def _rows_in_autocommit_async(
        self, statement: Prepared, params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        # Straight on a pooled psycopg connection, in autocommit: one round trip. A connection
        # that fails is closed, and the pool drops it when it comes back.
        assert self._async_connections is not None
        async with self._async_connections.autocommit() as connection:
            return await statement.rows_on_async(connection, self.engine.dialect, params)

    def checkpoint(self) -> None:
        """Copy what it can of SQLite's write-ahead log into the database file, without waiting
        for (or blocking) readers and the writer: a PASSIVE checkpoint, on a reading
        connection. Once the whole log is copied, the next write starts it over."""
        connection = self.engine.raw_connection()
        try:
            with closing(connection.cursor()) as cursor:
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
                cursor.fetchall()
        finally:
            connection.close()

    def finish_checkpoint(self) -> None:
        """On the connection the calling thread holds (`hold_connection`: the event loop's, which
        makes the requests' writes), copy into the database what the log gained since the last
        `checkpoint`, so that the next write starts the log over. Nothing to do on a thread
        that holds none.

        A checkpoint on another thread copies the log up to its last frame as it starts, while
        the writer goes on adding frames; SQLite starts the log over only at a write that finds
        all of it copied, so under steady writes it never does, and the log grows for as long
        as they last: 186 MB in 10 s of write then read. Every read then looks for each page it
        needs through an index of the whole log, and write then read answered 15% fewer
        requests a second after the earlier scenarios of `make bench` had filled the log.

        This one is a FULL checkpoint, which holds the write lock while it copies, so that no
        write comes between, not even another worker process's; and it does not wait for that
        lock (the event loop runs it): when another process holds it, the next round tries
        again. What is left to copy is a second's frames at most, copied in 1.6-2.6 ms under
        load with one worker (two flushes; up to 4.6 ms with two), after which the log stays
        under 40 MB with one worker and under 50 MB with two (238 MB in 10 s when the other
        worker's writes came between)."""
        held = self._held.get(threading.get_ident())
        if held is None:
            return
        driver = held.connection.dbapi_connection
        assert driver is not None  # held open until `release_connection`
        with closing(driver.cursor()) as cursor:
            cursor.execute("PRAGMA busy_timeout=0")
            try:
                cursor.execute("PRAGMA wal_checkpoint(FULL)")
                cursor.fetchall()
            finally:
                cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")

    async def fill_async_connections(self) -> None:
        """Open all the async twin's connections now and keep them open
        (`AsyncConnections.fill`); nothing to do on other databases."""
        if self._async_connections is not None:
            await self._async_connections.fill()

    async def close_async_connections(self) -> None:
        """Close the async twin's connections: they belong to the event loop that made them,
        and a later loop (a test's next client) opens its own."""
        if self.async_engine is not None:
            await self.async_engine.dispose()
        if self._async_connections is not None:
            await self._async_connections.close()

    def dispose(self) -> None:
        for held in self._held.values():
            held.close()
        self._held.clear()
        if self._holding_engine is not None:
            self._holding_engine.dispose()
        self.engine.dispose()
        self.write_engine.dispose()


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    with factory() as session, session.begin():
        yield session
