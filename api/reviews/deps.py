"""Request dependencies of spaced review: the moment a read looks at, and the retention."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import AwareDatetime

from api import clock
from api.errors import InvalidInput
from api.settings import Settings


async def _as_of(
    as_of: Annotated[
        AwareDatetime | None,
        Query(
            description="The moment to look at, ISO 8601 with a time zone (default: now); "
            "a moment ahead previews what will be due.",
            examples=["2027-11-30T09:00:00Z"],
        ),
    ] = None,
) -> datetime:
    if as_of is None:
        return clock.now()
    try:
        return as_of.astimezone(UTC)
    except OverflowError:
        # 0001-01-01T00:00+01:00, say: before the first moment a datetime can hold in UTC.
        raise InvalidInput("as_of is out of range once converted to UTC.") from None


async def _retention(request: Request) -> float:
    settings: Settings = request.app.state.settings
    return settings.review_retention


AsOfDep = Annotated[datetime, Depends(_as_of)]
"""`as_of` in UTC; a moment without a time zone is refused (422)."""
RetentionDep = Annotated[float, Depends(_retention)]
"""The desired retention (SKILLPATH_REVIEW_RETENTION)."""
