"""Recommendation, roadmap and plan shapes."""

from pydantic import BaseModel, ConfigDict, Field

from api.fields import LevelName, RequestBody, Slug
from api.resources.schemas import ResourceRead
from api.topics.schemas import TopicSummary
from models.catalog import SLUG_LENGTH
from seed.schema import SLUG_PATTERN

MAX_RECOMMENDATIONS = 50
# Half an hour a week is the least study time a plan is made for: below it the weeks needed
# stop meaning anything, and at 1e-300 hours a week they become an integer with hundreds of
# digits that no JSON client can read (the 500 of issue 14).
MIN_HOURS_PER_WEEK = 0.5
MAX_HOURS_PER_WEEK = 168
MAX_BUDGET_HOURS = 100_000
MAX_TARGETS = 100
MAX_STATE_TOPICS = 10_000


class ReasonRead(BaseModel):
    """Why a topic is recommended: a machine-readable code and a sentence for humans."""

    code: str = Field(examples=["unlocks"])
    detail: str = Field(examples=["Unlocks sequence models and transformers for your goal."])


class RecommendationRead(BaseModel):
    """A topic to learn next, its score and why, with the best resources for it."""

    topic: TopicSummary
    score: float
    reasons: list[ReasonRead]
    resources: list[ResourceRead] = Field(description="Up to 3, free and short first.")


class RecommendationsRead(BaseModel):
    """The ranked next topics for a goal."""

    goal: str | None = Field(description="The goal's slug; null for ad-hoc targets.")
    targets: list[str]
    goal_reached: bool = Field(
        description="True when every target is met: your level on it reaches the goal's."
    )
    items: list[RecommendationRead]


class RoadmapTopic(TopicSummary):
    """A step on a roadmap: a topic raised from `from_level` to `to_level`."""

    week: int | None = Field(description="The week you start it; null without hours_per_week.")
    hours: float = Field(
        description="Hours this step takes: estimated_hours x (rank(to_level) - "
        "rank(from_level)) / 3, ranks none 0, aware 1, practiced 2, proficient 3, expert 4 "
        "(estimated_hours is the time from nothing to proficient)."
    )
    from_level: LevelName | None = Field(
        description="Your level now (null: none). A step from practiced or deeper deepens a "
        "topic you already know."
    )
    to_level: LevelName = Field(
        description="The level this step reaches: the goal's level for a target (at least "
        "practiced when another topic needs it); proficient for a topic learned as a "
        "prerequisite."
    )


class RoadmapStage(BaseModel):
    """Topics that can be learned once the earlier stages are done."""

    stage: int = Field(ge=1)
    topics: list[RoadmapTopic]


class RoadmapRead(BaseModel):
    """Every topic still to learn for a goal, in stages that respect prerequisites."""

    goal: str | None
    targets: list[str]
    total_hours: float = Field(description="The steps' hours added up (depth hours).")
    weeks: int | None = Field(description="Weeks needed; null without hours_per_week.")
    stages: list[RoadmapStage]
    left_out: list[TopicSummary] = Field(description="What budget_hours left out.")


class PlanRequest(RequestBody):
    """A stateless plan: a goal (or ad-hoc targets, asked at proficient) and what the learner
    already knows, and how deep.

    Give exactly one of `goal` and `targets`; neither or both is refused with 422."""

    # The one-of rule is stated in words, not as a top-level `oneOf`: client generators such
    # as openapi-python-client cannot read a `oneOf` of partial schemas and drop the operation.
    # service.resolve_goal enforces it (422 invalid-input), together with the goal's existence.

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "goal": "job-interview",
                    "known": ["python", "programming-fundamentals"],
                    "in_progress": ["vectors-and-matrices"],
                    "levels": {"probability-basics": "practiced"},
                    "limit": 5,
                    "hours_per_week": 8,
                }
            ],
        }
    )

    goal: Slug | None = Field(
        default=None, description="A goal's slug. Give this or `targets`, not both."
    )
    targets: list[Slug] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_TARGETS,
        description="Topic slugs: an ad-hoc goal, weight 1 each. Give this or `goal`, not both.",
    )
    known: list[Slug] = Field(default_factory=list, max_length=MAX_STATE_TOPICS)
    in_progress: list[Slug] = Field(default_factory=list, max_length=MAX_STATE_TOPICS)
    levels: dict[Slug, LevelName] = Field(
        default_factory=dict,
        max_length=MAX_STATE_TOPICS,
        description="Your level per topic slug. A slug here has that level; one in `known` "
        "without one counts proficient, one in `in_progress` aware.",
        # Keys are slugs: say so in propertyNames, and that no other key is taken.
        json_schema_extra={
            "propertyNames": {"minLength": 1, "maxLength": SLUG_LENGTH, "pattern": SLUG_PATTERN},
            "additionalProperties": False,
        },
    )
    limit: int = Field(default=10, ge=1, le=MAX_RECOMMENDATIONS)
    hours_per_week: float | None = Field(
        default=None,
        ge=MIN_HOURS_PER_WEEK,
        le=MAX_HOURS_PER_WEEK,
        description="Study hours per week (0.5 to 168): adds week numbers.",
    )
    budget_hours: float | None = Field(default=None, ge=0, le=MAX_BUDGET_HOURS)


class PlanRead(BaseModel):
    """Recommendations and a roadmap computed together."""

    recommendations: RecommendationsRead
    roadmap: RoadmapRead
