"""Two admins adding opposite edges at the same moment can never form a cycle together."""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from api.errors import Conflict
from api.topics.service import add_prerequisite
from models import Prerequisite
from models.database import Database, transaction
from models.migrate import upgrade_to_head
from seed.loader import load_catalog
from seed.schema import parse_catalog
from tests.databases import BACKENDS, new_engine
from tests.threads import start_and_join

ROUNDS = 15


def tiny_catalog(*slugs: str) -> dict:
    return {
        "areas": [{"slug": "math", "title": "Math", "description": "Numbers.", "position": 1}],
        "topics": [
            {
                "slug": slug,
                "title": slug.title(),
                "area": "math",
                "level": 1,
                "estimated_hours": 1,
                "summary": f"All about {slug}.",
            }
            for slug in slugs
        ],
    }


@pytest.fixture(params=BACKENDS)
def committed_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database whose writes really commit, so concurrent transactions meet."""
    with new_engine(request.param, tmp_path) as engine:
        upgrade_to_head(engine)
        database = Database(engine)
        with transaction(database.session_factory) as session:
            load_catalog(session, parse_catalog(tiny_catalog("alpha", "beta")))
        yield database


def race_edges(database: Database, *edges: tuple[str, str]) -> list[str]:
    """Add each (topic, prerequisite) edge from its own thread, all released at once."""
    start = threading.Barrier(len(edges))
    results: list[str] = ["not run"] * len(edges)

    def add(index: int, topic: str, prerequisite: str) -> None:
        start.wait()
        try:
            with transaction(database.session_factory) as session:
                add_prerequisite(
                    session, topic_slug=topic, prerequisite_slug=prerequisite, actor_id=None
                )
            results[index] = "added"
        except Conflict:
            results[index] = "refused"

    threads = [threading.Thread(target=add, args=(i, *edge)) for i, edge in enumerate(edges)]
    start_and_join(threads, timeout=30)
    return results


def test_opposite_edges_added_at_once_never_form_a_cycle(committed_database: Database):
    for _ in range(ROUNDS):
        with transaction(committed_database.session_factory) as session:
            session.execute(delete(Prerequisite))
        results = race_edges(committed_database, ("alpha", "beta"), ("beta", "alpha"))
        assert sorted(results) == ["added", "refused"]
        with committed_database.session_factory() as session:
            assert len(session.scalars(select(Prerequisite)).all()) == 1
