"""Learner account queries, and the deny-list of logged-out tokens."""

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import RevokedToken
from models.learners import Learner


def learner_by_email(session: Session, email: str) -> Learner | None:
    """The account with this (already lower-cased) email."""
    return session.scalar(select(Learner).where(Learner.email == email))


def learner_by_id(session: Session, learner_id: int, *, for_update: bool = False) -> Learner | None:
    """The account with this id; `for_update` locks its row until the transaction ends."""
    query = select(Learner).where(Learner.id == learner_id)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def replace_password_hash(
    session: Session, *, learner_id: int, old_hash: str, new_hash: str
) -> bool:
    """Store `new_hash` and bump the token generation, if the hash is still `old_hash` (a
    concurrent change wins otherwise); whether it was replaced."""
    changed = session.execute(
        update(Learner)
        .where(Learner.id == learner_id, Learner.password_hash == old_hash)
        .values(password_hash=new_hash, token_generation=Learner.token_generation + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(changed.rowcount)  # type: ignore[attr-defined]


def deny_token(session: Session, *, jti: str, learner_id: int, expires_at: datetime) -> None:
    """Put a token on the deny-list until it expires (already there: nothing to do)."""
    try:
        with session.begin_nested():
            session.execute(
                insert(RevokedToken).values(jti=jti, learner_id=learner_id, expires_at=expires_at)
            )
    except IntegrityError:  # the same token logged out twice at once
        pass


def prune_denied_tokens(session: Session, *, now: datetime) -> None:
    """Forget denied tokens that have expired: their expiry refuses them now."""
    session.execute(delete(RevokedToken).where(RevokedToken.expires_at <= now))
