"""Entity tags of progress records and the `If-Match` precondition."""

import re

# A strong entity tag as `etag_of` makes them; PostgreSQL's INTEGER bounds a record's version.
_VERSION_TAG = re.compile(r'"(0|[1-9]\d{0,9})"')
_MAX_VERSION = 2**31 - 1


def etag_of(version: int) -> str:
    """The strong entity tag of a record at `version`."""
    return f'"{version}"'


def admitted_versions(if_match: str) -> tuple[bool, tuple[int, ...]]:
    """What an `If-Match` header admits writing over: any existing record (`*`), and the
    versions its entity tags name, per RFC 9110 section 13.1.1 (strong comparison: a weak
    tag admits nothing)."""
    candidates = {candidate.strip() for candidate in if_match.split(",")}
    tags = (_VERSION_TAG.fullmatch(candidate) for candidate in candidates)
    versions = {int(tag.group(1)) for tag in tags if tag is not None}
    return "*" in candidates, tuple(sorted(v for v in versions if v <= _MAX_VERSION))


def if_match_allows(if_match: str, version: int | None) -> bool:
    """Whether an `If-Match` header admits writing over the record at `version` (None: there is
    no record)."""
    if version is None:
        return False
    any_record, versions = admitted_versions(if_match)
    return any_record or version in versions
