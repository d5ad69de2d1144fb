"""Fixtures and helpers of the migration tests: empty databases of each backend."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine

from models.migrate import alembic_config
from tests.databases import BACKENDS, new_engine


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of each backend with nothing in it."""
    with new_engine(request.param, tmp_path) as engine:
        yield engine


def run_alembic(engine: Engine, action: str, target: str) -> None:
    """`alembic upgrade|downgrade <target>` on `engine`, in one transaction."""
    with engine.begin() as connection:
        getattr(command, action)(alembic_config(connection), target)
