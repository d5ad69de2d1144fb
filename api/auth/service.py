"""Accounts: registration, login, password change, logout and the start-up admin."""

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth import repository
from api.auth.repository import learner_by_email
from api.auth.revocation import Caller
from api.auth.schemas import PasswordChange, RegisterRequest, Token, is_the_email
from api.auth.security import create_access_token, hash_password, verify_password
from api.errors import Conflict, InvalidInput, Unauthorized, WrongPassword
from models.learners import Learner, Role

logger = logging.getLogger(__name__)


def register_learner(session: Session, request: RegisterRequest, *, password_hash: str) -> Learner:
    """Open a learner account; the role is always `learner`, whatever the client sends.

    The caller hashes the password first, off the event loop: argon2 is slow on purpose.
    """
    if learner_by_email(session, request.email) is not None:
        raise Conflict("An account with this email already exists.")
    learner = Learner(
        email=request.email,
        display_name=request.display_name,
        role=Role.LEARNER,
        password_hash=password_hash,
    )
    session.add(learner)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # a concurrent registration took the email first
        raise Conflict("An account with this email already exists.") from exc
    return learner


def account_for_login(session: Session, email: str) -> Learner | None:
    """The account a login names, if any."""
    # No account's email holds NUL, and PostgreSQL refuses it in a query: no need to look.
    if "\x00" in email:
        return None
    return learner_by_email(session, email.strip().lower())


def issue_token(
    learner: Learner | None, *, password: str, secret: str, lifetime: timedelta
) -> Token:
    """A token for `learner` when `password` is right; the same 401 for a wrong password, for
    no account and for a disabled account, in about the same time. CPU-bound (argon2): call
    it off the event loop."""
    if not verify_password(password, learner.password_hash if learner else None):
        raise Unauthorized("Incorrect email or password.")
    assert learner is not None
    if learner.disabled:
        # Told apart from a wrong password, a disabled account would confirm its password.
        raise Unauthorized("Incorrect email or password.")
    token = create_access_token(
        learner_id=learner.id,
        generation=learner.token_generation,
        secret=secret,
        lifetime=lifetime,
    )
    return Token(access_token=token, expires_in=int(lifetime.total_seconds()))


def check_password(learner: Learner, password: str) -> None:
    """WrongPassword unless `password` is the account's. CPU-bound (argon2): call it off the
    event loop."""
    if not verify_password(password, learner.password_hash):
        raise WrongPassword("The password is not right.")


def new_password_hash(learner: Learner, change: PasswordChange) -> str:
    """The hash of the new password once the current one is checked; the new one obeys
    registration's rules. CPU-bound (argon2): call it off the event loop."""
    if is_the_email(change.new_password, learner.email):
        raise InvalidInput("The new password must not be the email address.")
    check_password(learner, change.current_password)
    return hash_password(change.new_password)


def change_password(session: Session, learner: Learner, *, new_hash: str) -> None:
    """Replace the password and refuse every token issued before (the token generation moves).

    A concurrent change that got there first makes the checked password stale: refused too.
    """
    if not repository.replace_password_hash(
        session, learner_id=learner.id, old_hash=learner.password_hash, new_hash=new_hash
    ):
        raise WrongPassword("The password is not right.")


def log_out(session: Session, caller: Caller) -> None:
    """Refuse the caller's token from now on; the account's other tokens stay good."""
    now = datetime.now(UTC)
    repository.prune_denied_tokens(session, now=now)
    repository.deny_token(
        session, jti=caller.jti, learner_id=caller.learner_id, expires_at=caller.expires_at
    )


def ensure_admin(session: Session, *, email: str, password: str, display_name: str) -> Learner:
    """Create the admin account, or make an existing account an enabled admin with this
    password."""
    email = email.strip().lower()
    learner = learner_by_email(session, email)
    if learner is None:
        learner = Learner(email=email, display_name=display_name, password_hash="")
        session.add(learner)
        logger.info("admin account created for %s", email)
    if not learner.password_hash or not verify_password(password, learner.password_hash):
        if learner.password_hash:
            # A new password refuses the tokens issued under the old one, as a change does.
            learner.token_generation += 1
        learner.password_hash = hash_password(password)
    learner.role = Role.ADMIN
    # The operator names this account as the admin: a way back in if it was disabled.
    learner.disabled = False
    session.flush()
    return learner
