"""Engine and session set-up for SQLite and PostgreSQL."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 5000
SqliteBegin = Literal["DEFERRED", "IMMEDIATE"]


def create_db_engine(url: str, *, begin: SqliteBegin = "IMMEDIATE", **options: Any) -> Engine:
    """Create the engine for `url`; on SQLite, transactions start with `BEGIN {begin}`."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        options.setdefault("pool_pre_ping", True)
        return create_engine(url, **options)

    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    engine = create_engine(url, connect_args=connect_args, **options)
    _configure_sqlite(engine, begin)
    return engine


def _configure_sqlite(engine: Engine, begin: SqliteBegin) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that SQLAlchemy's BEGIN (below) is the
        # only one, and SAVEPOINTs behave as documented.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers BEGIN IMMEDIATE: they take the write lock up front and never have to upgrade
        # a read lock later, which is where SQLite answers "database is locked". Readers BEGIN
        # DEFERRED: under WAL they read a snapshot and never wait for a writer.
        connection.exec_driver_sql(f"BEGIN {begin}")


def create_session_factory(bind: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay usable after commit."""
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=False)


class Database:
    """The engines and session factories of one database: one for reading, one for writing.

    On SQLite the writing engine holds a single connection: SQLite admits one writer at a time,
    and queueing writers in the pool is fair and fast, where letting them meet inside SQLite
    would make them sleep in its busy handler. On PostgreSQL both are the same engine.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        write_engine: Engine | None = None,
        session_factory: sessionmaker[Session] | None = None,
        read_session_factory: sessionmaker[Session] | None = None,
    ) -> None:
        self.engine = engine
        self.write_engine = write_engine or engine
        self.session_factory = session_factory or create_session_factory(self.write_engine)
        self.read_session_factory = read_session_factory or create_session_factory(engine)
        self.runs_inline = engine.dialect.name == "sqlite"

    @classmethod
    def from_url(cls, url: str) -> "Database":
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            return cls(create_db_engine(url))
        return cls(
            create_db_engine(url, begin="DEFERRED", pool_size=8, max_overflow=32),
            write_engine=create_db_engine(
                url, begin="IMMEDIATE", pool_size=1, max_overflow=0, pool_timeout=30
            ),
        )

    def dispose(self) -> None:
        self.engine.dispose()
        self.write_engine.dispose()


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    with factory() as session, session.begin():
        yield session
