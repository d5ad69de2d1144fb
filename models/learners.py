"""Learners, their progress records and the append-only history of those records."""

import enum
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import false

from models.base import Base
from models.catalog import SLUG_LENGTH
from models.types import UTCDateTime, str_enum, utc_now
from planner.levels import Level

EMAIL_LENGTH = 320
DISPLAY_NAME_LENGTH = 100
NOTES_LENGTH = 2000
JTI_LENGTH = 32


def first_token_generation() -> int:
    """A new account's token generation: random, not 0. SQLite gives a new account the id of
    a deleted one when that was the highest id; starting at 0 again, the new account would
    accept the deleted account's unexpired tokens. Bumps add 1, and stay within 32 bits."""
    return secrets.randbelow(2**30) + 1


class Role(enum.StrEnum):
    """What an account may do."""

    LEARNER = "learner"
    ADMIN = "admin"


class ProgressStatus(enum.StrEnum):
    """Where a learner stands on a topic."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SKIPPED = "skipped"  # already known


KNOWN_STATUSES = frozenset({ProgressStatus.COMPLETED, ProgressStatus.SKIPPED})


class ChangeSource(enum.StrEnum):
    """What made a change to a progress record (and, for a record's level, who set it)."""

    SELF = "self"  # the learner's own PUT
    CHECK = "check"  # a graded self-check awarded a level
    REVIEW = "review"  # a spaced review


class Learner(Base):
    """An account."""

    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so uniqueness is case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH), unique=True)
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_LENGTH))
    role: Mapped[Role] = mapped_column(str_enum(Role, "learner_role"), default=Role.LEARNER)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    # Bumped by every change to the learner's progress: processes cache what the planner needs
    # to know of a learner, and one indexed read tells them whether their copy is current.
    progress_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Every token carries the generation it was issued at; bumping it (a password change, the
    # account disabled) refuses every token issued before (api/auth/revocation.py).
    token_generation: Mapped[int] = mapped_column(
        Integer, default=first_token_generation, server_default="0"
    )
    # A disabled account cannot log in, and its tokens are refused.
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class RevokedToken(Base):
    """A token logged out before it expires: refused until then, and prunable after."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(JTI_LENGTH), primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Progress(Base):
    """One learner's record on one topic."""

    __tablename__ = "progress"
    __table_args__ = (
        # Also how a learner's records are found. No index holds a column a PUT changes
        # (status, level, ...): PostgreSQL then updates a record within its page, touching no
        # index (migration 0012).
        UniqueConstraint("learner_id", "topic_id"),
        CheckConstraint("mastery IS NULL OR mastery BETWEEN 0 AND 100", name="mastery_range"),
        CheckConstraint("hours_spent >= 0", name="hours_spent_non_negative"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("(level IS NULL) = (level_source IS NULL)", name="level_has_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    status: Mapped[ProgressStatus] = mapped_column(str_enum(ProgressStatus, "progress_status"))
    mastery: Mapped[int | None] = mapped_column(SmallInteger)
    hours_spent: Mapped[float] = mapped_column(Float, default=0.0)
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The depth the learner set or a check awarded; without one the status implies a level
    # (planner.levels.effective_level). `level_source` says who set it: `self` or `check`.
    level: Mapped[Level | None] = mapped_column(str_enum(Level, "progress_level"))
    level_source: Mapped[ChangeSource | None] = mapped_column(
        str_enum(ChangeSource, "progress_level_source")
    )
    # Spaced review (models/reviews.py): how many reviews the topic has had, completing it or a
    # check's awarded level counting as the first, and when the last one was.
    reviews: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ProgressEvent(Base):
    """One change to a progress record: who, when, old → new. Never edited or deleted.

    The topic's slug is copied in so that the history outlives the topic's deletion.
    """

    __tablename__ = "progress_events"
    __table_args__ = (Index("ix_progress_events_learner_topic", "learner_id", "topic_slug", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    topic_slug: Mapped[str] = mapped_column(String(SLUG_LENGTH))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[ChangeSource] = mapped_column(
        str_enum(ChangeSource, "progress_event_source"), server_default=ChangeSource.SELF.value
    )
