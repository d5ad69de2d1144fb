"""A catalog edit made by another process reaches this process's snapshot."""

from fastapi.testclient import TestClient

from api.catalog.store import CatalogStore
from api.topics.schemas import TopicUpdate
from api.topics.service import update_topic
from models.database import Database


def test_another_processs_edit_is_noticed_by_the_version_check(
    client: TestClient, database: Database
):
    store: CatalogStore = client.app.state.catalog  # type: ignore[attr-defined]
    assert store.refresh_if_stale() is False  # nothing changed yet
    # Another process shares the database, not this process's snapshot.
    with database.session_factory() as session:
        update_topic(session, "transformers", TopicUpdate(estimated_hours=42), actor_id=None)
        session.commit()
    assert client.get("/api/v1/topics/transformers").json()["estimated_hours"] != 42
    assert store.refresh_if_stale() is True
    assert client.get("/api/v1/topics/transformers").json()["estimated_hours"] == 42
