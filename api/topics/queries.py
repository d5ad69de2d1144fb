"""Look-ups of topics in the catalog snapshot."""

from collections.abc import Sequence

from api.catalog.search import SearchQuery
from api.catalog.snapshot import CatalogSnapshot, TopicEntry
from api.errors import InvalidInput, NotFound


def topic_entry(snapshot: CatalogSnapshot, slug: str) -> TopicEntry:
    """The topic with `slug`, or NotFound."""
    entry = snapshot.topics.get(slug)
    if entry is None:
        raise NotFound(f"No topic with slug '{slug}'.")
    return entry


def filter_topics(
    snapshot: CatalogSnapshot, *, area: str | None, level: int | None, text: str | None
) -> Sequence[TopicEntry]:
    """The topics matching every filter given: best text matches first when `text` is
    given (ties in listing order), else in listing order."""
    if area is not None and area not in snapshot.area_slugs:
        known = ", ".join(sorted(snapshot.area_slugs))
        raise InvalidInput(f"No area with slug '{area}'; the areas are: {known}.")
    listing = snapshot.listing(area, level)
    if not text:
        return listing
    query = SearchQuery.parse(text)
    scored = [(entry.search.score(query), position) for position, entry in enumerate(listing)]
    ranked = sorted((-score, position) for score, position in scored if score > 0)
    return [listing[position] for _, position in ranked]
