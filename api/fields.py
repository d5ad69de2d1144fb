"""Request-body building blocks: constrained field types (the same rules the seed file
obeys) and the base classes of request bodies."""

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from seed.schema import Hours, LongText, Slug, Tag, Title, Url

__all__ = ["Hours", "LongText", "PatchBody", "RequestBody", "Slug", "Tag", "Title", "Url"]


class RequestBody(BaseModel):
    """A request body: unknown fields are refused, so no field can be slipped in."""

    model_config = ConfigDict(extra="forbid")


class PatchBody(RequestBody):
    """A partial update: omitted fields keep their value, and `null` is refused."""

    @model_validator(mode="before")
    @classmethod
    def _refuse_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = sorted(str(name) for name, value in data.items() if value is None)
            if nulls:
                raise ValueError(f"fields cannot be null (omit them instead): {', '.join(nulls)}")
        return data
