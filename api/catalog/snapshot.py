"""The in-memory catalog snapshot that serves every catalog read.

A snapshot is built from the database once per catalog version and never changes after. It
holds JSON-ready dicts in the shapes of the response models (tests/api/test_snapshot_shapes.py
validates them against those models), plus the planner's graph, and keeps the answers rendered
from it, so a repeated read costs a dict lookup.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from api.catalog.answers import AnswerCache
from api.catalog.repository import CatalogRows, ResourceRow, TopicRow
from api.catalog.search import SearchTerms
from planner import CatalogGraph, TopicNode

JSONDict = dict[str, Any]
MAX_RESOURCES_PER_RECOMMENDATION = 3


@dataclass(frozen=True, slots=True)
class TopicEntry:
    """One topic, ready to serve in a list, in detail, or to filter on."""

    slug: str
    area: str
    level: int
    summary: JSONDict
    detail: JSONDict
    search: SearchTerms
    best_resources: tuple[JSONDict, ...]


@dataclass(frozen=True, slots=True, eq=False)
class CatalogSnapshot:
    """Everything the catalog read endpoints and the planner need, at one catalog version."""

    version: int
    areas: tuple[JSONDict, ...]
    topics: dict[str, TopicEntry]
    slug_by_id: dict[int, str]
    resources: tuple[JSONDict, ...]
    goals: dict[str, JSONDict]
    edges: tuple[tuple[str, str], ...]
    graph: CatalogGraph
    # Derived views computed on first use (renderings, filtered listings); the snapshot itself
    # never changes, so they never go stale.
    derived: dict[Any, Any] = field(default_factory=dict)
    # Rendered answers (catalog reads, plans) computed from this snapshot; they die with it.
    answers: AnswerCache = field(default_factory=AnswerCache)
    # The route template of each path whose answer is kept (bounded by the catalog's size).
    read_routes: dict[str, str] = field(default_factory=dict)

    @property
    def area_slugs(self) -> frozenset[str]:
        """The areas' slugs (computed once: filters check them on every request)."""
        slugs: frozenset[str] | None = self.derived.get("area_slugs")
        if slugs is None:
            slugs = self.derived["area_slugs"] = frozenset(area["slug"] for area in self.areas)
        return slugs

    def resource(self, resource_id: int) -> JSONDict | None:
        """The resource with this id, if any."""
        by_id: dict[int, JSONDict] | None = self.derived.get("resources_by_id")
        if by_id is None:
            by_id = self.derived["resources_by_id"] = {r["id"]: r for r in self.resources}
        return by_id.get(resource_id)

    def listing(self, area: str | None, level: int | None) -> tuple[TopicEntry, ...]:
        """Topics of `area` at `level` (None: any), in listing order, computed once per pair."""
        key = ("listing", area, level)
        found: tuple[TopicEntry, ...] | None = self.derived.get(key)
        if found is None:
            found = tuple(
                entry
                for entry in self.topics.values()
                if (area is None or entry.area == area) and (level is None or entry.level == level)
            )
            self.derived[key] = found
        return found


def _resource(row: ResourceRow, topics: Iterable[str]) -> JSONDict:
    return {
        "id": row.id,
        "title": row.title,
        "url": row.url,
        "kind": row.kind.value,
        "provider": row.provider,
        "free": row.free,
        "hours": row.hours,
        "topics": sorted(topics),
    }


def _summary(row: TopicRow, area: str) -> JSONDict:
    return {
        "slug": row.slug,
        "title": row.title,
        "area": area,
        "level": row.level,
        "estimated_hours": row.estimated_hours,
    }


def _heaviest_first(target: JSONDict) -> tuple[float, str]:
    return (-target["weight"], target["topic"])


def build_snapshot(rows: CatalogRows) -> CatalogSnapshot:
    """Shape the catalog's rows into a snapshot."""
    area_slug_by_id = {area.id: area.slug for area in rows.areas}
    slug_by_id = {topic.id: topic.slug for topic in rows.topics}
    summaries = {t.slug: _summary(t, area_slug_by_id[t.area_id]) for t in rows.topics}

    resource_topics: dict[int, list[str]] = {}
    for resource_id, topic_id in rows.resource_links:
        resource_topics.setdefault(resource_id, []).append(slug_by_id[topic_id])
    resources = tuple(_resource(r, resource_topics.get(r.id, ())) for r in rows.resources)
    resources_by_topic: dict[str, list[JSONDict]] = {}
    for resource in resources:
        for slug in resource["topics"]:
            resources_by_topic.setdefault(slug, []).append(resource)

    edges = tuple(sorted((slug_by_id[pre], slug_by_id[topic]) for pre, topic in rows.edges))
    prerequisites: dict[str, list[JSONDict]] = {}
    unlocks: dict[str, list[JSONDict]] = {}
    for pre, dependent in edges:
        prerequisites.setdefault(dependent, []).append(summaries[pre])
        unlocks.setdefault(pre, []).append(summaries[dependent])

    area_position = {area.id: area.position for area in rows.areas}
    topic_counts: dict[int, int] = {}
    topics: dict[str, TopicEntry] = {}
    for topic in sorted(rows.topics, key=lambda t: (area_position[t.area_id], t.level, t.slug)):
        topic_counts[topic.area_id] = topic_counts.get(topic.area_id, 0) + 1
        summary = summaries[topic.slug]
        own_resources = resources_by_topic.get(topic.slug, [])
        topics[topic.slug] = TopicEntry(
            slug=topic.slug,
            area=summary["area"],
            level=topic.level,
            summary=summary,
            detail={
                **summary,
                "summary": topic.summary,
                "tags": list(topic.tags),
                "prerequisites": prerequisites.get(topic.slug, []),
                "unlocks": unlocks.get(topic.slug, []),
                "resources": own_resources,
            },
            search=SearchTerms.of(
                slug=topic.slug, title=topic.title, summary=topic.summary, tags=topic.tags
            ),
            # Free first, then short: what a learner can start on at once.
            best_resources=tuple(
                sorted(own_resources, key=lambda r: (not r["free"], r["hours"], r["id"]))[
                    :MAX_RESOURCES_PER_RECOMMENDATION
                ]
            ),
        )

    areas = tuple(
        {
            "slug": area.slug,
            "title": area.title,
            "description": area.description,
            "position": area.position,
            "topic_count": topic_counts.get(area.id, 0),
        }
        for area in sorted(rows.areas, key=lambda a: (a.position, a.slug))
    )

    targets_by_goal: dict[int, list[JSONDict]] = {}
    for goal_id, topic_id, weight, level in rows.goal_targets:
        targets_by_goal.setdefault(goal_id, []).append(
            {"topic": slug_by_id[topic_id], "weight": weight, "level": level}
        )
    goals: dict[str, JSONDict] = {
        goal.slug: {
            "slug": goal.slug,
            "title": goal.title,
            "description": goal.description,
            "targets": sorted(targets_by_goal.get(goal.id, []), key=_heaviest_first),
        }
        for goal in sorted(rows.goals, key=lambda g: g.slug)
    }

    graph = CatalogGraph.build(
        topics=[
            TopicNode(slug=t.slug, title=t.title, hours=t.estimated_hours) for t in rows.topics
        ],
        edges=edges,
    )
    return CatalogSnapshot(
        version=rows.version,
        areas=areas,
        topics=topics,
        slug_by_id=slug_by_id,
        resources=resources,
        goals=goals,
        edges=edges,
        graph=graph,
    )
