"""Question queries."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Question, Topic


def questions_of(session: Session, topic_id: int) -> list[Question]:
    """The topic's questions in their order."""
    return list(
        session.scalars(
            select(Question)
            .where(Question.topic_id == topic_id)
            .order_by(Question.position, Question.id)
        )
    )


def count_and_last_position(session: Session, topic_id: int) -> tuple[int, int | None]:
    """How many questions the topic has, and the highest position among them."""
    count, last = session.execute(
        select(func.count(Question.id), func.max(Question.position)).where(
            Question.topic_id == topic_id
        )
    ).one()
    return int(count), last


def question_with_topic(session: Session, question_id: int) -> tuple[Question, str] | None:
    """The question and its topic's slug."""
    row = session.execute(
        select(Question, Topic.slug)
        .join(Topic, Topic.id == Question.topic_id)
        .where(Question.id == question_id)
    ).first()
    return None if row is None else (row[0], row[1])
