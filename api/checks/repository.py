"""Check queries. Taking a check runs on a Connection, like the progress write it may make."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select
from sqlalchemy.orm import Session

from models import Check, Question, Topic
from planner.levels import Level


@dataclass(frozen=True, slots=True)
class GradedQuestion:
    """What grading needs of a question."""

    id: int
    choices: int
    right_choice: int
    explanation: str


_TOPIC_QUESTIONS = (
    select(Question.id, Question.choices, Question.right_choice, Question.explanation)
    .select_from(Topic)
    .outerjoin(Question, Question.topic_id == Topic.id)
    .where(Topic.slug == bindparam("slug"))
    .order_by(Question.position, Question.id)
)


def topic_questions(connection: Connection, topic_slug: str) -> list[GradedQuestion] | None:
    """The topic's questions in order; None when there is no such topic."""
    rows = connection.execute(_TOPIC_QUESTIONS, {"slug": topic_slug}).all()
    if not rows:
        return None
    return [
        GradedQuestion(id, len(choices), right_choice, explanation)
        for id, choices, right_choice, explanation in rows
        if id is not None  # the outer join's row for a topic without questions
    ]


def add_check(
    connection: Connection,
    *,
    learner_id: int,
    topic_slug: str,
    score: int,
    correct: int,
    total: int,
    awarded_level: Level | None,
    answers: list[dict[str, Any]],
    results: list[dict[str, Any]],
    taken_at: datetime,
) -> int:
    """Keep a graded check; its id."""
    check_id = connection.execute(
        insert(Check)
        .values(
            learner_id=learner_id,
            topic_slug=topic_slug,
            score=score,
            correct=correct,
            total=total,
            awarded_level=awarded_level,
            answers=answers,
            results=results,
            taken_at=taken_at,
        )
        .returning(Check.id)
    ).scalar_one()
    return int(check_id)


def checks_page(
    session: Session, *, learner_id: int, topic_slug: str | None, limit: int, offset: int
) -> tuple[list[Check], int]:
    """One page of the learner's checks, newest first, and how many there are."""
    conditions = [Check.learner_id == learner_id]
    if topic_slug is not None:
        conditions.append(Check.topic_slug == topic_slug)
    total = session.scalar(select(func.count(Check.id)).where(*conditions)) or 0
    checks = session.scalars(
        select(Check)
        .where(*conditions)
        .order_by(Check.taken_at.desc(), Check.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(checks), total


def checks_of_learner(session: Session, *, learner_id: int) -> list[Check]:
    """Every check the learner took, newest first (the export's `checks` section)."""
    return list(
        session.scalars(
            select(Check)
            .where(Check.learner_id == learner_id)
            .order_by(Check.taken_at.desc(), Check.id.desc())
        )
    )


def topic_exists(session: Session, slug: str) -> bool:
    return session.scalar(select(Topic.id).where(Topic.slug == slug)) is not None
