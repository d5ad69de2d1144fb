"""Progress shapes."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.fields import RequestBody
from models.learners import NOTES_LENGTH, ChangeSource, ProgressStatus
from planner.levels import Level

MAX_HOURS_SPENT = 100_000


class ProgressWrite(RequestBody):
    """A learner's record on a topic, as a whole: omitted fields take their defaults."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "in_progress", "mastery": 40, "hours_spent": 6.5, "notes": "Week 2"}
            ]
        }
    )

    status: ProgressStatus
    mastery: int | None = Field(default=None, ge=0, le=100, description="0 to 100, optional.")
    hours_spent: float = Field(default=0.0, ge=0, le=MAX_HOURS_SPENT)
    notes: str = Field(default="", max_length=NOTES_LENGTH)


class ProgressValues(BaseModel):
    """The values of a progress record at one moment of its history."""

    status: ProgressStatus
    mastery: int | None
    hours_spent: float
    notes: str


class ProgressRead(ProgressValues):
    """A learner's record on one topic."""

    topic: str = Field(examples=["linear-regression"])
    updated_at: datetime
    version: int = Field(ge=1, description="Increases with every change; the ETag carries it.")


class ProgressEventValues(ProgressValues):
    """A record's values in its history, with the level set on it, when one was."""

    level: Level | None = Field(
        default=None, description="The level set on the record (null: none set)."
    )
    level_source: ChangeSource | None = Field(
        default=None, description="Who set `level`: `self` or `check`."
    )


class ProgressEventRead(BaseModel):
    """One change to a progress record."""

    version: int = Field(description="The record's version after this change.")
    occurred_at: datetime
    actor_id: int | None = Field(description="The account that made the change.")
    source: ChangeSource = Field(
        description="What made the change: `self` (your PUT), `check` (a self-check awarded "
        "a level) or `review`."
    )
    old: ProgressEventValues | None = Field(description="Null when the change created the record.")
    new: ProgressEventValues


class StatusCounts(BaseModel):
    """How many topics are in each status."""

    not_started: int
    in_progress: int
    completed: int
    skipped: int


class AreaProgress(BaseModel):
    """A learner's standing in one area."""

    area: str = Field(examples=["math-for-ml"])
    title: str
    topics: int = Field(description="Topics in the area.")
    counts: StatusCounts = Field(description="Topics without a record count as not started.")
    known_share: float = Field(ge=0, le=1, description="Share of topics completed or skipped.")
    hours_spent: float


class ProgressSummary(BaseModel):
    """A learner's standing per area and overall."""

    areas: list[AreaProgress]
    overall: AreaProgress
