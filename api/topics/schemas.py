"""Topic shapes."""

from pydantic import BaseModel, ConfigDict, Field

from api.fields import Hours, LongText, PatchBody, RequestBody, Slug, Tag, Title
from api.resources.schemas import ResourceRead


class TopicSummary(BaseModel):
    """A topic as it appears in lists."""

    slug: str = Field(examples=["linear-regression"])
    title: str = Field(examples=["Linear regression"])
    area: str = Field(examples=["ml-foundations"], description="The area's slug.")
    level: int = Field(ge=1, le=5, examples=[2], description="1 intro … 5 advanced.")
    estimated_hours: float = Field(gt=0, examples=[8.0])


class TopicDetail(TopicSummary):
    """A topic with its neighbours in the graph and the resources that teach it."""

    summary: str
    tags: list[str]
    prerequisites: list[TopicSummary]
    unlocks: list[TopicSummary] = Field(description="Topics that list this one as a prerequisite.")
    resources: list[ResourceRead]


class TopicCreate(RequestBody):
    """A new topic; its prerequisites are added with the prerequisite endpoints."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "slug": "diffusion-models",
                    "title": "Diffusion models",
                    "summary": "Generative models that learn to reverse a noising process.",
                    "area": "deep-learning",
                    "level": 5,
                    "estimated_hours": 20,
                    "tags": ["generative-models"],
                }
            ]
        },
    )

    slug: Slug
    title: Title
    summary: LongText
    area: Slug
    level: int = Field(ge=1, le=5)
    estimated_hours: Hours
    tags: list[Tag] = Field(default_factory=list, max_length=20)


class TopicUpdate(PatchBody):
    """Fields to change on a topic; omitted fields keep their value. The slug never changes."""

    title: Title | None = None
    summary: LongText | None = None
    area: Slug | None = None
    level: int | None = Field(default=None, ge=1, le=5)
    estimated_hours: Hours | None = None
    tags: list[Tag] | None = Field(default=None, max_length=20)
