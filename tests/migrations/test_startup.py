"""Start-up migrates, seeds and ensures the admin once, even when processes start together."""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from api.startup import prepare_database
from models import Area, Learner, Topic
from models.database import Database
from tests.conftest import make_settings
from tests.databases import BACKENDS, drop_engine, make_engine
from tests.threads import start_and_join

STARTING_PROCESSES = 3


@pytest.fixture(params=BACKENDS)
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    engine = make_engine(request.param, tmp_path)
    database = Database(engine)
    yield database
    drop_engine(engine)


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
