"""Account management, for admins."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.admin import service
from api.admin.schemas import LearnerAdminRead, LearnerAdminUpdate
from api.audit.router import MAX_ID
from api.auth.deps import AdminLearner
from api.deps import DatabaseDep
from api.errors import ADMIN_ONLY, problem_responses
from api.pagination import Page, PageDep
from models.learners import EMAIL_LENGTH

router = APIRouter(prefix="/admin", tags=["admin"])

LearnerId = Annotated[int, Path(ge=1, le=MAX_ID, description="The account's id.")]


@router.get(
    "/learners",
    response_model=Page[LearnerAdminRead],
    summary="Find accounts (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403),
)
async def list_learners(
    _admin: AdminLearner,
    db: DatabaseDep,
    page: PageDep,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=EMAIL_LENGTH,
            # No account holds NUL, and PostgreSQL refuses it in a query.
            pattern=r"^[^\x00]+$",
            description="Text in the email or display name, in any case.",
            examples=["ada"],
        ),
    ] = None,
) -> Page[LearnerAdminRead]:
    """Accounts, oldest first, filtered by `q`."""
    learners, total = await db.read(
        service.learners_page, text=q, limit=page.limit, offset=page.offset
    )
    return Page[LearnerAdminRead](
        items=[LearnerAdminRead.model_validate(item, from_attributes=True) for item in learners],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.patch(
    "/learners/{learner_id}",
    response_model=LearnerAdminRead,
    summary="Promote, demote, disable or enable an account (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 404, 409),
)
async def update_learner(
    learner_id: LearnerId, body: LearnerAdminUpdate, admin: AdminLearner, db: DatabaseDep
) -> LearnerAdminRead:
    """Change the account's `role` or `disabled`. A disabled account's login gets the same
    401 as a wrong password and its tokens are refused; enabling it lets it log in again.
    You cannot disable or demote yourself (409)."""
    learner = await db.write(
        service.update_learner, admin_id=admin.id, learner_id=learner_id, body=body
    )
    return LearnerAdminRead.model_validate(learner, from_attributes=True)
