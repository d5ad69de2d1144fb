"""Dependencies shared by the routers: units of work on the database, and the catalog."""

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Concatenate, ParamSpec, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.catalog.snapshot import CatalogSnapshot
from api.catalog.store import CatalogStore
from api.progress.batches import Batch, RecordBatches
from api.progress.repository import ProgressChange, collect_progress_changes
from models.database import Database
from models.prepared import Prepared

if TYPE_CHECKING:
    from api.planning.learner_states import LearnerStates

P = ParamSpec("P")
T = TypeVar("T")
W = TypeVar("W", Session, Connection)
R = TypeVar("R")
V = TypeVar("V")


class UnitsOfWork:
    """Runs a request's database work in one session and one transaction: inline on SQLite,
    on the event loop through the async engine on PostgreSQL with psycopg (models/database.py),
    else on a worker thread (a Database joined to a test's transaction).

    `write` is the one commit point of a request: it commits before it returns, so a failed
    commit becomes an error response and never a 2xx.
    """

    def __init__(
        self,
        database: Database,
        catalog: CatalogStore,
        learner_states: "LearnerStates | None" = None,
        record_batches: RecordBatches | None = None,
    ) -> None:
        self._database = database
        self._catalog = catalog
        # Moved along by the progress changes this request commits (`write`, `execute`).
        self._learner_states = learner_states
        # Shared by the process's requests (`write_in_batch`); a unit of work made without
        # them (one that only reads) batches its own writes alone.
        self._record_batches = RecordBatches() if record_batches is None else record_batches

    @property
    def catalog(self) -> CatalogSnapshot:
        """The newest catalog snapshot of this process: what the rows read here refer to.
        Routes that take a unit of work read the catalog here rather than from SnapshotDep
        (one dependency fewer to solve per request)."""
        return self._catalog.snapshot

    async def read(
        self, work: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `work(session, ...)` in a read-only transaction."""
        database = self._database
        unit = _bound(work, *args, **kwargs)
        return await self._run(lambda: database.read(unit), lambda: database.read_async(unit))

    async def rows(self, statement: Prepared, **params: Any) -> list[tuple[Any, ...]]:
        """Every row of one statement, read outside any transaction (`Database.read_rows`):
        one round trip."""
        database = self._database
        return await self._run(
            lambda: database.read_rows(statement, params),
            lambda: database.read_rows_async(statement, params),
        )

    async def scalar(self, statement: Prepared, **params: Any) -> Any:
        """One value read by one statement (`rows`); None when it reads no row."""
        rows = await self.rows(statement, **params)
        return rows[0][0] if rows else None

    async def write(
        self, work: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `work(session, ...)` and commit; nothing is kept if it raises."""
        database = self._database
        unit = _noting_changes(_bound(work, *args, **kwargs))
        return await self._following(
            lambda: database.write(unit), lambda: database.write_async(unit)
        )

    async def execute(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `work(connection, ...)` and commit, like `write`, for work made of statements
        only: a Connection costs a fraction of a Session on the hottest writes."""
        database = self._database
        unit = _noting_changes(_bound(work, *args, **kwargs))
        return await self._following(
            lambda: database.execute(unit), lambda: database.execute_async(unit)
        )

    async def write_rows(self, statement: Prepared, **params: Any) -> list[tuple[Any, ...]]:
        """Every row of one statement that writes, committed on its own
        (`Database.write_rows`). A progress change it makes is the caller's to `follow`."""
        database = self._database
        return await self._run(
            lambda: database.write_rows(statement, params),
            lambda: database.write_rows_async(statement, params),
        )

    async def write_rows_together(
        self, statement: Prepared, many: Sequence[dict[str, Any]]
    ) -> list[list[tuple[Any, ...]] | Exception]:
        """For each of `many`, the rows of one statement that writes, or that write's own
        error: together in one transaction and one round trip on the event loop
        (`Database.write_rows_together_async`), else one by one. Progress changes they make
        are the caller's to `follow`."""
        database = self._database
        return await self._run(
            lambda: database.write_rows_together(statement, many),
            lambda: database.write_rows_together_async(statement, many),
        )

    async def write_in_batch(self, record: Hashable, value: V, run: Batch[V, R]) -> R:
        """What the write `value` of `record` made, run by `run` in a batch with the other
        writes of the record that wait in this process (api/progress/batches.py)."""
        return await self._record_batches.write(record, value, run)

    @property
    def writes_in_one_statement(self) -> bool:
        """Whether this database takes a write and its rules in one statement (PostgreSQL's
        data-modifying CTEs)."""
        return self._database.engine.dialect.name == "postgresql"

    async def edit_catalog(
        self, work: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> tuple[T, CatalogSnapshot]:
        """Run a catalog edit, commit, and rebuild the snapshot so the next read sees it."""

        def edit_and_reload() -> tuple[T, CatalogSnapshot]:
            result = self._database.write(_bound(work, *args, **kwargs))
            return result, self._catalog.reload()

        return await run_in_threadpool(edit_and_reload)

    async def _run(self, run: Callable[[], R], run_async: Callable[[], Awaitable[R]]) -> R:
        """Database work where this database runs it: `run_async` through the async engine,
        else `run`, inline on SQLite or on a worker thread."""
        if self._database.async_engine is not None:
            return await run_async()
        if self._database.runs_inline:
            return run()
        return await run_in_threadpool(run)

    async def _following(
        self,
        run: Callable[[], tuple[T, list[ProgressChange]]],
        run_async: Callable[[], Awaitable[tuple[T, list[ProgressChange]]]],
    ) -> T:
        """A committing unit of work (`_run`), after which the progress changes it made are
        followed."""
        result, changes = await self._run(run, run_async)
        self.follow(changes)
        return result

    def follow(self, changes: list[ProgressChange]) -> None:
        """Committed: the learners' cached planner states follow their progress changes."""
        if self._learner_states is None or not changes:
            return
        snapshot = self._catalog.snapshot
        for change in changes:
            self._learner_states.follow(change, snapshot)


def _bound(
    work: Callable[Concatenate[W, P], T], *args: P.args, **kwargs: P.kwargs
) -> Callable[[W], T]:
    """`work` with its arguments after the session or connection it is given."""
    return lambda target: work(target, *args, **kwargs)


def _noting_changes(work: Callable[[W], T]) -> Callable[[W], tuple[T, list[ProgressChange]]]:
    """`work`, also answering the progress changes it made: noted where it runs (a worker
    thread, or the greenlet of an async unit of work), and followed once it is committed."""

    def noting(target: W) -> tuple[T, list[ProgressChange]]:
        with collect_progress_changes() as changes:
            return work(target), changes

    return noting


def catalog_store(request: Request) -> CatalogStore:
    """The process's catalog store."""
    store: CatalogStore = request.app.state.catalog
    return store


async def units_of_work(request: Request) -> UnitsOfWork:
    """Database access for this request."""
    state = request.app.state
    return UnitsOfWork(
        state.database, catalog_store(request), state.learner_states, state.record_batches
    )


async def current_snapshot(request: Request) -> CatalogSnapshot:
    """The newest catalog snapshot of this process (async: no thread hop on hot reads)."""
    return catalog_store(request).snapshot


DatabaseDep = Annotated[UnitsOfWork, Depends(units_of_work)]
SnapshotDep = Annotated[CatalogSnapshot, Depends(current_snapshot)]
