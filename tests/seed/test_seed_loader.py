"""The seed loader: idempotent, updates by slug, and refuses a bad catalog without a trace."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Goal, GoalTarget, Prerequisite, Resource, Topic
from models.catalog_version import current_catalog_version
from models.database import Database
from seed.loader import load_catalog
from seed.schema import CatalogSeed, load_seed_catalog


@pytest.fixture
def catalog() -> CatalogSeed:
    return load_seed_catalog()


def counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Topic, Prerequisite, Resource, Goal, GoalTarget)
    }


def test_loading_the_seed_again_changes_nothing(database: Database, catalog: CatalogSeed):
    with database.session_factory() as session:
        before = counts(session)
        version = current_catalog_version(session)
        report = load_catalog(session, catalog)
        assert report.changes == 0
        assert current_catalog_version(session) == version
        assert counts(session) == before
        assert before["topics"] == len(catalog.topics)
        assert before["prerequisites"] == len(catalog.edges())


def test_a_changed_entry_is_updated_by_slug(database: Database, catalog: CatalogSeed):
    first = catalog.topics[0]
    renamed = first.model_copy(update={"title": "A better title", "prerequisites": ()})
    changed = catalog.model_copy(update={"topics": (renamed, *catalog.topics[1:])})
    with database.session_factory() as session:
        before = counts(session)
        version = current_catalog_version(session)
        report = load_catalog(session, changed)
        topic = session.scalar(select(Topic).where(Topic.slug == first.slug))
        assert topic is not None
        assert topic.title == "A better title"
        assert report.changes == 1 + len(first.prerequisites)
        assert counts(session)["topics"] == before["topics"]
        assert current_catalog_version(session) == version + 1
