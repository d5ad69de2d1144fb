"""The seed's round-2 changes reach a database seeded before them (DESIGN.md §7): upgraded, it
holds the same catalog as a fresh install, learners' records stay, and downgrading puts round 1
back.

`round1_catalog.yaml` and `round1_questions.yaml` are the seed files as shipped before round 2,
kept as they were: what an existing install was seeded with.
"""

from pathlib import Path

from sqlalchemy import Engine, func, select

from api.progress.schemas import ProgressWrite
from api.progress.service import save_progress
from models import Progress
from models.database import Database, transaction
from seed.exporter import dump_catalog, export_catalog
from seed.loader import load_catalog
from seed.paths import DEFAULT_CATALOG_PATH, DEFAULT_QUESTIONS_PATH
from seed.schema import (
    load_catalog_file,
    load_seed_catalog,
)
from tests.migrations.conftest import run_alembic

ROUND_1_CATALOG = Path(__file__).with_name("round1_catalog.yaml")
ROUND_1_QUESTIONS = Path(__file__).with_name("round1_questions.yaml")
BEFORE_ROUND_2 = "0008"


def _seed(engine: Engine, path: Path) -> None:
    questions = ROUND_1_QUESTIONS if path == ROUND_1_CATALOG else DEFAULT_QUESTIONS_PATH
    with transaction(Database(engine).session_factory) as session:
        load_catalog(session, load_catalog_file(path, questions=questions))


def _export(engine: Engine) -> str:
    with Database(engine).read_session_factory() as session:
        return dump_catalog(export_catalog(session))


def _fresh_export(engine: Engine, *, revision: str, path: Path) -> str:
    run_alembic(engine, "upgrade", revision)
    _seed(engine, path)
    exported = _export(engine)
    run_alembic(engine, "downgrade", "base")
    return exported


def _record_progress(engine: Engine, slug: str) -> None:
    with Database(engine).write_transaction() as connection:
        learner_id = connection.exec_driver_sql(
            "INSERT INTO learners (email, display_name, role, password_hash, created_at, "
            "progress_version) VALUES ('old@example.com', 'Old', 'learner', 'x', "
            "CURRENT_TIMESTAMP, 0) RETURNING id"
        ).scalar_one()
        save_progress(
            connection,
            learner_id=learner_id,
            topic_slug=slug,
            body=ProgressWrite(status="completed"),
            if_match=None,
            retention=0.9,
        )


def _progress_rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Progress)) or 0


def test_an_install_seeded_before_round_2_upgrades_to_what_a_fresh_one_holds(
    empty_engine: Engine,
):
    fresh = _fresh_export(empty_engine, revision="head", path=DEFAULT_CATALOG_PATH)
    round_1 = _fresh_export(empty_engine, revision=BEFORE_ROUND_2, path=ROUND_1_CATALOG)
    assert fresh != round_1
    assert "slug: classical-classifiers" in fresh
    assert "slug: classical-classifiers" not in round_1

    run_alembic(empty_engine, "upgrade", BEFORE_ROUND_2)
    _seed(empty_engine, ROUND_1_CATALOG)
    _record_progress(empty_engine, "gradient-descent")
    run_alembic(empty_engine, "upgrade", "head")
    assert _export(empty_engine) == fresh
    assert _progress_rows(empty_engine) == 1

    # Seeding again after the upgrade (as start-up does when a catalog is missing) finds
    # nothing to change.
    with transaction(Database(empty_engine).session_factory) as session:
        report = load_catalog(session, load_seed_catalog())
    assert report.changes == 0

    run_alembic(empty_engine, "downgrade", BEFORE_ROUND_2)
    assert _export(empty_engine) == round_1
    assert _progress_rows(empty_engine) == 1
    run_alembic(empty_engine, "upgrade", "head")
    assert _export(empty_engine) == fresh


def test_a_fresh_install_is_left_for_the_seed(empty_engine: Engine):
    run_alembic(empty_engine, "upgrade", "head")
    with empty_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM topics").scalar_one() == 0
        assert connection.exec_driver_sql("SELECT version FROM catalog_state").scalar() == 0
