"""`skillpath serve --workers 2` on PostgreSQL: each worker opens all its pool's connections
before it serves, so a first burst of requests does not wait for the pool to grow one
connection at a time (models/async_connections.py, `fill`)."""

from pathlib import Path

from sqlalchemy import make_url, text

from bench import servers
from models.database import create_db_engine
from tests.conftest import TEST_SECRET
from tests.databases import fresh_database_url

WORKERS = 2
POOL_SIZE = 6


def backends_on(url: str) -> int:
    """How many PostgreSQL sessions are connected to the database at `url` (this one aside)."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": make_url(url).database},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_each_worker_opens_its_whole_pool_before_it_serves(tmp_path: Path):
    env = {
        "SKILLPATH_SECRET_KEY": TEST_SECRET,
        "SKILLPATH_DATABASE_POOL_SIZE": str(POOL_SIZE),
    }
    with (
        fresh_database_url("postgresql", tmp_path) as url,
        # Generous: two workers migrate and seed a fresh database on a shared test machine.
        servers.serve_skillpath_command(url, workers=WORKERS, extra_env=env, timeout=180),
    ):
        # Only start-up and the readiness checks have run: no request has needed a pooled
        # connection yet, and each worker holds its whole pool (beside the one or two
        # connections of its start-up and health checks).
        assert backends_on(url) >= WORKERS * POOL_SIZE
