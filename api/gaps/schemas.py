"""Gap shapes: a learner's depth per goal target, against the depth the goal asks."""

from pydantic import BaseModel, Field

from api.fields import LevelName
from api.topics.schemas import TopicSummary

_READINESS = (
    "The weight-averaged share of required depth reached, in [0, 1]: a target counts "
    "min(1, current/required) on the ranks aware 1 … expert 4 (none 0)."
)


class TargetGap(BaseModel):
    """Where you stand on one target of the goal."""

    topic: TopicSummary
    weight: float = Field(gt=0, le=1)
    required_level: LevelName = Field(description="The level the goal asks for.")
    current_level: LevelName | None = Field(description="Your effective level; null: none.")
    met: bool = Field(description="Your level reaches the required one.")
    hours_to_close: float = Field(
        ge=0,
        description="Hours from your level to the required one: estimated_hours x "
        "(rank(required) - rank(current)) / 3; 0 when met.",
    )


class AreaGaps(BaseModel):
    """The goal's targets in one skill area."""

    area: str = Field(description="The area's slug.", examples=["math-for-ml"])
    targets: int = Field(ge=1, description="How many of the goal's targets are in the area.")
    met: int = Field(ge=0, description="How many of them you meet.")
    readiness: float = Field(ge=0, le=1, description=_READINESS)


class GapsRead(BaseModel):
    """Your skill profile against a goal: per target and per area."""

    goal: str | None = Field(description="The goal's slug; null for ad-hoc targets.")
    goal_reached: bool = Field(description="True when every target is met.")
    readiness: float = Field(ge=0, le=1, description=_READINESS)
    targets: list[TargetGap] = Field(description="Heaviest first, then by slug.")
    areas: list[AreaGaps] = Field(description="Areas holding targets, in the areas' order.")
