"""The caller's own data: take it away (export), or erase it with the account."""

from fastapi import APIRouter, Request, Response, status
from starlette.concurrency import run_in_threadpool

from api.account import service
from api.account.schemas import AccountDeletion, AccountExport
from api.auth.deps import CurrentCaller, CurrentLearner
from api.auth.ratelimit import limit_password_check
from api.auth.service import check_password
from api.deps import DatabaseDep
from api.errors import problem_responses

router = APIRouter(prefix="/me", tags=["accounts"])

EXPORT_FILE_NAME = "skillpath-export.json"


@router.get(
    "/export",
    response_model=AccountExport,
    summary="Export everything stored about you",
    responses=problem_responses(401),
)
async def export_my_data(caller: CurrentCaller, db: DatabaseDep, response: Response) -> object:
    """Your account (never its password hash), progress records, their whole history, checks,
    reviews and teams, as one JSON document to download."""
    response.headers["Content-Disposition"] = f'attachment; filename="{EXPORT_FILE_NAME}"'
    # Personal data: no shared cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return await db.read(service.export, caller.learner_id)


@router.delete(
    "",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete your account and all its data",
    responses=problem_responses(400, 401, 409, 422, 429),
)
async def delete_my_account(
    body: AccountDeletion, learner: CurrentLearner, db: DatabaseDep, request: Request
) -> None:
    """Erase your account with its progress, history, checks, reviews, memberships and
    invitations, in one transaction; your tokens are refused from then on and the email can
    register again. Confirm with your `password`: a wrong one is a 400 with type
    `urn:skillpath:problem:wrong-password` and deletes nothing. Audit entries of catalog
    changes you made stay, without your id."""
    await limit_password_check(request, learner.email)
    await run_in_threadpool(check_password, learner, body.password)
    await db.write(service.delete_account, learner.id)
