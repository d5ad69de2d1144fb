"""Registration, login and the caller's own account."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from starlette.concurrency import run_in_threadpool

from api.auth import service
from api.auth.deps import CurrentCaller, CurrentLearner
from api.auth.ratelimit import limit_login, limit_password_check, limit_registration
from api.auth.schemas import LearnerRead, PasswordChange, RegisterRequest, Token
from api.auth.security import hash_password
from api.deps import DatabaseDep
from api.errors import problem_responses
from api.settings import Settings

router = APIRouter(tags=["accounts"])


@router.post(
    "/auth/register",
    response_model=LearnerRead,
    status_code=status.HTTP_201_CREATED,
    summary="Open a learner account",
    responses=problem_responses(409, 429),
    dependencies=[Depends(limit_registration)],
)
async def register(body: RegisterRequest, db: DatabaseDep) -> LearnerRead:
    """Create an account with the `learner` role. Passwords need at least 8 characters and
    must not be the email address."""
    password_hash = await run_in_threadpool(hash_password, body.password)
    learner = await db.write(service.register_learner, body, password_hash=password_hash)
    return LearnerRead.model_validate(learner, from_attributes=True)


@router.post(
    "/auth/token",
    response_model=Token,
    summary="Log in (OAuth2 password flow)",
    responses=problem_responses(401, 429),
    dependencies=[Depends(limit_login)],
)
async def log_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    db: DatabaseDep,
    request: Request,
    response: Response,
) -> Token:
    """Exchange an email (`username`) and password for a bearer token. Swagger UI's
    **Authorize** button uses this."""
    settings: Settings = request.app.state.settings
    # A token must not sit in a cache (RFC 6749 section 5.1).
    response.headers["Cache-Control"] = "no-store"
    learner = await db.read(service.account_for_login, form.username)
    return await run_in_threadpool(
        service.issue_token,
        learner,
        password=form.password,
        secret=settings.secret_key.get_secret_value(),
        lifetime=timedelta(minutes=settings.access_token_minutes),
    )


@router.post(
    "/auth/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change your password",
    responses=problem_responses(400, 401, 422, 429),
)
async def change_my_password(
    body: PasswordChange, learner: CurrentLearner, db: DatabaseDep, request: Request
) -> None:
    """Replace your password. Every token issued before, this one included, is refused from
    now on, in every session: log in again. A wrong `current_password` is a 400 with type
    `urn:skillpath:problem:wrong-password` and changes nothing."""
    await limit_password_check(request, learner.email)
    new_hash = await run_in_threadpool(service.new_password_hash, learner, body)
    await db.write(service.change_password, learner, new_hash=new_hash)


@router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Log out this token",
    responses=problem_responses(401),
)
async def log_out(caller: CurrentCaller, db: DatabaseDep) -> None:
    """Refuse the bearer token of this request from now on; your other sessions stay
    logged in."""
    await db.write(service.log_out, caller)


@router.get(
    "/me", response_model=LearnerRead, summary="Your account", responses=problem_responses(401)
)
async def get_my_account(learner: CurrentLearner) -> LearnerRead:
    """The account the bearer token belongs to."""
    return LearnerRead.model_validate(learner, from_attributes=True)
