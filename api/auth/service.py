"""Accounts: registration, login and the start-up admin."""

import logging
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth.repository import learner_by_email
from api.auth.schemas import RegisterRequest, Token
from api.auth.security import create_access_token, hash_password, verify_password
from api.errors import Conflict, Unauthorized
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
    """A token for `learner` when `password` is right; the same 401 for a wrong password and
    for no account, in about the same time. CPU-bound (argon2): call it off the event loop."""
    if not verify_password(password, learner.password_hash if learner else None):
        raise Unauthorized("Incorrect email or password.")
    assert learner is not None
    token = create_access_token(learner_id=learner.id, secret=secret, lifetime=lifetime)
    return Token(access_token=token, expires_in=int(lifetime.total_seconds()))


def ensure_admin(session: Session, *, email: str, password: str, display_name: str) -> Learner:
    """Create the admin account, or make an existing account an admin with this password."""
    email = email.strip().lower()
    learner = learner_by_email(session, email)
    if learner is None:
        learner = Learner(email=email, display_name=display_name, password_hash="")
        session.add(learner)
        logger.info("admin account created for %s", email)
    if not learner.password_hash or not verify_password(password, learner.password_hash):
        learner.password_hash = hash_password(password)
    learner.role = Role.ADMIN
    session.flush()
    return learner
