"""A learner's cached planner state follows their own progress writes: the read after a write
finds it current, and it equals what reading their records gives."""

from functools import partial

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from api import clock
from api.auth.revocation import check_params
from api.auth.security import TokenClaims, token_claims
from api.deps import UnitsOfWork
from api.planning.learner_states import NO_VERSION, LearnerPlanning, LearnerStates
from api.planning.repository import CALLER_PLANNING, LEARNER_PLANNING
from api.planning.service import learner_planning
from api.progress.schemas import ProgressWrite
from api.progress.service import save_progress
from models import ProgressStatus
from models.prepared import Prepared
from tests.api.builders import Account, new_learner, record_progress

RECOMMENDATIONS = "/api/v1/me/recommendations?goal=job-interview&limit=5"


def _claims(app: FastAPI, account: Account) -> TokenClaims:
    token = account.headers["Authorization"].removeprefix("Bearer ")
    claims = token_claims(token, secret=app.state.settings.secret_key.get_secret_value())
    assert claims is not None
    return claims


def _learner_id(app: FastAPI, account: Account) -> int:
    return _claims(app, account).learner_id


def _read_from_records(app: FastAPI, learner_id: int) -> tuple[int, LearnerPlanning]:
    rows = app.state.database.read_rows(LEARNER_PLANNING, {"learner_id": learner_id})
    return learner_planning(rows, app.state.catalog.snapshot)


def test_each_write_moves_the_cached_state_to_what_the_records_say(
    client: TestClient, app: FastAPI
):
    learner = new_learner(client)
    learner_id = _learner_id(app, learner)
    record_progress(client, learner, "python", status="completed")
    assert client.get(RECOMMENDATIONS, headers=learner.headers).status_code == 200
    states: LearnerStates = app.state.learner_states
    catalog_version = app.state.catalog.snapshot.version
    # (topic, values): every write of the learner's own is followed, the completion that
    # starts a topic's review schedule too (the cached copy takes the new card).
    for topic, values in [
        ("programming-fundamentals", {"status": "in_progress"}),
        ("programming-fundamentals", {"status": "in_progress", "level": "practiced"}),
        ("python", {"status": "skipped"}),
        ("python", {"status": "not_started"}),
        ("vectors-and-matrices", {"status": "in_progress", "level": "expert"}),
        ("vectors-and-matrices", {"status": "in_progress"}),
        ("programming-fundamentals", {"status": "completed"}),
        ("vectors-and-matrices", {"status": "completed", "level": "proficient"}),
    ]:
        assert client.get(RECOMMENDATIONS, headers=learner.headers).status_code == 200
        record_progress(client, learner, topic, **values)
        version, from_records = _read_from_records(app, learner_id)
        cached = states.get(learner_id, (version, catalog_version))
        # Followed from the write itself: no read of the records put it there.
        assert cached == from_records
        # Its memory too: the one the read before the write kept, carried over the write,
        # with the recall of a topic whose card the write started read anew.
        now, retention = clock.now(), app.state.settings.review_retention
        assert cached.memory_at(now, retention=retention) == from_records.memory_at(
            now, retention=retention
        )
        if values["status"] == "completed":
            assert cached is not None
            assert topic in dict(cached.cards)
    before = client.get(RECOMMENDATIONS, headers=learner.headers).json()
    # The same answer as a process that never saw the writes.
    app.state.learner_states = LearnerStates()
    try:
        assert client.get(RECOMMENDATIONS, headers=learner.headers).json() == before
    finally:
        app.state.learner_states = states


def test_a_refused_write_moves_nothing(client: TestClient, app: FastAPI):
    learner = new_learner(client)
    learner_id = _learner_id(app, learner)
    record_progress(client, learner, "python", status="completed")
    client.get(RECOMMENDATIONS, headers=learner.headers)
    version, state = _read_from_records(app, learner_id)
    refused = client.put(
        "/api/v1/me/progress/python",
        json={"status": "in_progress"},
        headers={**learner.headers, "If-Match": '"nope"'},
    )
    assert refused.status_code == 412
    catalog_version = app.state.catalog.snapshot.version
    assert app.state.learner_states.get(learner_id, (version, catalog_version)) == state
    assert app.state.learner_states.get(learner_id, (version + 1, catalog_version)) is None


def test_a_change_made_elsewhere_reaches_the_cached_state_in_the_token_check(
    client: TestClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
):
    learner = new_learner(client)
    learner_id = _learner_id(app, learner)
    record_progress(client, learner, "python", status="completed")
    assert client.get(RECOMMENDATIONS, headers=learner.headers).status_code == 200
    # Another process's write: straight to the database, so this app's copy does not follow.
    app.state.database.execute(
        partial(
            save_progress,
            learner_id=learner_id,
            topic_slug="programming-fundamentals",
            body=ProgressWrite(status=ProgressStatus.COMPLETED),
            if_match=None,
            retention=app.state.settings.review_retention,
        )
    )
    read: list[Prepared] = []
    rows = UnitsOfWork.rows

    async def counting(self: UnitsOfWork, statement: Prepared, **params: object) -> object:
        read.append(statement)
        return await rows(self, statement, **params)

    monkeypatch.setattr(UnitsOfWork, "rows", counting)
    after = client.get(RECOMMENDATIONS, headers=learner.headers)
    assert after.status_code == 200
    # One statement checked the token and read the new state.
    assert read == [CALLER_PLANNING]
    version, from_records = _read_from_records(app, learner_id)
    catalog_version = app.state.catalog.snapshot.version
    assert app.state.learner_states.get(learner_id, (version, catalog_version)) == from_records
    # The same answer as a process that never held a copy.
    monkeypatch.setattr(app.state, "learner_states", LearnerStates())
    assert client.get(RECOMMENDATIONS, headers=learner.headers).json() == after.json()


def test_a_refused_token_reads_and_holds_nothing(client: TestClient, app: FastAPI):
    learner = new_learner(client)
    learner_id = _learner_id(app, learner)
    record_progress(client, learner, "python", status="completed")
    assert client.post("/api/v1/auth/logout", headers=learner.headers).status_code == 204
    assert client.get(RECOMMENDATIONS, headers=learner.headers).status_code == 401
    assert (
        app.state.learner_states.held_version(learner_id, app.state.catalog.snapshot.version)
        == NO_VERSION
    )


def _work_of(connection: Connection, statement: Prepared, params: dict[str, object]) -> int:
    """What running `statement` costs that grows with the rows it reads: on PostgreSQL, the
    rows its plan took from `progress` (EXPLAIN ANALYZE); on SQLite, its virtual machine's
    steps."""
    if connection.dialect.name == "postgresql":
        sql = statement.statement.params(params).compile(
            dialect=connection.dialect, compile_kwargs={"literal_binds": True}
        )
        raw = connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {str(sql).replace('%', '%%')}", {}
        ).scalar_one()
        plans = [raw[0]["Plan"]]
        taken = 0
        while plans:
            node = plans.pop()
            plans += node.get("Plans", [])
            if node.get("Relation Name") == "progress":
                taken += node["Actual Rows"] * node["Actual Loops"]
        return taken
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    sqlite = connection.connection.driver_connection
    assert sqlite is not None
    sqlite.set_progress_handler(count, 1)
    try:
        statement.rows(connection, params)
    finally:
        sqlite.set_progress_handler(None, 1)
    return steps


def test_the_token_check_of_a_current_copy_costs_the_same_however_many_records(
    client: TestClient, app: FastAPI, connection: Connection
):
    few, many = new_learner(client), new_learner(client)
    assert record_progress(client, few, "python").status_code == 201
    topics = client.get("/api/v1/topics", params={"limit": 40}).json()["items"]
    for topic in topics:
        assert record_progress(client, many, topic["slug"]).status_code == 201

    def current_check(account: Account) -> tuple[list[tuple[object, ...]], int]:
        claims = _claims(app, account)
        version, _ = _read_from_records(app, claims.learner_id)
        checked = {**check_params(claims), "known_version": version}
        rows = CALLER_PLANNING.rows(connection, checked)
        return rows, _work_of(connection, CALLER_PLANNING, checked)

    few_rows, few_work = current_check(few)
    many_rows, many_work = current_check(many)
    # The version alone: the process's copy is current, no record is needed.
    assert few_rows == [(1, None, None, None, None)]
    assert many_rows == [(len(topics), None, None, None, None)]
    assert many_work == few_work
    # A stale copy still reads every record, and the review schedule each completion started.
    stale_check = {**check_params(_claims(app, many)), "known_version": 0}
    stale = CALLER_PLANNING.rows(connection, stale_check)
    assert sorted(row[1] for row in stale if row[4] is None) == sorted(
        row[1] for row in stale if row[4] is not None
    )
    assert len(stale) == 2 * len(topics)
