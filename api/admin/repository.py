"""Account queries for admins."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models.learners import Learner


def learners_page(
    session: Session, *, text: str | None, limit: int, offset: int
) -> tuple[list[Learner], int]:
    """One page of accounts, oldest first, whose email or display name holds `text` (any case),
    and the number matching."""
    query = select(Learner)
    if text is not None:
        needle = text.lower()
        # Emails are stored lower-cased; display names are compared lower-cased.
        query = query.where(
            or_(
                Learner.email.contains(needle, autoescape=True),
                func.lower(Learner.display_name).contains(needle, autoescape=True),
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    learners = session.scalars(query.order_by(Learner.id).limit(limit).offset(offset))
    return list(learners), total
