"""Entity tags of progress records and the `If-Match` precondition."""


def etag_of(version: int) -> str:
    """The strong entity tag of a record at `version`."""
    return f'"{version}"'


def if_match_allows(if_match: str, version: int | None) -> bool:
    """Whether an `If-Match` header admits writing over the record at `version` (None: there is
    no record), per RFC 9110 section 13.1.1."""
    if version is None:
        return False
    candidates = {candidate.strip() for candidate in if_match.split(",")}
    return "*" in candidates or etag_of(version) in candidates
