"""Team shapes: teams, invitations, members, and a team's standing against a goal."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.auth.schemas import Email
from api.fields import PatchBody, RequestBody
from api.topics.schemas import TopicSummary
from models.teams import TEAM_NAME_LENGTH, TeamRole
from planner.levels import Level

# Stripped before the length check; the pattern tells clients a blank name will not do.
TeamName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TEAM_NAME_LENGTH),
    Field(json_schema_extra={"pattern": r"\S"}, examples=["ML guild"]),
]
# Invitation codes are `secrets.token_urlsafe(24)`: 32 characters of [A-Za-z0-9_-].
InvitationCode = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")
]


class TeamCreate(RequestBody):
    """A new team; its creator manages it."""

    name: TeamName


class TeamUpdate(PatchBody):
    """Fields to change on a team."""

    name: TeamName | None = None


class TeamRead(BaseModel):
    """A team, with the caller's role in it."""

    id: int = Field(examples=[1])
    name: str = Field(examples=["ML guild"])
    created_at: datetime
    role: TeamRole = Field(description="Your role in the team.")


class InvitationCreate(RequestBody):
    """Whom to invite and as what. The email need not have an account yet."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "grace@example.com", "role": "member"}]}
    )

    email: Email
    role: TeamRole = TeamRole.MEMBER


class InvitationRead(BaseModel):
    """An invitation's code, shown once: only the learner with this email can use it, once."""

    code: str = Field(examples=["0nE6tq3ZkR2m8Xb1YwV7cH5sLp9aDf4G"])
    email: str = Field(examples=["grace@example.com"])
    role: TeamRole
    expires_at: datetime


class JoinRequest(RequestBody):
    """The code of an invitation addressed to you."""

    code: InvitationCode


class JoinRead(BaseModel):
    """The team you joined and your role in it."""

    team: TeamRead
    role: TeamRole


class MemberRead(BaseModel):
    """A member of a team."""

    id: int = Field(examples=[7], description="The member's learner id.")
    display_name: str = Field(examples=["Grace"])
    role: TeamRole
    joined_at: datetime


class MatrixTopic(TopicSummary):
    """A target of the goal and the level it asks for."""

    required_level: Level


class MatrixMember(BaseModel):
    """One member's standing: readiness and effective level per target."""

    id: int
    display_name: str
    readiness: float = Field(ge=0, le=1, description="Weighted share of required depth reached.")
    levels: dict[str, Level | None] = Field(
        description="Effective level per target slug; null for none.",
        examples=[{"linear-regression": "practiced", "transformers": None}],
    )


class MatrixRead(BaseModel):
    """Every member's level on each target of the goal."""

    goal: str | None = Field(description="The goal's slug; null for ad-hoc targets.")
    topics: list[MatrixTopic]
    members: list[MatrixMember] = Field(description="Every member, managers included.")


class CoverageTarget(BaseModel):
    """How many members meet one target, who is short, and the hours that would close it."""

    topic: TopicSummary
    required_level: Level
    met: int = Field(ge=0, description="Members at or above the required level.")
    total: int = Field(ge=0, description="Members in the team.")
    short: list[int] = Field(description="Ids of the members below the required level.")
    hours_to_close: float = Field(
        ge=0, description="Hours that would bring every short member to the level, together."
    )


class CoverageRead(BaseModel):
    """Where the team stands against a goal, target by target."""

    goal: str | None = Field(description="The goal's slug; null for ad-hoc targets.")
    readiness: float = Field(ge=0, le=1, description="The members' average readiness.")
    targets: list[CoverageTarget]
