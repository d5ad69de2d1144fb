"""A database seeded before the question bank existed gets it from migration 0007, by topic
slug, and then holds what a fresh install holds."""

from sqlalchemy import Engine, select

from models import Question, Topic
from models.database import Database, transaction
from seed.loader import load_catalog
from seed.paths import DEFAULT_CATALOG_PATH
from seed.schema import load_catalog_file, load_seed_catalog
from tests.migrations.conftest import run_alembic

BEFORE_QUESTIONS = "0005"


def _questions_by_topic(database: Database) -> dict[str, list[tuple[object, ...]]]:
    with database.read_session_factory() as session:
        rows = session.execute(
            select(Topic.slug, Question)
            .join(Topic, Topic.id == Question.topic_id)
            .order_by(Topic.slug, Question.position)
        ).all()
    found: dict[str, list[tuple[object, ...]]] = {}
    for slug, question in rows:
        content = tuple(getattr(question, name) for name in Question.CONTENT)
        found.setdefault(slug, []).append((*content, question.position))
    return found


def test_an_upgraded_install_gets_the_shipped_questions(empty_engine: Engine):
    run_alembic(empty_engine, "upgrade", BEFORE_QUESTIONS)
    database = Database(empty_engine)
    # Seeded as before this change: the catalog file alone, into the tables of revision 0005.
    with transaction(database.session_factory) as session:
        load_catalog(session, load_catalog_file(DEFAULT_CATALOG_PATH))

    run_alembic(empty_engine, "upgrade", "head")

    seed = load_seed_catalog()
    assert _questions_by_topic(database) == {
        slug: [
            (q.prompt, list(q.choices), q.right_choice, q.explanation, q.level, position)
            for position, q in enumerate(bank)
        ]
        for slug, bank in sorted(seed.questions.items())
    }
    # Nothing is left for the seed loader to do: upgraded and fresh installs match.
    with transaction(database.session_factory) as session:
        assert load_catalog(session, seed).changes == 0


def test_a_fresh_install_migrates_before_it_seeds_and_gets_no_questions_twice(
    empty_engine: Engine,
):
    run_alembic(empty_engine, "upgrade", "head")
    database = Database(empty_engine)
    assert _questions_by_topic(database) == {}
    with transaction(database.session_factory) as session:
        load_catalog(session, load_seed_catalog())
    seed = load_seed_catalog()
    assert {slug: len(bank) for slug, bank in _questions_by_topic(database).items()} == {
        slug: len(bank) for slug, bank in seed.questions.items()
    }
