"""Learner account queries."""

from sqlalchemy import select
from sqlalchemy.orm import Session

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
