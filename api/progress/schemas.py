"""Progress shapes."""

import enum
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.fields import LevelName, RequestBody
from models.learners import NOTES_LENGTH, ChangeSource, ProgressStatus

MAX_HOURS_SPENT = 100_000


class LevelSource(enum.StrEnum):
    """Where a record's effective level comes from."""

    SELF = ChangeSource.SELF.value  # the learner set it
    CHECK = ChangeSource.CHECK.value  # a self-check awarded it
    STATUS = "status"  # derived from the status: no level was set


class ProgressWrite(RequestBody):
    """A learner's record on a topic, as a whole: omitted fields take their defaults."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "in_progress",
                    "mastery": 40,
                    "hours_spent": 6.5,
                    "notes": "Week 2",
                    "level": "practiced",
                }
            ]
        }
    )

    status: ProgressStatus
    mastery: int | None = Field(default=None, ge=0, le=100, description="0 to 100, optional.")
    hours_spent: float = Field(default=0.0, ge=0, le=MAX_HOURS_SPENT)
    notes: str = Field(default="", max_length=NOTES_LENGTH)
    level: LevelName | None = Field(
        default=None,
        description="How deep you know the topic. Omitted or `null`: no level of the record's "
        "own, so its status implies one (completed or skipped: proficient, in progress: "
        "aware, not started: none). When writing back a record you read, send its `level` "
        "unless its `level_source` was `status` (then omit it); writing back a level a check "
        "awarded keeps `level_source: check`.",
    )


class ProgressValues(BaseModel):
    """The values of a progress record at one moment of its history."""

    status: ProgressStatus
    mastery: int | None
    hours_spent: float
    notes: str
    level: LevelName | None = Field(
        default=None,
        description="The effective level: the one set or awarded, else the one the status "
        "implies (completed or skipped: proficient, in progress: aware, not started: null).",
    )
    level_source: LevelSource | None = Field(
        default=None,
        description="`self` (you set it), `check` (a self-check awarded it) or `status` "
        "(derived from the status); null when there is no level.",
    )
    reviews: int = Field(
        default=0,
        ge=0,
        description="Spaced reviews so far (see /me/reviews); completing the topic or a "
        "check's awarded level counts as the first.",
    )
    last_reviewed_at: datetime | None = Field(
        default=None, description="When the topic was last reviewed; null before any review."
    )


class ProgressRead(ProgressValues):
    """A learner's record on one topic."""

    topic: str = Field(examples=["linear-regression"])
    updated_at: datetime
    version: int = Field(ge=1, description="Increases with every change; the ETag carries it.")


class ProgressEventValues(ProgressValues):
    """A record's values at one moment of its history: `level` is the effective level then
    (events written before levels existed show the one their status implied)."""

    reviews: int | None = Field(  # type: ignore[assignment]
        default=None,
        ge=0,
        description="Spaced reviews so far; null on a change that did not record them "
        "(before spaced review, or a check's).",
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
    known_share: float = Field(
        ge=0,
        le=1,
        description="Share of topics known: effective level practiced or deeper (completed "
        "or skipped without a lower level set, or a level set or awarded).",
    )
    hours_spent: float


class ProgressSummary(BaseModel):
    """A learner's standing per area and overall."""

    areas: list[AreaProgress]
    overall: AreaProgress
