"""Writes of one record from one process go together, in batches (api/progress/batches.py)."""

import asyncio
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth.security import token_claims
from api.deps import UnitsOfWork
from api.errors import PreconditionFailed
from api.progress import service
from api.progress.batches import RecordBatches
from api.progress.etags import etag_of
from api.progress.schemas import ProgressWrite
from api.progress.service import SavedProgress
from models import ProgressStatus
from models.database import Database
from tests.api.builders import new_learner, record_progress
from tests.conftest import make_settings
from tests.databases import new_engine


class Recorder:
    """A batch run that logs each batch it is given, holds it for `hold` seconds, and answers
    each write doubled, or the write's own error for a negative one."""

    def __init__(self, hold: float = 0.02) -> None:
        self.batches: list[list[int]] = []
        self.hold = hold

    async def __call__(self, values: list[int]) -> list[int | BaseException]:
        self.batches.append(values)
        await asyncio.sleep(self.hold)
        return [ValueError(f"bad {v}") if v < 0 else 2 * v for v in values]


def test_writes_arriving_while_a_batch_runs_go_together_in_the_next_in_arrival_order():
    batches = RecordBatches()
    run = Recorder()

    async def main() -> tuple[list[int], int]:
        first = asyncio.create_task(batches.write("a", 1, run))
        await asyncio.sleep(0)  # 1 is under way, alone
        later = [asyncio.create_task(batches.write("a", value, run)) for value in (2, 3, 4)]
        other = asyncio.create_task(batches.write("b", 10, run))
        results = await asyncio.gather(first, *later, other)
        return results, len(batches)

    results, left = asyncio.run(main())
    assert results == [2, 4, 6, 8, 20]  # each writer gets its own write's outcome
    # 2, 3 and 4 waited for 1's batch and went together; record b did not wait for a.
    assert run.batches == [[1], [10], [2, 3, 4]]
    assert left == 0  # nothing is kept once the writers are done


def test_a_write_that_fails_fails_alone_and_its_batch_mates_get_their_outcomes():
    batches = RecordBatches()
    run = Recorder()

    async def main() -> list[object]:
        first = asyncio.create_task(batches.write("a", 1, run))
        await asyncio.sleep(0)
        later = [asyncio.create_task(batches.write("a", value, run)) for value in (2, -3, 4)]
        return await asyncio.gather(first, *later, return_exceptions=True)

    results = asyncio.run(main())
    assert [results[0], results[1], results[3]] == [2, 4, 8]
    assert isinstance(results[2], ValueError)
    assert str(results[2]) == "bad -3"
    assert run.batches == [[1], [2, -3, 4]]


def test_a_batch_run_that_raises_fails_every_write_of_the_batch():
    batches = RecordBatches()

    runs: list[list[int]] = []

    async def broken(values: list[int]) -> list[int | BaseException]:
        runs.append(values)
        await asyncio.sleep(0.02)
        raise RuntimeError("database gone")

    async def main() -> None:
        await batches.write("a", 1, broken)

    with pytest.raises(RuntimeError, match="database gone"):
        asyncio.run(main())

    # A batch of several: each of its writers gets the error, and the queue goes.
    async def several() -> tuple[list[int | BaseException], int]:
        first = asyncio.create_task(batches.write("a", 1, broken))
        await asyncio.sleep(0)
        later = [asyncio.create_task(batches.write("a", value, broken)) for value in (2, 3)]
        gathered = asyncio.gather(first, *later, return_exceptions=True)
        return await asyncio.wait_for(gathered, timeout=5), len(batches)

    failed, left = asyncio.run(several())
    assert runs[-1] == [2, 3]
    assert all(isinstance(outcome, RuntimeError) for outcome in failed)
    assert left == 0


def test_a_writer_cancelled_while_it_waits_is_not_written_and_leaves_no_queue_behind():
    batches = RecordBatches()
    run = Recorder(hold=0.05)

    async def main() -> int:
        holder = asyncio.create_task(batches.write("a", 1, run))
        await asyncio.sleep(0)
        waiter = asyncio.create_task(batches.write("a", 2, run))
        await asyncio.sleep(0.01)
        waiter.cancel()
        await asyncio.gather(holder, waiter, return_exceptions=True)
        return len(batches)

    assert asyncio.run(main()) == 0
    assert run.batches == [[1]]


def test_a_batch_runs_to_its_end_for_its_other_writers_when_the_one_that_started_it_is_cancelled():
    batches = RecordBatches()
    run = Recorder(hold=0.05)

    async def main() -> tuple[int | BaseException, ...]:
        holder = asyncio.create_task(batches.write("a", 1, run))
        await asyncio.sleep(0)
        starter = asyncio.create_task(batches.write("a", 2, run))
        mate = asyncio.create_task(batches.write("a", 3, run))
        await asyncio.sleep(0.07)  # 1's batch is done; 2 started the batch of 2 and 3
        starter.cancel()
        return await asyncio.gather(holder, starter, mate, return_exceptions=True)

    held, started, mated = asyncio.run(main())
    assert held == 2
    assert isinstance(started, asyncio.CancelledError)
    assert mated == 6
    assert run.batches == [[1], [2, 3]]


def test_a_writer_cancelled_as_it_is_told_to_run_the_next_batch_passes_that_on():
    batches = RecordBatches()
    run = Recorder()
    waiters: dict[int, asyncio.Task[int]] = {}

    async def holder() -> int:
        result = await batches.write("a", 1, run)
        # 1's batch has ended and 2 has been told to run the next one, but has not yet.
        waiters[2].cancel()
        return result

    async def main() -> tuple[tuple[int | BaseException, ...], int]:
        first = asyncio.create_task(holder())
        await asyncio.sleep(0)
        for value in (2, 3):
            waiters[value] = asyncio.create_task(batches.write("a", value, run))
        gathered = asyncio.gather(first, waiters[2], waiters[3], return_exceptions=True)
        return tuple(await asyncio.wait_for(gathered, timeout=5)), len(batches)

    (held, cancelled, third), left = asyncio.run(main())
    assert held == 2
    assert isinstance(cancelled, asyncio.CancelledError)
    assert third == 6  # 3 ran the next batch in 2's stead
    assert run.batches == [[1], [3]]
    assert left == 0


@pytest.fixture
def own_postgres(tmp_path: Path) -> Iterator[Database]:
    """A PostgreSQL database of its own. The suite's shared one is joined to each test's
    transaction, where a batch's writes are made one by one on a worker thread: never sent
    together."""
    with new_engine("postgresql", tmp_path) as engine:
        yield Database(engine)


def test_each_put_of_a_batch_sees_the_ones_before_it(
    own_postgres: Database, monkeypatch: pytest.MonkeyPatch
):
    # Three PUTs of one record at once: the first goes alone, and the two that wait for it go
    # together, in one transaction. Both of those hold the ETag the first one makes: the first
    # of them wins, and the second is refused, having seen it.
    batch_sizes: list[int] = []
    write_together = own_postgres.write_rows_together_async

    async def counted(statement: Any, many: Any) -> Any:
        batch_sizes.append(len(many))
        return await write_together(statement, many)

    monkeypatch.setattr(own_postgres, "write_rows_together_async", counted)
    app = create_app(
        make_settings(migrate_on_start=True, seed_on_start=True), database=own_postgres
    )
    with TestClient(app) as client:
        learner = new_learner(client)
        assert record_progress(client, learner, "python", status="in_progress").status_code == 201
        token = learner.headers["Authorization"].removeprefix("Bearer ")
        claims = token_claims(token, secret=app.state.settings.secret_key.get_secret_value())
        assert claims is not None
        db = UnitsOfWork(own_postgres, app.state.catalog, app.state.learner_states)
        batch_sizes.clear()  # the PUT above went alone

        def put(hours: float, if_match: str | None) -> Coroutine[Any, Any, SavedProgress]:
            return service.record_progress(
                db,
                claims=claims,
                topic_slug="python",
                body=ProgressWrite(status=ProgressStatus.IN_PROGRESS, hours_spent=hours),
                if_match=if_match,
                retention=app.state.settings.review_retention,
            )

        async def three_at_once() -> tuple[SavedProgress | BaseException, ...]:
            return await asyncio.gather(
                put(1, None), put(2, etag_of(2)), put(3, etag_of(2)), return_exceptions=True
            )

        # On the app's event loop, where its connections are.
        assert client.portal is not None
        first, second, third = client.portal.call(three_at_once)
        assert batch_sizes == [1, 2]
        assert isinstance(first, SavedProgress)
        assert isinstance(second, SavedProgress)
        assert (first.record.version, second.record.version) == (2, 3)
        assert isinstance(third, PreconditionFailed)
        stored = client.get("/api/v1/me/progress/python", headers=learner.headers).json()
        assert (stored["version"], stored["hours_spent"]) == (3, 2)
