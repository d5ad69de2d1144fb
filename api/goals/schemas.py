"""Goal shapes."""

from pydantic import BaseModel, ConfigDict, Field

from api.fields import LevelName, LongText, PatchBody, RequestBody, Slug, Title
from planner.levels import DEFAULT_TARGET_LEVEL

_TARGET_LEVEL = "How deep the goal needs the topic known; `proficient` when omitted."


class GoalTargetRead(BaseModel):
    """A target topic of a goal, its weight and the level the goal asks for."""

    topic: str = Field(examples=["transformers"])
    weight: float = Field(gt=0, le=1, examples=[0.8])
    level: LevelName = Field(description="How deep the goal needs the topic known.")


class GoalRead(BaseModel):
    """A goal with its weighted targets and the level asked of each."""

    slug: str = Field(examples=["job-interview"])
    title: str = Field(examples=["Pass an ML job interview"])
    description: str
    targets: list[GoalTargetRead]


class GoalTargetWrite(RequestBody):
    """A target topic, how much it matters, in (0, 1], and the level the goal asks for."""

    topic: Slug
    weight: float = Field(gt=0, le=1)
    level: LevelName = Field(default=DEFAULT_TARGET_LEVEL, description=_TARGET_LEVEL)


class TargetWeight(RequestBody):
    """How much a target topic matters to a goal, in (0, 1], and the level the goal asks for."""

    weight: float = Field(gt=0, le=1, examples=[0.7])
    level: LevelName = Field(default=DEFAULT_TARGET_LEVEL, description=_TARGET_LEVEL)


class GoalCreate(RequestBody):
    """A new goal with its weighted targets."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "slug": "computer-vision-engineer",
                    "title": "Work as a computer vision engineer",
                    "description": "Train and ship image models.",
                    "targets": [
                        {"topic": "convolutional-networks", "weight": 1.0, "level": "proficient"}
                    ],
                }
            ]
        }
    )

    slug: Slug
    title: Title
    description: LongText
    targets: list[GoalTargetWrite] = Field(min_length=1, max_length=200)


class GoalUpdate(PatchBody):
    """Fields to change on a goal; `targets`, when given, replaces all targets."""

    title: Title | None = None
    description: LongText | None = None
    targets: list[GoalTargetWrite] | None = Field(default=None, min_length=1, max_length=200)
