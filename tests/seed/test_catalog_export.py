"""Catalog export: an export loads into an empty database and exports again to the same bytes."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from api.cli import main as cli_main
from api.settings import get_settings
from models.database import Database, transaction
from models.migrate import upgrade_to_head
from seed.exporter import dump_catalog, export_catalog
from seed.loader import load_catalog
from seed.schema import CatalogSeed, load_seed_catalog, parse_catalog
from tests.databases import new_engine

CYCLIC_CATALOG = """\
areas:
  - {slug: basics, title: Basics, description: The basics., position: 1}
topics:
  - {slug: egg, title: Egg, area: basics, level: 1, estimated_hours: 1.0, summary: An egg.,
     prerequisites: [hen]}
  - {slug: hen, title: Hen, area: basics, level: 1, estimated_hours: 1.0, summary: A hen.,
     prerequisites: [egg]}
"""


def content(catalog: CatalogSeed) -> dict[str, object]:
    """What a catalog says, regardless of the order its entries and lists are written in."""
    return {
        "areas": set(catalog.areas),
        "topics": {
            topic.model_copy(update={"prerequisites": frozenset(topic.prerequisites)})
            for topic in catalog.topics
        },
        "resources": {
            resource.model_copy(update={"topics": frozenset(resource.topics)})
            for resource in catalog.resources
        },
        "goals": {
            goal.model_copy(update={"targets": frozenset(goal.targets)}) for goal in catalog.goals
        },
        "questions": catalog.questions,
    }


def export_text(database: Database) -> str:
    with database.read_session_factory() as session:
        return dump_catalog(export_catalog(session))


@pytest.fixture
def cli_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Points the command line at a new SQLite file, which it migrates on first write."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SKILLPATH_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_an_export_loads_into_an_empty_database_and_exports_the_same(
    database: Database, tmp_path: Path
):
    exported = export_text(database)
    seed = load_seed_catalog()
    assert content(parse_catalog(yaml.safe_load(exported))) == content(seed)
    assert seed.questions

    with new_engine(database.engine.dialect.name, tmp_path) as engine:
        upgrade_to_head(engine)
        fresh = Database(engine)
        with transaction(fresh.session_factory) as session:
            load_catalog(session, parse_catalog(yaml.safe_load(exported)))
        assert export_text(fresh) == exported


def test_the_export_is_in_a_stable_order(database: Database):
    with database.read_session_factory() as session:
        catalog = export_catalog(session)
    assert [area.position for area in catalog.areas] == sorted(a.position for a in catalog.areas)
    assert [resource.url for resource in catalog.resources] == sorted(
        resource.url for resource in catalog.resources
    )
    assert [goal.slug for goal in catalog.goals] == sorted(goal.slug for goal in catalog.goals)
    for topic in catalog.topics:
        assert list(topic.prerequisites) == sorted(topic.prerequisites)
    for goal in catalog.goals:
        weights = [target.weight for target in goal.targets]
        assert weights == sorted(weights, reverse=True)


def test_the_command_line_round_trips_the_catalog(
    cli_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    first = tmp_path / "first.yaml"
    assert cli_main(["seed"]) == 0
    assert cli_main(["export-catalog", "--file", str(first)]) == 0

    monkeypatch.setenv("SKILLPATH_DATABASE_URL", f"sqlite:///{tmp_path / 'imported.db'}")
    get_settings.cache_clear()
    second = tmp_path / "second.yaml"
    assert cli_main(["import-catalog", "--file", str(first)]) == 0
    assert cli_main(["export-catalog", "--file", str(second)]) == 0

    assert second.read_bytes() == first.read_bytes()
    assert parse_catalog(yaml.safe_load(first.read_text(encoding="utf-8"))).questions


def test_import_catalog_refuses_a_bad_file_and_leaves_the_database_alone(
    cli_database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    assert cli_main(["seed"]) == 0
    database = Database.from_url(cli_database_url)
    try:
        before = export_text(database)
        bad = tmp_path / "cyclic.yaml"
        bad.write_text(CYCLIC_CATALOG, encoding="utf-8")
        capsys.readouterr()

        assert cli_main(["import-catalog", "--file", str(bad)]) == 2

        assert "prerequisite cycle: egg -> hen -> egg" in capsys.readouterr().err
        assert export_text(database) == before
    finally:
        database.dispose()


def test_export_catalog_writes_to_stdout(cli_database_url: str, capsys: pytest.CaptureFixture[str]):
    assert cli_main(["seed"]) == 0
    capsys.readouterr()

    assert cli_main(["export-catalog"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("areas:")
    assert parse_catalog(yaml.safe_load(out)).topics


def test_an_empty_catalog_is_refused_rather_than_exported_as_an_unloadable_file(
    cli_database_url: str, capsys: pytest.CaptureFixture[str]
):
    assert cli_main(["migrate"]) == 0
    capsys.readouterr()

    assert cli_main(["export-catalog"]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "catalog cannot be exported" in captured.err
