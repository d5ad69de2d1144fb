"""The seed loader: idempotent, updates by slug, and refuses a bad catalog without a trace."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Goal, GoalTarget, Prerequisite, Question, Resource, Topic
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
        for model in (Topic, Prerequisite, Resource, Goal, GoalTarget, Question)
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
        assert before["questions"] == sum(len(bank) for bank in catalog.questions.values())


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


def _question_rows(session: Session, slug: str) -> list[tuple[int, str, int]]:
    return [
        (question.id, question.prompt, question.position)
        for question in session.scalars(
            select(Question)
            .join(Topic, Topic.id == Question.topic_id)
            .where(Topic.slug == slug)
            .order_by(Question.position, Question.id)
        )
    ]


def test_a_topics_questions_become_the_files_matched_by_position(
    database: Database, catalog: CatalogSeed
):
    slug = "calculus"
    first, *rest = catalog.questions[slug]
    reworded = first.model_copy(update={"prompt": "Reworded?"})
    extra = first.model_copy(update={"prompt": "One more?"})
    grown = catalog.model_copy(
        update={"questions": {**catalog.questions, slug: (reworded, *rest, extra)}}
    )
    with database.session_factory() as session:
        before = _question_rows(session, slug)
        version = current_catalog_version(session)

        report = load_catalog(session, grown)

        after = _question_rows(session, slug)
        assert report.changes > 0
        assert [row[0] for row in after[: len(before)]] == [row[0] for row in before]  # same ids
        assert [row[1] for row in after] == ["Reworded?", *(q.prompt for q in rest), "One more?"]
        assert [row[2] for row in after] == list(range(len(before) + 1))
        assert current_catalog_version(session) == version + 1

        report = load_catalog(session, catalog)

        assert report.changes == 2  # the prompt restored, the extra question deleted
        assert _question_rows(session, slug) == before


def test_topics_the_file_gives_no_questions_keep_theirs(database: Database, catalog: CatalogSeed):
    without = catalog.model_copy(update={"questions": {}})
    with database.session_factory() as session:
        before = _question_rows(session, "calculus")
        assert load_catalog(session, without).changes == 0
        assert _question_rows(session, "calculus") == before
