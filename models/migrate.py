"""Run Alembic migrations from code: at start-up, from the CLI and in tests."""

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Any constant works; it only has to be the same in every process of the service.
_PG_STARTUP_LOCK = 0x5C111_9A7
_PROCESS_LOCK = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for skillpath's migrations, bound to `connection` if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["configure_logging"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def startup_lock(engine: Engine) -> Iterator[None]:
    """Hold a database-wide lock while a process migrates and seeds at start-up.

    Several processes starting together (uvicorn workers, replicas) then take turns: the first
    migrates and seeds, the others wait for it however long it takes, then find nothing left to
    do. On PostgreSQL this is an advisory lock; on SQLite, a lock on a file beside the
    database's (`<database>-startup.lock`): SQLite's own write lock is held only for a
    transaction, and a process waits for it only as long as its busy timeout (5 s), which a
    loaded machine's migration and seeding outlast. Within a process a plain lock is taken too,
    as Alembic's migration context is process-global.
    """
    with _PROCESS_LOCK:
        if engine.dialect.name == "postgresql":
            with _advisory_lock(engine):
                yield
        else:
            with _file_lock(engine.url.database):
                yield


@contextmanager
def _file_lock(database: str | None) -> Iterator[None]:
    """An exclusive lock on a file beside the SQLite database file `database` (none for an
    in-memory database, which one process alone sees)."""
    if database in (None, "", ":memory:"):
        yield
        return
    with open(f"{database}-startup.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)


@contextmanager
def _advisory_lock(engine: Engine) -> Iterator[None]:
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_STARTUP_LOCK})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_STARTUP_LOCK})
            connection.commit()


def upgrade_to_head(engine: Engine) -> None:
    """Migrate the database to the newest revision (under `startup_lock` when processes race),
    in one transaction.

    Where Alembic takes DDL for non-transactional (SQLite), it commits each migration on its
    own; begun here, the transaction is the caller's, and every migration runs in it. Another
    process sees the upgrade whole or not at all, and a migration that fails leaves none made.
    (With a commit after each, a process starting beside this one on SQLite without the
    start-up lock took the database's write lock in between, read a revision half way, and made
    the later migrations a second time: "index ... already exists".)"""
    with engine.connect() as connection, connection.begin():
        command.upgrade(alembic_config(connection), "head")


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def database_revision(connection: Connection) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    revision: str | None = connection.execute(
        text("SELECT version_num FROM alembic_version")
    ).scalar()
    return revision
