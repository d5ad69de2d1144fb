"""Fixtures of the model-layer tests: migrated, empty databases of each backend."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from models import Learner
from models.migrate import upgrade_to_head
from tests.databases import BACKENDS, new_engine


@pytest.fixture(params=BACKENDS)
def migrated_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with new_engine(request.param, tmp_path) as engine:
        upgrade_to_head(engine)
        yield engine


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
