"""Graded self-checks: a learner's answers to a topic's questions, kept as evidence."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.catalog import SLUG_LENGTH
from models.types import UTCDateTime, str_enum, utc_now
from planner.levels import Level


class Check(Base):
    """One graded attempt at a topic's questions.

    The topic's slug, and each result's right choice and explanation, are copied in: a check
    is a record of what was asked and answered then, which later edits to the questions (or
    the topic's deletion) must not rewrite.
    """

    __tablename__ = "checks"
    __table_args__ = (
        Index("ix_checks_learner_taken", "learner_id", "taken_at", "id"),
        CheckConstraint("score BETWEEN 0 AND 100", name="score_range"),
        CheckConstraint("correct >= 0 AND correct <= total", name="correct_within_total"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    topic_slug: Mapped[str] = mapped_column(String(SLUG_LENGTH))
    score: Mapped[int] = mapped_column(SmallInteger)
    correct: Mapped[int] = mapped_column(SmallInteger)
    total: Mapped[int] = mapped_column(SmallInteger)
    awarded_level: Mapped[Level | None] = mapped_column(str_enum(Level, "check_awarded_level"))
    # [{question, choice}] as submitted, and [{question, choice, correct, right_choice,
    # explanation}] as graded.
    answers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
