"""Self-check questions on topics (DESIGN.md §7): the catalog's side of the evidence."""

from typing import ClassVar

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, SmallInteger, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import str_enum
from planner.levels import Level

MIN_CHOICES = 2
MAX_CHOICES = 6
# A check answers every question of a topic at once, so a topic's bank stays short.
MAX_QUESTIONS_PER_TOPIC = 20
# What the seed promises for every shipped topic; the API lets a new topic start with fewer.
MIN_QUESTIONS_PER_TOPIC = 3
PROMPT_LENGTH = 1000
CHOICE_LENGTH = 500


class Question(Base):
    """A multiple-choice question on a topic; the right choice is an index into `choices`."""

    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_topic_position", "topic_id", "position"),
        CheckConstraint("right_choice >= 0", name="right_choice_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    prompt: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[str]] = mapped_column(JSON)
    right_choice: Mapped[int] = mapped_column(SmallInteger)
    explanation: Mapped[str] = mapped_column(Text)
    level: Mapped[Level] = mapped_column(str_enum(Level, "question_level"))
    # Order within the topic; gaps are harmless (a deleted question leaves one).
    position: Mapped[int] = mapped_column(Integer, default=0)

    # The columns a seed file or an admin sets; the rest is identity and order.
    CONTENT: ClassVar[tuple[str, ...]] = (
        "prompt",
        "choices",
        "right_choice",
        "explanation",
        "level",
    )
