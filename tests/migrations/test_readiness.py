"""`/health/ready` answers 503 while the database is unreachable or behind the code's newest
migration, and 200 once it is reachable and migrated (DESIGN.md §3)."""

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from models.database import Database
from models.migrate import head_revision
from tests.api.test_catalog_reads import assert_problem
from tests.conftest import make_settings
from tests.migrations.conftest import run_alembic

# Nothing listens on port 1.
UNREACHABLE_POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:1/gone?connect_timeout=2"


def test_ready_fails_while_the_database_is_behind_on_migrations(empty_engine: Engine):
    run_alembic(empty_engine, "upgrade", "head")
    run_alembic(empty_engine, "downgrade", "-1")
    database = Database(empty_engine)
    with TestClient(create_app(make_settings(), database=database)) as client:
        problem = assert_problem(client.get("/health/ready"), 503)
        assert str(head_revision()) in problem["detail"]
        assert client.get("/health/live").json() == {"status": "ok"}
        run_alembic(empty_engine, "upgrade", "head")
        assert client.get("/health/ready").json() == {"status": "ok"}


def test_ready_fails_while_the_database_is_unreachable(empty_engine: Engine, tmp_path: Path):
    run_alembic(empty_engine, "upgrade", "head")
    app = create_app(make_settings(), database=Database(empty_engine))
    with TestClient(app) as client:
        assert client.get("/health/ready").json() == {"status": "ok"}
        # A folder is no SQLite database file: opening it fails like a lost disk would.
        url = UNREACHABLE_POSTGRESQL if empty_engine.dialect.name == "postgresql" else None
        gone = Database.from_url(url or f"sqlite:///{tmp_path}")
        try:
            # The database goes away under the running app (its catalog snapshot stays).
            app.state.database = gone
            problem = assert_problem(client.get("/health/ready"), 503)
            assert "unreachable" in problem["detail"]
            assert client.get("/health/live").json() == {"status": "ok"}
        finally:
            gone.dispose()
