"""Request-body building blocks: constrained field types (the same rules the seed file
obeys) and the base classes of request bodies."""

import types
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Path, Query
from pydantic import (
    BaseModel,
    ConfigDict,
    GetJsonSchemaHandler,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from models.catalog import SLUG_LENGTH
from planner.levels import LEVEL_DESCRIPTIONS, Level
from seed.schema import NOT_BLANK_PATTERN, SLUG_PATTERN, Hours, LongText, Slug, Tag, Title, Url

# A slug in a path: the same pattern as in bodies, so no odd byte (NUL, say) reaches a query.
SlugPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=SLUG_LENGTH,
        pattern=SLUG_PATTERN,
        examples=["linear-regression"],
    ),
]

# An area filter: the slug pattern is stated; which areas exist is catalog data (a catalog
# import may bring other areas), so an unknown one is refused by the service (invalid-input).
AreaQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=SLUG_LENGTH,
        pattern=SLUG_PATTERN,
        description="An area's slug (`GET /areas` lists them).",
        examples=["deep-learning"],
    ),
]

# What `RequestBody` refuses in any text, stated on every free-text field of the schema.
NO_NUL_PATTERN = "^[^\\u0000]*$"
NOT_BLANK_NO_NUL_PATTERN = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"

# A depth of knowledge (DESIGN.md §7), documented value by value so a client can show it.
LevelName = Annotated[
    Level,
    WithJsonSchema(
        {
            "type": "string",
            "title": "Level",
            "enum": [level.value for level in Level],
            "description": "How deep a learner knows a topic, from shallow to deep: "
            + "; ".join(f"`{level}`: {LEVEL_DESCRIPTIONS[level]}" for level in Level)
            + ". (A topic's own `level`, 1-5, is its difficulty.)",
            "x-enum-descriptions": [LEVEL_DESCRIPTIONS[level] for level in Level],
        }
    ),
]

__all__ = [
    "AreaQuery",
    "Hours",
    "LevelName",
    "LongText",
    "PatchBody",
    "RequestBody",
    "Slug",
    "SlugPath",
    "Tag",
    "Title",
    "Url",
]


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


def _state_no_nul(field: dict[str, Any]) -> None:
    """Give a free-text field of the schema (a string with no pattern, format or fixed
    values) the pattern that refuses NUL, in arrays and `anyOf` options too; a not-blank
    text's pattern says both."""
    if field.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(field):
        field["pattern"] = NO_NUL_PATTERN
    elif field.get("pattern") == NOT_BLANK_PATTERN:
        field["pattern"] = NOT_BLANK_NO_NUL_PATTERN
    for option in field.get("anyOf", []):
        _state_no_nul(option)
    if isinstance(field.get("items"), dict):
        _state_no_nul(field["items"])


class RequestBody(BaseModel):
    """A request body: unknown fields are refused, so no field can be slipped in."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # Document what `_refuse_nul_characters` enforces, so a client never sends it.
        schema = handler.resolve_ref_schema(handler(core_schema))
        for field in schema.get("properties", {}).values():
            _state_no_nul(field)
        return schema

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul_characters(cls, data: Any) -> Any:
        # PostgreSQL text cannot hold NUL; refused here, it never reaches the database.
        if _holds_nul(data):
            raise ValueError("text must not contain NUL (\\u0000) characters")
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_booleans_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # Lax pydantic reads `true` as 1; the schema says number, so `true` is refused.
        if isinstance(value, bool) and info.field_name is not None:
            annotation = cls.model_fields[info.field_name].annotation
            options = (
                get_args(annotation)
                if get_origin(annotation) in (Union, types.UnionType)
                else (annotation,)
            )
            if bool not in options and any(option in (int, float) for option in options):
                raise ValueError("Input should be a number, not a boolean")
        return value


class PatchBody(RequestBody):
    """A partial update: omitted fields keep their value, and `null` is refused."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # Document what `_refuse_nulls` enforces: no field takes `null`.
        schema = super().__get_pydantic_json_schema__(core_schema, handler)
        for field in schema.get("properties", {}).values():
            options = [o for o in field.pop("anyOf", []) if o != {"type": "null"}]
            if len(options) == 1:
                field.update(options[0])
            elif options:
                field["anyOf"] = options
            if field.get("default", "") is None:
                del field["default"]
        return schema

    @model_validator(mode="before")
    @classmethod
    def _refuse_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = sorted(str(name) for name, value in data.items() if value is None)
            if nulls:
                raise ValueError(f"fields cannot be null (omit them instead): {', '.join(nulls)}")
        return data
