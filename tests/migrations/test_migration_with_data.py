"""Upgrading a database that already holds learners' data keeps every row and value.

The data is written with Core inserts into the tables as they are at the revision that created
the learner tables (reflected, not the models of today), then the database is upgraded to head
and read back through the app's own read paths.
"""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, MetaData, Table, func, inspect, select

from api.app import create_app
from api.auth.security import create_access_token
from api.progress import service
from api.progress.schemas import ProgressWrite
from models.database import Database
from models.migrate import database_revision, head_revision
from tests.conftest import TEST_SECRET, make_settings
from tests.migrations.conftest import run_alembic

# The revision that created learners, progress and progress_events: every later revision runs
# over tables that may already hold learners' data.
LEARNER_DATA_REVISION = "0002"
TOPIC = "gradient-descent"
WHEN = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
FIRST = {"status": "in_progress", "mastery": 20, "hours_spent": 3.5, "notes": "started"}
SECOND = {"status": "completed", "mastery": 85, "hours_spent": 11.0, "notes": "done ✓"}


def _insert(connection: Connection, table: Table, **values: object) -> int:
    """Insert one row; its primary key."""
    key = connection.execute(table.insert().values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def _insert_learner_data(engine: Engine) -> int:
    """A small catalog, a learner with a twice-changed record and its history; the learner id."""
    with engine.begin() as connection:
        tables = MetaData()
        tables.reflect(bind=connection)
        table = tables.tables
        area_id = _insert(
            connection,
            table["areas"],
            slug="math",
            title="Math",
            description="Numbers.",
            position=1,
        )
        topic_ids = [
            _insert(
                connection,
                table["topics"],
                slug=slug,
                title=slug.title(),
                summary=f"All about {slug}.",
                area_id=area_id,
                level=2,
                estimated_hours=4.0,
                tags=["math"],
            )
            for slug in ("calculus", TOPIC)
        ]
        connection.execute(
            table["prerequisites"]
            .insert()
            .values(topic_id=topic_ids[1], prerequisite_id=topic_ids[0])
        )
        learner_id = _insert(
            connection,
            table["learners"],
            email="early@example.com",
            display_name="Early Bird",
            role="learner",
            password_hash="$argon2id$not-a-real-hash",
            created_at=WHEN,
        )
        connection.execute(
            tables.tables["progress"]
            .insert()
            .values(
                learner_id=learner_id,
                topic_id=topic_ids[1],
                **SECOND,
                updated_at=WHEN + timedelta(days=1),
                version=2,
            )
        )
        connection.execute(
            tables.tables["progress_events"].insert(),
            [
                {
                    "learner_id": learner_id,
                    "topic_slug": TOPIC,
                    "actor_id": learner_id,
                    "version": 1,
                    "occurred_at": WHEN,
                    "old": None,
                    "new": FIRST,
                },
                {
                    "learner_id": learner_id,
                    "topic_slug": TOPIC,
                    "actor_id": learner_id,
                    "version": 2,
                    "occurred_at": WHEN + timedelta(days=1),
                    "old": FIRST,
                    "new": SECOND,
                },
            ],
        )
    return learner_id


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        tables = MetaData()
        tables.reflect(bind=connection)
        return {
            name: connection.scalar(select(func.count()).select_from(table)) or 0
            for name, table in tables.tables.items()
            if name != "alembic_version"
        }


def test_upgrading_keeps_learners_data_and_the_app_reads_it(empty_engine: Engine):
    run_alembic(empty_engine, "upgrade", LEARNER_DATA_REVISION)
    learner_id = _insert_learner_data(empty_engine)
    before = _counts(empty_engine)

    run_alembic(empty_engine, "upgrade", "head")

    with empty_engine.connect() as connection:
        assert database_revision(connection) == head_revision()
    after = _counts(empty_engine)
    assert {name: after[name] for name in before} == before
    assert before["progress"] == 1
    assert before["progress_events"] == 2

    database = Database(empty_engine)
    with database.read_session_factory() as session:
        record = service.get_progress(session, learner_id=learner_id, topic_slug=TOPIC)
        events, total = service.history(
            session, learner_id=learner_id, topic_slug=TOPIC, limit=10, offset=0
        )
    assert record.model_dump(include=set(SECOND)) == SECOND
    assert record.version == 2
    assert record.updated_at == WHEN + timedelta(days=1)
    assert total == 2
    assert [e.new.model_dump(mode="json", include=set(FIRST)) for e in events] == [FIRST, SECOND]
    # Events from before levels show the level their status implied.
    assert [(e.new.level, e.new.level_source) for e in events] == [
        ("aware", "status"),
        ("proficient", "status"),
    ]
    # Events from before spaced review did not record it.
    assert [(e.new.reviews, e.new.last_reviewed_at) for e in events] == [(None, None)] * 2
    assert events[0].old is None
    assert events[0].occurred_at == WHEN

    # The versioned write path carries on from the migrated record.
    with database.write_transaction() as connection:
        saved = service.save_progress(
            connection,
            learner_id=learner_id,
            topic_slug=TOPIC,
            body=ProgressWrite(status="skipped", notes="after the upgrade"),
            if_match='"2"',
            retention=0.9,
        )
    assert saved.record.version == 3
    assert not saved.created

    # And over HTTP, with the app serving the migrated database.
    token = create_access_token(
        learner_id=learner_id, secret=TEST_SECRET, lifetime=timedelta(minutes=5)
    )
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(make_settings(), database=database)) as client:
        read = client.get(f"/api/v1/me/progress/{TOPIC}", headers=headers)
        assert read.status_code == 200, read.text
        assert read.headers["etag"] == '"3"'
        assert read.json()["notes"] == "after the upgrade"
        listed = client.get("/api/v1/me/progress", headers=headers)
        assert listed.json()["total"] == 1
        history = client.get(f"/api/v1/me/progress/{TOPIC}/history", headers=headers)
        assert [event["version"] for event in history.json()["items"]] == [1, 2, 3]
        me = client.get("/api/v1/me", headers=headers)
        assert me.json()["email"] == "early@example.com"


def test_downgrade_to_base_then_upgrade_again_on_an_emptied_database(empty_engine: Engine):
    run_alembic(empty_engine, "upgrade", LEARNER_DATA_REVISION)
    _insert_learner_data(empty_engine)
    run_alembic(empty_engine, "upgrade", "head")

    run_alembic(empty_engine, "downgrade", "base")
    assert set(inspect(empty_engine).get_table_names()) - {"alembic_version"} == set()

    run_alembic(empty_engine, "upgrade", "head")
    with empty_engine.connect() as connection:
        assert database_revision(connection) == head_revision()
    assert set(_counts(empty_engine).values()) <= {0, 1}  # catalog_state holds its one row
    assert _counts(empty_engine)["progress"] == 0
