"""Entity tags of progress records and the `If-Match` precondition."""

from models import Progress


def etag_of(progress: Progress) -> str:
    """The strong entity tag of a record's current version."""
    return f'"{progress.version}"'


def if_match_allows(if_match: str, current: Progress | None) -> bool:
    """Whether an `If-Match` header value admits writing over `current` (RFC 9110 §13.1.1)."""
    if current is None:
        return False
    candidates = {candidate.strip() for candidate in if_match.split(",")}
    return "*" in candidates or etag_of(current) in candidates
