"""SQLAlchemy models and database set-up; every table is registered on `Base.metadata`."""

from models.audit import AuditEntry
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
    RevokedToken,
    Role,
)
from models.questions import Question
from models.reviews import ReviewLogEntry, ReviewRating, ReviewSchedule
from models.teams import Team, TeamInvitation, TeamMembership, TeamRole

__all__ = [
    "KNOWN_STATUSES",
    "Area",
    "AuditEntry",
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
    "ReviewLogEntry",
    "ReviewRating",
    "ReviewSchedule",
    "RevokedToken",
    "Role",
    "Team",
    "TeamInvitation",
    "TeamMembership",
    "TeamRole",
    "Topic",
]
