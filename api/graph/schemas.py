"""Topic graph shapes."""

from pydantic import BaseModel, Field

from api.topics.schemas import TopicSummary


class GraphEdge(BaseModel):
    """`topic` needs `prerequisite` first."""

    prerequisite: str = Field(examples=["calculus"])
    topic: str = Field(examples=["gradient-descent"])


class GraphRead(BaseModel):
    """The whole topic graph."""

    nodes: list[TopicSummary]
    edges: list[GraphEdge]
