"""Alembic is the only way the schema is made: it upgrades, downgrades and matches the models."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from models import Base
from models.migrate import alembic_config, database_revision, head_revision, upgrade_to_head
from tests.migrations.conftest import run_alembic


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(empty_engine: Engine):
    upgrade_to_head(empty_engine)
    assert _tables(empty_engine) == set(Base.metadata.tables)
    run_alembic(empty_engine, "downgrade", "base")
    assert _tables(empty_engine) == set()
    run_alembic(empty_engine, "upgrade", "head")
    with empty_engine.connect() as connection:
        assert database_revision(connection) == head_revision()


def test_models_and_migrations_do_not_drift(empty_engine: Engine):
    upgrade_to_head(empty_engine)
    with empty_engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert differences == []


def test_every_revision_downgrades_one_step_at_a_time(empty_engine: Engine):
    upgrade_to_head(empty_engine)
    revisions = list(ScriptDirectory.from_config(alembic_config()).walk_revisions())
    for _revision in revisions:
        run_alembic(empty_engine, "downgrade", "-1")
    assert _tables(empty_engine) == set()
