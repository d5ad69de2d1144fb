"""What a running app does on its own: it notices other processes' catalog edits, and on a
SQLite file it checkpoints the write-ahead log, off the request path."""

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import app as app_module
from api.app import create_app
from api.topics.schemas import TopicUpdate
from api.topics.service import update_topic
from models.database import Database, transaction
from tests.conftest import make_settings

PATIENCE_SECONDS = 10


def _eventually(check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def test_a_running_app_sees_edits_and_checkpoints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'running.db'}"
    monkeypatch.setattr(app_module, "CHECKPOINT_SECONDS", 0.05)
    database = Database.from_url(url)
    checkpoints: list[float] = []
    checkpoint = database.checkpoint

    def counted_checkpoint() -> None:
        checkpoints.append(time.monotonic())
        checkpoint()

    monkeypatch.setattr(database, "checkpoint", counted_checkpoint)
    settings = make_settings(
        database_url=url, migrate_on_start=True, seed_on_start=True, catalog_poll_seconds=0.05
    )
    other_process = Database.from_url(url)
    try:
        with TestClient(create_app(settings, database=database)) as client:
            assert _eventually(lambda: len(checkpoints) >= 2)
            with transaction(other_process.session_factory) as session:
                update_topic(
                    session, "transformers", TopicUpdate(estimated_hours=42), actor_id=None
                )
            assert _eventually(
                lambda: client.get("/api/v1/topics/transformers").json()["estimated_hours"] == 42
            )
    finally:
        other_process.dispose()
        database.dispose()
