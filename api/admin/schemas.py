"""Shapes of the admins' view of accounts."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.fields import PatchBody
from models.learners import Role


class LearnerAdminRead(BaseModel):
    """An account as an admin sees it; never the password hash."""

    id: int = Field(examples=[42])
    email: str = Field(examples=["ada@example.com"])
    display_name: str = Field(examples=["Ada"])
    role: Role
    disabled: bool = Field(description="A disabled account cannot log in; its tokens get 401.")
    created_at: datetime


class LearnerAdminUpdate(PatchBody):
    """What an admin may change on an account; omitted fields keep their value."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"disabled": True}]})

    role: Role | None = None
    # Strict: the schema says boolean, so 0 or "false" must not pass for one.
    disabled: StrictBool | None = None
