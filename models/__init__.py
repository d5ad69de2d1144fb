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
from models.checks import Check
from models.learners import (
    KNOWN_STATUSES,
    ChangeSource,
    Learner,
    Progress,
    ProgressEvent,
    ProgressStatus,
    Role,
)
from models.questions import Question

__all__ = [
    "KNOWN_STATUSES",
    "Area",
    "Base",
    "CatalogState",
    "ChangeSource",
    "Check",
    "Goal",
    "GoalTarget",
    "Learner",
    "Prerequisite",
    "Progress",
    "ProgressEvent",
    "ProgressStatus",
    "Question",
    "Resource",
    "ResourceKind",
    "ResourceTopic",
    "Role",
    "Topic",
]
