"""Tokens that can be revoked: which tokens are still good, checked in one indexed read.

Two mechanisms, both in SQL, so every worker and every process after a restart refuses the
same tokens (a deny-list in one process's memory, or in a store beside SQL, would not):

* **A per-learner token generation.** Every token carries the generation its account had when
  it was issued (the `gen` claim). A password change or disabling the account bumps the
  generation, which refuses every token issued before in one UPDATE, however many there are
  and whichever worker issued them. Deleting the account deletes the row, which refuses its
  tokens just as surely.
* **A deny-list of token ids** (`revoked_tokens`, keyed by the `jti` claim) for a single
  logout: that one token is refused, the account's other sessions stay. A row is needed only
  until its token would have expired anyway, so expired rows are pruned (on every logout).

Why both: a generation alone cannot log out one session without logging out all of them; a
deny-list alone would need a row per live token to revoke them all at a password change.

The check is one statement: the learner's row by primary key (generation matches, account not
disabled) and a primary-key probe of the deny-list, answering the learner's progress version,
which the plan endpoints and the answers kept before routing need anyway (DESIGN.md §6: a
per-request read is folded into a read the request already makes). The signature and expiry
are checked before it, with no database.
"""

from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, exists, false, select

from api.auth.security import TokenClaims, token_claims
from api.deps import UnitsOfWork
from models import Learner, RevokedToken
from models.prepared import Prepared

# What makes a token still good, on the learner's row: parameters `learner_id`, `generation`
# and `jti`, its claims (`check_params`). A write can take it into its own statement
# (api/progress/one_statement.py) and save the request this read.
TOKEN_IS_GOOD = (
    Learner.id == bindparam("learner_id"),
    Learner.token_generation == bindparam("generation"),
    Learner.disabled.is_(false()),
    ~exists().where(RevokedToken.jti == bindparam("jti")),
)
# The learner's progress version when the token is still good; no row when it is not.
TOKEN_CHECK = Prepared(select(Learner.progress_version).where(*TOKEN_IS_GOOD))


def check_params(claims: TokenClaims) -> dict[str, Any]:
    """The parameters of `TOKEN_IS_GOOD` for a token's claims."""
    return {"learner_id": claims.learner_id, "generation": claims.generation, "jti": claims.jti}


@dataclass(frozen=True, slots=True)
class Caller:
    """Who a good token names, and what the request may want to know of them already."""

    learner_id: int
    progress_version: int
    # The token's own id and expiry: what a logout writes to the deny-list.
    jti: str
    expires_at: datetime


# Where a request keeps the caller its token was checked for, so that a request checked before
# routing (api/planning/kept_answers.py) is not checked, and read, again by its endpoint.
_CHECKED = "skillpath.checked_caller"


async def request_caller(
    scope: MutableMapping[str, Any], token: str, db: UnitsOfWork, *, secret: str
) -> Caller | None:
    """`caller_of(token)`, checked once per request: the caller found is kept in the request's
    scope and answered again for the same token."""
    checked = scope.get(_CHECKED)
    if checked is not None and checked[0] == token:
        found: Caller = checked[1]
        return found
    caller = await caller_of(token, db, secret=secret)
    if caller is not None:
        scope[_CHECKED] = (token, caller)
    return caller


def checked_caller(
    scope: MutableMapping[str, Any], token: str, claims: TokenClaims, progress_version: int
) -> Caller:
    """The caller of a token whose `claims` a read of its own found still good (with
    `TOKEN_IS_GOOD`), kept in the request's scope as `request_caller` keeps the callers it
    checks."""
    caller = _caller(claims, progress_version)
    scope[_CHECKED] = (token, caller)
    return caller


async def version_if_good(claims: TokenClaims, db: UnitsOfWork) -> int | None:
    """The learner's progress version when the token with these (verified) `claims` is still
    good; None when it has been revoked, or its account disabled or deleted."""
    version: int | None = await db.scalar(TOKEN_CHECK, **check_params(claims))
    return version


def version_if_good_on(connection: Connection, claims: TokenClaims) -> int | None:
    """`version_if_good`, read on `connection`, in its transaction (a write's own check)."""
    row = TOKEN_CHECK.first(connection, check_params(claims))
    return None if row is None else int(row[0])


async def caller_of(token: str, db: UnitsOfWork, *, secret: str) -> Caller | None:
    """The caller a token names when it is well signed, unexpired and not revoked; else None."""
    claims = token_claims(token, secret=secret)
    if claims is None:
        return None
    progress_version = await version_if_good(claims, db)
    if progress_version is None:
        return None
    return _caller(claims, progress_version)


def _caller(claims: TokenClaims, progress_version: int) -> Caller:
    return Caller(
        learner_id=claims.learner_id,
        progress_version=progress_version,
        jti=claims.jti,
        expires_at=datetime.fromtimestamp(claims.expires_at, UTC),
    )
