"""Learning resource shapes."""

from pydantic import BaseModel, ConfigDict, Field

from api.fields import Hours, PatchBody, RequestBody, Slug, Title, Url
from models.catalog import ResourceKind


class ResourceRead(BaseModel):
    """A learning resource and the topics it teaches."""

    id: int = Field(examples=[1])
    title: str = Field(examples=["Neural Networks and Deep Learning"])
    url: str = Field(examples=["https://www.coursera.org/learn/neural-networks-deep-learning"])
    kind: ResourceKind
    provider: str = Field(examples=["Coursera (DeepLearning.AI)"])
    free: bool
    hours: float = Field(examples=[24.0])
    topics: list[str] = Field(examples=[["neural-network-basics"]])


class ResourceCreate(RequestBody):
    """A new learning resource and the topics it teaches."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "The Illustrated Transformer",
                    "url": "https://jalammar.github.io/illustrated-transformer/",
                    "kind": "article",
                    "provider": "Jay Alammar",
                    "free": True,
                    "hours": 1.5,
                    "topics": ["transformers"],
                }
            ]
        }
    )

    title: Title
    url: Url
    kind: ResourceKind
    provider: Title
    free: bool
    hours: Hours
    topics: list[Slug] = Field(min_length=1, max_length=50)


class ResourceUpdate(PatchBody):
    """Fields to change on a resource; `topics`, when given, replaces the links."""

    title: Title | None = None
    url: Url | None = None
    kind: ResourceKind | None = None
    provider: Title | None = None
    free: bool | None = None
    hours: Hours | None = None
    topics: list[Slug] | None = Field(default=None, min_length=1, max_length=50)
