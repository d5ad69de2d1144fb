"""Dependencies shared by the routers: units of work on the database, and the catalog."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Concatenate, ParamSpec, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.catalog.snapshot import CatalogSnapshot
from api.catalog.store import CatalogStore
from api.progress.repository import ProgressChange, collect_progress_changes
from models.database import Database
from models.prepared import Prepared

if TYPE_CHECKING:
    from api.planning.learner_states import LearnerStates

P = ParamSpec("P")
T = TypeVar("T")


class UnitsOfWork:
    """Runs a request's database work on a worker thread, in one session and one transaction.

    `write` is the one commit point of a request: it commits before it returns, so a failed
    commit becomes an error response and never a 2xx. One thread hop per unit of work keeps
    the event loop free and costs less than a hop per dependency.
    """

    def __init__(
        self,
        database: Database,
        catalog: CatalogStore,
        learner_states: "LearnerStates | None" = None,
    ) -> None:
        self._database = database
        self._catalog = catalog
        # Moved along by the progress changes this request commits (`execute`).
        self._learner_states = learner_states

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
        if self._database.runs_inline:
            return self._read(work, *args, **kwargs)
        return await run_in_threadpool(lambda: self._read(work, *args, **kwargs))

    async def scalar(self, statement: Prepared, **params: Any) -> Any:
        """One value read by one statement, outside any transaction (`Database.read_scalar`):
        inline on SQLite, awaited on the event loop on PostgreSQL (no thread hop)."""
        if self._database.runs_inline:
            return self._database.read_scalar(statement, params)
        if self._database.async_reads is not None:
            return await self._database.read_scalar_async(statement, params)
        return await run_in_threadpool(self._database.read_scalar, statement, params)

    async def write(
        self, work: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `work(session, ...)` and commit; nothing is kept if it raises."""
        if self._database.runs_inline:
            return self._write(work, *args, **kwargs)
        return await run_in_threadpool(lambda: self._write(work, *args, **kwargs))

    async def execute(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `work(connection, ...)` and commit, like `write`, for work made of statements
        only: a Connection costs a fraction of a Session on the hottest writes."""
        if self._database.runs_inline:
            return self._execute(work, *args, **kwargs)
        return await run_in_threadpool(lambda: self._execute(work, *args, **kwargs))

    async def edit_catalog(
        self, work: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> tuple[T, CatalogSnapshot]:
        """Run a catalog edit, commit, and rebuild the snapshot so the next read sees it."""

        def edit_and_reload() -> tuple[T, CatalogSnapshot]:
            result = self._write(work, *args, **kwargs)
            return result, self._catalog.reload()

        return await run_in_threadpool(edit_and_reload)

    def _read(self, work: Callable[..., T], *args: object, **kwargs: object) -> T:
        # Closing ends the transaction and detaches what `work` loaded, keeping its values
        # (a rollback would expire them).
        with self._database.read_session_factory() as session:
            return work(session, *args, **kwargs)

    def _execute(self, work: Callable[..., T], *args: object, **kwargs: object) -> T:
        with collect_progress_changes() as changes, self._database.write_transaction() as conn:
            result = work(conn, *args, **kwargs)
        self._follow(changes)
        return result

    def _write(self, work: Callable[..., T], *args: object, **kwargs: object) -> T:
        with collect_progress_changes() as changes, self._database.session_factory() as session:
            try:
                result = work(session, *args, **kwargs)
                session.commit()
            except BaseException:
                session.rollback()
                raise
        self._follow(changes)
        return result

    def _follow(self, changes: list[ProgressChange]) -> None:
        """Committed: the learners' cached planner states follow their progress changes."""
        if self._learner_states is None or not changes:
            return
        snapshot = self._catalog.snapshot
        for change in changes:
            self._learner_states.follow(change, snapshot)


def catalog_store(request: Request) -> CatalogStore:
    """The process's catalog store."""
    store: CatalogStore = request.app.state.catalog
    return store


async def units_of_work(request: Request) -> UnitsOfWork:
    """Database access for this request."""
    state = request.app.state
    return UnitsOfWork(state.database, catalog_store(request), state.learner_states)


async def current_snapshot(request: Request) -> CatalogSnapshot:
    """The newest catalog snapshot of this process (async: no thread hop on hot reads)."""
    return catalog_store(request).snapshot


DatabaseDep = Annotated[UnitsOfWork, Depends(units_of_work)]
SnapshotDep = Annotated[CatalogSnapshot, Depends(current_snapshot)]
