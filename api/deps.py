"""Dependencies shared by the routers: the database session and the catalog snapshot."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.catalog.snapshot import CatalogSnapshot
from api.catalog.store import CatalogStore
from models.database import Database


def get_session(request: Request) -> Iterator[Session]:
    """The request's session: the one place a request's work is committed."""
    database: Database = request.app.state.database
    with database.session_factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def catalog_store(request: Request) -> CatalogStore:
    """The process's catalog store."""
    store: CatalogStore = request.app.state.catalog
    return store


async def current_snapshot(request: Request) -> CatalogSnapshot:
    """The newest catalog snapshot of this process (async: no thread hop on hot reads)."""
    return catalog_store(request).snapshot


# scope="function": the commit runs before the response is sent, so a failed commit becomes
# an error response instead of a 2xx for work that was lost.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SnapshotDep = Annotated[CatalogSnapshot, Depends(current_snapshot)]


class CatalogWrite:
    """A catalog edit's unit of work: `commit()` makes the edit durable and visible."""

    def __init__(self, session: Session, store: CatalogStore) -> None:
        self.session = session
        self._store = store

    def commit(self) -> CatalogSnapshot:
        """Commit, then rebuild this process's snapshot so the next read sees the edit."""
        self.session.commit()
        return self._store.reload()


def catalog_write(session: SessionDep, request: Request) -> CatalogWrite:
    """The unit of work of an admin's catalog edit."""
    return CatalogWrite(session, catalog_store(request))


CatalogWriteDep = Annotated[CatalogWrite, Depends(catalog_write)]
