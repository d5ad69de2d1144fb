"""Who is calling: the bearer token's learner, and whether they are an admin."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from api.auth.repository import learner_by_id
from api.auth.revocation import Caller, request_caller
from api.auth.security import INVALID_TOKEN, TokenClaims, token_claims
from api.deps import DatabaseDep, UnitsOfWork
from api.errors import Forbidden, Unauthorized
from api.settings import Settings
from models.learners import Learner, Role

TOKEN_URL = "/api/v1/auth/token"  # noqa: S105 (a path, not a secret)


class _Bearer(OAuth2PasswordBearer):
    """The request's bearer token; 401 without one.

    An OAuth2PasswordBearer, so the OpenAPI document declares the password flow and Swagger
    UI can log in; checking the token here rather than in a dependency of its own saves a
    dependency per request on every authenticated route.
    """

    def __init__(self) -> None:
        # auto_error=False: a missing token is refused below, as the same problem+json 401.
        super().__init__(tokenUrl=TOKEN_URL, scheme_name="OAuth2PasswordBearer", auto_error=False)

    async def token(self, request: Request) -> str:
        token = await super().__call__(request)
        if not token:
            raise Unauthorized("Missing bearer token.")
        return token


class BearerClaims(_Bearer):
    """The claims of a well-signed, unexpired bearer token; 401 otherwise. Not yet checked
    against revocation: for an endpoint whose own statement checks that too
    (`revocation.TOKEN_IS_GOOD`), and answers 401 when it fails."""

    async def __call__(self, request: Request) -> TokenClaims:  # type: ignore[override]
        token = await self.token(request)
        settings: Settings = request.app.state.settings
        claims = token_claims(token, secret=settings.secret_key.get_secret_value())
        if claims is None:
            raise Unauthorized(INVALID_TOKEN)
        return claims


class BearerCaller(_Bearer):
    """The caller a valid, unrevoked bearer token names; 401 otherwise. One indexed read
    (api/auth/revocation.py), none when the request was checked before routing."""

    async def __call__(self, request: Request) -> Caller:  # type: ignore[override]
        token = await self.token(request)
        settings: Settings = request.app.state.settings
        state = request.app.state
        caller = await request_caller(
            request.scope,
            token,
            UnitsOfWork(state.database, state.catalog),
            secret=settings.secret_key.get_secret_value(),
        )
        if caller is None:
            raise Unauthorized(INVALID_TOKEN)
        return caller


current_caller = BearerCaller()

CurrentCaller = Annotated[Caller, Depends(current_caller)]
ClaimedCaller = Annotated[TokenClaims, Depends(BearerClaims())]


async def current_learner(caller: CurrentCaller, db: DatabaseDep) -> Learner:
    """The calling learner's account; 401 when it no longer exists."""
    learner = await db.read(learner_by_id, caller.learner_id)
    if learner is None:
        raise Unauthorized(INVALID_TOKEN)
    return learner


CurrentLearner = Annotated[Learner, Depends(current_learner)]


async def current_admin(learner: CurrentLearner) -> Learner:
    """The calling account, which must be an admin (the role is read from the database)."""
    if learner.role is not Role.ADMIN:
        raise Forbidden("This needs an admin account.")
    return learner


AdminLearner = Annotated[Learner, Depends(current_admin)]
