"""The catalog: areas, topics, prerequisite edges, resources and goals."""

import enum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.types import str_enum
from planner.levels import DEFAULT_TARGET_LEVEL, Level

SLUG_LENGTH = 64
TITLE_LENGTH = 200
URL_LENGTH = 2048


class ResourceKind(enum.StrEnum):
    """What form a learning resource takes."""

    COURSE = "course"
    BOOK = "book"
    VIDEO = "video"
    ARTICLE = "article"
    PAPER = "paper"
    EXERCISE = "exercise"
    DOCS = "docs"


class Area(Base):
    """One of the four skill areas of an AI career."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)

    topics: Mapped[list["Topic"]] = relationship(back_populates="area", lazy="raise")


class Prerequisite(Base):
    """A prerequisite edge: `topic` needs `prerequisite` first."""

    __tablename__ = "prerequisites"
    __table_args__ = (CheckConstraint("topic_id <> prerequisite_id", name="not_self"),)

    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    prerequisite_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Topic(Base):
    """One thing to learn."""

    __tablename__ = "topics"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        CheckConstraint("estimated_hours > 0", name="hours_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    summary: Mapped[str] = mapped_column(Text, default="")
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), index=True)
    level: Mapped[int] = mapped_column(SmallInteger)
    estimated_hours: Mapped[float] = mapped_column(Float)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)

    area: Mapped[Area] = relationship(back_populates="topics", lazy="raise")


class ResourceTopic(Base):
    """Links a resource to a topic it teaches."""

    __tablename__ = "resource_topics"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Resource(Base):
    """A course, book, video, article, paper, exercise or docs page."""

    __tablename__ = "resources"
    __table_args__ = (CheckConstraint("hours > 0", name="hours_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    url: Mapped[str] = mapped_column(String(URL_LENGTH), unique=True)
    kind: Mapped[ResourceKind] = mapped_column(str_enum(ResourceKind, "resource_kind"))
    provider: Mapped[str] = mapped_column(String(TITLE_LENGTH), default="")
    free: Mapped[bool] = mapped_column(default=False)
    hours: Mapped[float] = mapped_column(Float)


class Goal(Base):
    """A reason to learn, with a weight per target topic."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")


class GoalTarget(Base):
    """A target topic of a goal and how much it matters to that goal."""

    __tablename__ = "goal_targets"
    __table_args__ = (CheckConstraint("weight > 0 AND weight <= 1", name="weight_range"),)

    goal_id: Mapped[int] = mapped_column(
        ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    weight: Mapped[float] = mapped_column(Float)
    # How deep the goal needs the topic known (DESIGN.md §7).
    level: Mapped[Level] = mapped_column(
        str_enum(Level, "goal_target_level"),
        default=DEFAULT_TARGET_LEVEL,
        server_default=DEFAULT_TARGET_LEVEL.value,
    )


class CatalogState(Base):
    """A single row whose version every catalog write bumps.

    Processes compare it with the version of their in-memory snapshot, and writers lock it
    first so that graph edits are serialized (no two concurrent edges can close a cycle).
    """

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
