"""Spaced review: one FSRS schedule per learner and learned topic, and the log of its reviews."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.catalog import SLUG_LENGTH
from models.learners import ChangeSource
from models.types import UTCDateTime, str_enum


class ReviewRating(enum.StrEnum):
    """How well the learner recalled a topic (FSRS's four ratings)."""

    AGAIN = "again"  # forgot it
    HARD = "hard"  # recalled it with serious difficulty
    GOOD = "good"  # recalled it after a hesitation
    EASY = "easy"  # recalled it easily


class ReviewSchedule(Base):
    """When a learner should next review a topic, and the memory state that says so.

    `card` is the fsrs library's own `Card.to_dict()`: the library owns the model's maths, and
    the columns beside it are what queries filter and sort on (`due_at`) or what responses show.
    """

    __tablename__ = "review_schedules"
    __table_args__ = (
        UniqueConstraint("learner_id", "topic_id"),
        # GET /me/reviews: a learner's schedules by due date.
        Index("ix_review_schedules_learner_due", "learner_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    card: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The first moment the retrievability falls below the desired retention (no fuzzing).
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviews: Mapped[int] = mapped_column(Integer)
    last_reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReviewLogEntry(Base):
    """One review of a topic: when, how well, and what made it (append-only).

    The topic's slug is copied in so that the log outlives the topic's deletion, like history.
    """

    __tablename__ = "review_log"
    __table_args__ = (Index("ix_review_log_learner_topic", "learner_id", "topic_slug", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    topic_slug: Mapped[str] = mapped_column(String(SLUG_LENGTH))
    rating: Mapped[ReviewRating] = mapped_column(str_enum(ReviewRating, "review_rating"))
    # `self` for a completion (the learner's PUT), `check` for an awarded level, `review` for
    # a review the learner rated.
    source: Mapped[ChangeSource] = mapped_column(str_enum(ChangeSource, "review_log_source"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
