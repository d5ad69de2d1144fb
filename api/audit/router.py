"""The audit trail, for admins."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.audit import service
from api.audit.schemas import AuditEntryRead
from api.auth.deps import AdminLearner
from api.deps import DatabaseDep
from api.errors import ADMIN_ONLY, problem_responses
from api.pagination import Page, PageDep
from models.audit import ACTION_LENGTH

router = APIRouter(prefix="/admin", tags=["admin"])

# Learner ids are positive and fit the column's 32 bits on every backend.
MAX_ID = 2**31 - 1


@router.get(
    "/audit",
    response_model=Page[AuditEntryRead],
    summary="Read the audit trail (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403),
)
async def list_audit_entries(
    _admin: AdminLearner,
    db: DatabaseDep,
    page: PageDep,
    action: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=ACTION_LENGTH,
            pattern=r"^[a-z_.]+$",
            description="Only this action, exactly.",
            examples=["topic.update"],
        ),
    ] = None,
    actor: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only changes by this account id.")
    ] = None,
) -> Page[AuditEntryRead]:
    """Every catalog write and admin action, newest first: who, when, what and what changed."""
    entries, total = await db.read(
        service.entries_page, action=action, actor_id=actor, limit=page.limit, offset=page.offset
    )
    return Page[AuditEntryRead](
        items=[AuditEntryRead.model_validate(entry, from_attributes=True) for entry in entries],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )
