"""The Database's direct single-value reads and its SQLite write-ahead log checkpoints."""

from pathlib import Path

from sqlalchemy import Engine, bindparam, select, text, update

from models import Learner
from models.database import Database
from models.migrate import upgrade_to_head
from models.prepared import Prepared
from tests.models.conftest import add_learner

VERSION_OF = Prepared(select(Learner.progress_version).where(Learner.id == bindparam("learner_id")))


def test_a_direct_read_sees_the_latest_commit(migrated_engine: Engine):
    database = Database(migrated_engine)
    learner_id = add_learner(migrated_engine)
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
    assert database.read_scalar(VERSION_OF, {"learner_id": learner_id}) == 0
    database.dispose()
