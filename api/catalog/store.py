"""Holds this process's catalog snapshot and keeps it in step with the database."""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from api.catalog.repository import read_catalog
from api.catalog.snapshot import CatalogSnapshot, build_snapshot
from models.catalog_version import current_catalog_version


class CatalogStore:
    """The current snapshot; rebuilt after this process's catalog writes and when another
    process's writes are noticed by `refresh_if_stale`."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        # One rebuild at a time: a rebuild that read older rows can then never replace a
        # snapshot built from newer ones.
        self._lock = threading.Lock()
        self._snapshot: CatalogSnapshot | None = None

    @property
    def snapshot(self) -> CatalogSnapshot:
        """The newest snapshot; the store must have been loaded."""
        snapshot = self._snapshot
        if snapshot is None:
            raise RuntimeError("the catalog store was not loaded")
        return snapshot

    def reload(self) -> CatalogSnapshot:
        """Rebuild the snapshot from the database."""
        with self._lock, _collector_paused(), self._session_factory() as session:
            self._snapshot = build_snapshot(read_catalog(session))
            session.rollback()
            return self._snapshot

    def refresh_if_stale(self) -> bool:
        """Rebuild when the database's catalog version differs; True when it did."""
        with self._session_factory() as session:
            version = current_catalog_version(session)
            session.rollback()
        if self._snapshot is not None and self._snapshot.version == version:
            return False
        self.reload()
        return True


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off, and back on afterwards if it was on.

    A rebuild makes hundreds of thousands of objects that all live on (10,000 topics' entries,
    their renderings, the graph), and each time enough of them pile up, the collector walks
    everything the process holds, a full collection growing with the heap: on bench-scale's
    catalog, that was half of the reading and a third of the building. Paused, a rebuild leaves
    its few cycles to the next collection after it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
