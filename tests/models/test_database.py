"""The Database's direct single-value reads and its SQLite write-ahead log checkpoints."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, bindparam, insert, select, text, update

from models import Learner
from models.database import Database
from models.migrate import upgrade_to_head
from tests.databases import BACKENDS, drop_engine, make_engine

VERSION_OF = select(Learner.progress_version).where(Learner.id == bindparam("learner_id"))


@pytest.fixture(params=BACKENDS)
def migrated_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(request.param, tmp_path)
    upgrade_to_head(engine)
    yield engine
    drop_engine(engine)


def _add_learner(engine: Engine) -> int:
    with engine.begin() as connection:
        return int(
            connection.execute(
                insert(Learner)
                .values(
                    email="reader@example.com",
                    password_hash="not a real hash",
                    display_name="Reader",
                )
                .returning(Learner.id)
            ).scalar_one()
        )


def test_a_direct_read_sees_the_latest_commit(migrated_engine: Engine):
    database = Database(migrated_engine)
    learner_id = _add_learner(migrated_engine)
    assert database.read_scalar(VERSION_OF, {"learner_id": learner_id}) == 0
    with migrated_engine.begin() as connection:
        connection.execute(update(Learner).values(progress_version=7))
    assert database.read_scalar(VERSION_OF, {"learner_id": learner_id}) == 7
    assert database.read_scalar(VERSION_OF, {"learner_id": learner_id + 1}) is None


def _wal_frames(database: Database) -> tuple[int, int]:
    """(frames in the log, frames of it already copied into the database file)."""
    with database.engine.connect() as connection:
        _busy, logged, copied = connection.execute(text("PRAGMA wal_checkpoint(PASSIVE)")).one()
    return logged, copied


def test_sqlite_writes_leave_the_log_to_the_background_checkpoint(tmp_path: Path):
    database = Database.from_url(f"sqlite:///{tmp_path / 'wal.db'}")
    upgrade_to_head(database.write_engine)
    learner_id = _add_learner(database.write_engine)
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
    assert database.read_scalar(VERSION_OF, {"learner_id": learner_id}) == 0
    database.dispose()
