"""Audit trail shapes."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditEntryRead(BaseModel):
    """One catalog write or admin action."""

    id: int
    at: datetime
    actor_id: int | None = Field(
        description="The account that made the change; null once that account is deleted."
    )
    action: str = Field(examples=["topic.update"])
    target: str = Field(
        examples=["topic:linear-regression"],
        description="`topic:<slug>`, `prerequisite:<prerequisite>><topic>`, `resource:<id>`, "
        "`goal:<slug>` or `learner:<id>`.",
    )
    detail: dict[str, Any] = Field(
        examples=[{"title": {"from": "Linear regression", "to": "Linear models"}}],
        description="What changed: for an update `{field: {from, to}}`; for a creation the "
        "values given; for a deletion what identified the deleted entry.",
    )
