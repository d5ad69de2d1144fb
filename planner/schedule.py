"""Week numbers for working through a roadmap in order at a fixed number of hours per week."""

import math
from collections.abc import Sequence

HOURS_DECIMALS = 6
"""Running totals are rounded to this many decimals so float noise cannot shift a week."""


def total_hours(hours: Sequence[float]) -> float:
    """The hours added up, rounded to HOURS_DECIMALS."""
    return round(math.fsum(hours), HOURS_DECIMALS)


def schedule_weeks(hours: Sequence[float], hours_per_week: float) -> tuple[list[int], int]:
    """The 1-based week each item starts in, and the weeks needed in total.

    An item starts in week floor(hours before it / hours_per_week) + 1; the total is
    ceil(total_hours / hours_per_week).
    """
    weeks_total = math.ceil(total_hours(hours) / hours_per_week)
    starts: list[int] = []
    before = 0.0
    for item_hours in hours:
        week = math.floor(round(before, HOURS_DECIMALS) / hours_per_week) + 1
        starts.append(min(week, weeks_total))
        before += item_hours
    return starts, weeks_total
