"""Registration, login and the caller's own account."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from api.auth import service
from api.auth.deps import CurrentLearner
from api.auth.schemas import LearnerRead, RegisterRequest, Token
from api.deps import DatabaseDep
from api.errors import problem_responses
from api.settings import Settings

router = APIRouter(tags=["accounts"])


@router.post(
    "/auth/register",
    response_model=LearnerRead,
    status_code=status.HTTP_201_CREATED,
    summary="Open a learner account",
    responses=problem_responses(409),
)
async def register(body: RegisterRequest, db: DatabaseDep) -> LearnerRead:
    """Create an account with the `learner` role. Passwords need at least 8 characters and
    must not be the email address."""
    learner = await db.write(service.register_learner, body)
    return LearnerRead.model_validate(learner, from_attributes=True)


@router.post(
    "/auth/token",
    response_model=Token,
    summary="Log in (OAuth2 password flow)",
    responses=problem_responses(401),
)
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], db: DatabaseDep, request: Request
) -> Token:
    """Exchange an email (`username`) and password for a bearer token. Swagger UI's
    **Authorize** button uses this."""
    settings: Settings = request.app.state.settings
    return await db.read(
        service.issue_token,
        email=form.username,
        password=form.password,
        secret=settings.secret_key.get_secret_value(),
        lifetime=timedelta(minutes=settings.access_token_minutes),
    )


@router.get(
    "/me", response_model=LearnerRead, summary="Your account", responses=problem_responses(401)
)
async def me(learner: CurrentLearner) -> LearnerRead:
    """The account the bearer token belongs to."""
    return LearnerRead.model_validate(learner, from_attributes=True)
