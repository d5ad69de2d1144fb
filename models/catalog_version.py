"""The catalog version: bumped by every catalog write, watched by every process's snapshot."""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.catalog import CatalogState


def current_catalog_version(session: Session) -> int:
    """The catalog version stored in the database (0 before the first write)."""
    version = session.scalar(select(CatalogState.version).where(CatalogState.id == 1))
    return version or 0


def bump_catalog_version(session: Session) -> int:
    """Increase the catalog version and return it; call it before a catalog write's checks.

    The UPDATE takes the row's lock, so concurrent catalog writers queue here and each one's
    checks (a cycle test, say) see the edges the one before it committed.
    """
    version: int | None = session.scalar(
        update(CatalogState)
        .where(CatalogState.id == 1)
        .values(version=CatalogState.version + 1)
        .returning(CatalogState.version)
    )
    if version is None:
        raise RuntimeError("the catalog_state row is missing: is the database migrated?")
    return version
