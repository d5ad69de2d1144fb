"""Spaced-review shapes."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.fields import RequestBody
from api.topics.schemas import TopicSummary
from models import ReviewRating
from planner.levels import Level


class ReviewWrite(RequestBody):
    """How well you recalled the topic just now."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"rating": "good"}]})

    rating: ReviewRating = Field(
        description="`again`: forgot it; `hard`: recalled it with serious difficulty; "
        "`good`: recalled it after a hesitation; `easy`: recalled it easily."
    )


class ReviewRead(BaseModel):
    """Your review schedule on one topic."""

    topic: TopicSummary
    due_at: datetime = Field(
        description="When the chance of recalling the topic falls below the desired retention."
    )
    retrievability: float = Field(
        ge=0, le=1, description="The chance of recalling the topic at `as_of` (FSRS)."
    )
    level: Level | None = Field(description="Your effective level on the topic.")
    reviews: int = Field(
        ge=1,
        description="Reviews so far; completing the topic or a check's awarded level is the first.",
    )
