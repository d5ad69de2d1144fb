"""What spaced review takes from a request: the moment a read looks at, and the retention."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Query, Request
from pydantic import Field, WithJsonSchema

from api import clock
from api.errors import InvalidInput
from api.settings import Settings

MOMENT_LENGTH = 64

# A string parsed here rather than a pydantic datetime: pydantic also reads a bare number as
# a Unix time, and the contract says ISO 8601 with a time zone.
Moment = Annotated[
    str,
    Field(max_length=MOMENT_LENGTH),
    WithJsonSchema({"type": "string", "format": "date-time", "maxLength": MOMENT_LENGTH}),
]


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date and time with a time zone, in UTC; InvalidInput (422) otherwise."""
    try:
        moment = datetime.fromisoformat(text.upper())
    except ValueError:
        raise InvalidInput(
            f"as_of must be an ISO 8601 date and time with a time zone, got {text!r}."
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(
            f"as_of needs a time zone (Z or an offset such as +01:00), got {text!r}."
        )
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        # 0001-01-01T00:00+01:00, say: before the first moment a datetime can hold in UTC.
        raise InvalidInput("as_of is out of range once converted to UTC.") from None


AsOfQuery = Annotated[
    Moment | None,
    Query(
        description="The moment to look at, ISO 8601 with a time zone (default: now); "
        "a moment ahead previews what will be due.",
        examples=["2027-11-30T09:00:00Z"],
    ),
]
"""`as_of`, read by `as_of_moment`. A query parameter of the route rather than a dependency:
a dependency costs every request that solves it (the plan routes are the hottest)."""


def as_of_moment(as_of: str | None) -> datetime:
    """`as_of` in UTC (now when not given); a moment without a time zone is refused (422)."""
    return clock.now() if as_of is None else parse_moment(as_of)


def review_retention(request: Request) -> float:
    """The desired retention (SKILLPATH_REVIEW_RETENTION): a setting of the app, read where it
    is used rather than solved as a dependency on every request."""
    settings: Settings = request.app.state.settings
    return settings.review_retention
