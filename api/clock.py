"""The service's clock for reads that look at a moment: one place to read "now" from, so that
what depends on the date (kept answers, the default `as_of`) agrees, and tests can move it."""

from datetime import UTC, datetime


def now() -> datetime:
    """The current moment, in UTC."""
    return datetime.now(UTC)
