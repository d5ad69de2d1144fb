"""The audit trail: what every catalog write and admin action records, and reading it back.

An entry is written by the service making the change, in the change's own session, so it
commits with the change or not at all: a write that fails or rolls back leaves no entry, and
no committed write lacks one. Details hold what changed, never a password, hash or token.
"""

from collections.abc import Mapping
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.orm import Session

from api.audit import repository
from models import AuditEntry


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    target: str,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Record one change in the trail, inside the transaction making it.

    `action` is `<thing>.<verb>` (`topic.update`), `target` `<thing>:<key>` (`topic:transformers`),
    `detail` what changed, in JSON-ready values (enums and datetimes are converted here).
    """
    return repository.add_entry(
        session,
        actor_id=actor_id,
        action=action,
        target=target,
        detail=to_jsonable_python(dict(detail or {})),
    )


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """`{field: {"from": old, "to": new}}` for every field of `after` whose value differs."""
    return {
        name: {"from": before.get(name), "to": value}
        for name, value in after.items()
        if before.get(name) != value
    }


def entries_page(
    session: Session, *, action: str | None, actor_id: int | None, limit: int, offset: int
) -> tuple[list[AuditEntry], int]:
    """A page of the trail, newest first, filtered by action and actor."""
    return repository.entries_page(
        session, action=action, actor_id=actor_id, limit=limit, offset=offset
    )
