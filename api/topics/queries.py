"""Look-ups of topics in the catalog snapshot."""

from collections.abc import Sequence

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
    """The topics matching every filter given, in listing order."""
    if area is not None and area not in snapshot.area_slugs:
        known = ", ".join(sorted(snapshot.area_slugs))
        raise InvalidInput(f"No area with slug '{area}'; the areas are: {known}.")
    listing = snapshot.listing(area, level)
    if not text:
        return listing
    needle = text.lower()
    return [entry for entry in listing if needle in entry.search_text]
