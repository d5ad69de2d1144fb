"""Fixtures of the model-layer tests: migrated, empty databases of each backend."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from models import Learner
from models.migrate import upgrade_to_head
from tests.databases import BACKENDS, drop_engine, make_engine


@pytest.fixture(params=BACKENDS)
def migrated_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(request.param, tmp_path)
    upgrade_to_head(engine)
    yield engine
    drop_engine(engine)


def add_learner(engine: Engine) -> int:
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
