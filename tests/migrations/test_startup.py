"""Start-up migrates, seeds and ensures the admin once, even when processes start together."""

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, func, select

from api.startup import prepare_database
from models import Area, Learner, Topic
from models.database import Database, create_db_engine
from models.migrate import database_revision, head_revision, startup_lock, upgrade_to_head
from tests.conftest import make_settings
from tests.databases import BACKENDS, new_engine
from tests.threads import start_and_join

STARTING_PROCESSES = 3


@pytest.fixture(params=BACKENDS)
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with new_engine(request.param, tmp_path) as engine:
        yield Database(engine)


def test_processes_starting_together_prepare_the_database_once(fresh_database: Database):
    settings = make_settings(
        migrate_on_start=True,
        seed_on_start=True,
        admin_email="root@example.com",
        admin_password=SecretStr("an admin passphrase"),
    )
    start = threading.Barrier(STARTING_PROCESSES)
    failures: list[BaseException] = []

    def start_up() -> None:
        start.wait()
        try:
            prepare_database(fresh_database, settings)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=start_up) for _ in range(STARTING_PROCESSES)]
    start_and_join(threads, timeout=120)
    assert failures == []
    with fresh_database.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Area)) == 4
        assert (session.scalar(select(func.count()).select_from(Topic)) or 0) >= 40
        assert session.scalar(select(func.count()).select_from(Learner)) == 1


def test_others_see_an_upgrade_whole_or_not_at_all(fresh_database: Database):
    # An upgrade is one transaction. On SQLite, Alembic used to commit each migration on its
    # own: a process starting beside it took the database's write lock in between, read a
    # revision half way, made the later migrations a second time ("index ... already exists")
    # and failed to start.
    seen: set[str | None] = set()
    done = threading.Event()

    def upgrade() -> None:
        try:
            upgrade_to_head(fresh_database.write_engine)
        finally:
            done.set()

    reading = _reader(fresh_database)
    upgrading = threading.Thread(target=upgrade)
    upgrading.start()
    try:
        with reading.connect() as reader:
            while not done.is_set():
                seen.add(database_revision(reader))
                reader.rollback()  # the next read sees the latest commit
                time.sleep(0.001)
            upgrading.join(timeout=120)
            assert database_revision(reader) == head_revision()
    finally:
        if reading is not fresh_database.engine:
            reading.dispose()
    assert seen <= {None, head_revision()}


# A process of the service at start-up: it says when it asks for the start-up lock, and when
# it holds it.
_STARTING = """
import sys
from models.database import create_db_engine
from models.migrate import startup_lock
engine = create_db_engine(sys.argv[1])
print("asking", flush=True)
with startup_lock(engine):
    print("holding", flush=True)
"""
REPOSITORY = Path(__file__).resolve().parents[2]


def test_on_sqlite_a_process_waits_for_the_one_holding_the_start_up_lock(tmp_path: Path):
    # However long the holder migrates and seeds: SQLite's own lock would give up after its
    # busy timeout, and the process would fail to start.
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    engine = create_db_engine(url)
    try:
        with startup_lock(engine):
            starting = subprocess.Popen(
                [sys.executable, "-c", _STARTING, url],
                stdout=subprocess.PIPE,
                text=True,
                cwd=REPOSITORY,
            )
            assert starting.stdout is not None
            assert starting.stdout.readline() == "asking\n"
            time.sleep(1)
            assert starting.poll() is None
        assert starting.stdout.readline() == "holding\n"
        assert starting.wait(timeout=60) == 0
    finally:
        engine.dispose()


def _reader(database: Database) -> Engine:
    """Reads of `database` that never wait for its writer, as another process's would: on
    SQLite, a reader's own engine (BEGIN DEFERRED, under WAL); PostgreSQL's readers never
    wait."""
    if database.engine.dialect.name != "sqlite":
        return database.engine
    return create_db_engine(database.engine.url.render_as_string(), begin="DEFERRED")
