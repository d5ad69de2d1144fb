"""Area shapes."""

from pydantic import BaseModel, Field


class AreaRead(BaseModel):
    """A skill area with how many topics it holds."""

    slug: str = Field(examples=["deep-learning"])
    title: str = Field(examples=["Deep learning"])
    description: str
    position: int = Field(examples=[2])
    topic_count: int = Field(examples=[12])
