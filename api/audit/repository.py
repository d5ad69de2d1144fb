"""Audit trail queries: appending an entry, and reading a page of them newest first."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AuditEntry


def add_entry(
    session: Session, *, actor_id: int | None, action: str, target: str, detail: dict[str, Any]
) -> AuditEntry:
    """Append one entry to the session's transaction."""
    entry = AuditEntry(actor_id=actor_id, action=action, target=target, detail=detail)
    session.add(entry)
    session.flush()
    return entry


def entries_page(
    session: Session, *, action: str | None, actor_id: int | None, limit: int, offset: int
) -> tuple[list[AuditEntry], int]:
    """One page of entries, newest first, with the number matching."""
    conditions = []
    if action is not None:
        conditions.append(AuditEntry.action == action)
    if actor_id is not None:
        conditions.append(AuditEntry.actor_id == actor_id)
    total = session.scalar(select(func.count(AuditEntry.id)).where(*conditions)) or 0
    # Ids grow with every entry committed, so they order entries as reliably as `at` and
    # never tie.
    entries = session.scalars(
        select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(entries), total
