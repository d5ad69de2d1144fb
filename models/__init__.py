"""SQLAlchemy models and database set-up; every table is registered on `Base.metadata`."""

from models.base import Base
from models.catalog import (
    Area,
    CatalogState,
    Goal,
    GoalTarget,
    Prerequisite,
    Resource,
    ResourceKind,
    ResourceTopic,
    Topic,
)
from models.learners import (
    KNOWN_STATUSES,
    ChangeSource,
    Learner,
    Progress,
    ProgressEvent,
    ProgressStatus,
    Role,
)
from models.reviews import ReviewLogEntry, ReviewRating, ReviewSchedule

__all__ = [
    "KNOWN_STATUSES",
    "Area",
    "Base",
    "CatalogState",
    "ChangeSource",
    "Goal",
    "GoalTarget",
    "Learner",
    "Prerequisite",
    "Progress",
    "ProgressEvent",
    "ProgressStatus",
    "Resource",
    "ResourceKind",
    "ResourceTopic",
    "ReviewLogEntry",
    "ReviewRating",
    "ReviewSchedule",
    "Role",
    "Topic",
]
