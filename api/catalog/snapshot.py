"""The in-memory catalog snapshot that serves every catalog read.

A snapshot is built from the database once per catalog version and never changes after. It
holds JSON-ready dicts shaped by the response models, plus the planner's graph, so a read
costs a dict lookup and a serialization.
"""

from dataclasses import dataclass, field
from typing import Any

from api.areas.schemas import AreaRead
from api.catalog.repository import CatalogRows
from api.goals.schemas import GoalRead, GoalTargetRead
from api.resources.schemas import ResourceRead
from api.topics.schemas import TopicDetail, TopicSummary
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
    search_text: str
    best_resources: tuple[JSONDict, ...]


@dataclass(frozen=True, slots=True, eq=False)
class CatalogSnapshot:
    """Everything the catalog read endpoints and the planner need, at one catalog version."""

    version: int
    areas: tuple[JSONDict, ...]
    topics: dict[str, TopicEntry]
    resources: tuple[JSONDict, ...]
    goals: dict[str, JSONDict]
    edges: tuple[tuple[str, str], ...]
    graph: CatalogGraph
    # Renderings computed on first use; the snapshot itself never changes.
    renderings: dict[str, Any] = field(default_factory=dict)

    @property
    def area_slugs(self) -> frozenset[str]:
        return frozenset(area["slug"] for area in self.areas)


def build_snapshot(rows: CatalogRows) -> CatalogSnapshot:
    """Shape the catalog's rows into a snapshot."""
    area_slug_by_id = {area.id: area.slug for area in rows.areas}
    topic_slug_by_id = {topic.id: topic.slug for topic in rows.topics}

    summaries = {
        topic.slug: TopicSummary(
            slug=topic.slug,
            title=topic.title,
            area=area_slug_by_id[topic.area_id],
            level=topic.level,
            estimated_hours=topic.estimated_hours,
        ).model_dump(mode="json")
        for topic in rows.topics
    }

    resource_topics: dict[int, list[str]] = {}
    for resource_id, topic_id in rows.resource_links:
        resource_topics.setdefault(resource_id, []).append(topic_slug_by_id[topic_id])
    resources = tuple(
        ResourceRead(
            id=resource.id,
            title=resource.title,
            url=resource.url,
            kind=resource.kind,
            provider=resource.provider,
            free=resource.free,
            hours=resource.hours,
            topics=sorted(resource_topics.get(resource.id, [])),
        ).model_dump(mode="json")
        for resource in rows.resources
    )
    resources_by_topic: dict[str, list[JSONDict]] = {}
    for resource in resources:
        for slug in resource["topics"]:
            resources_by_topic.setdefault(slug, []).append(resource)

    edges = tuple(
        sorted((topic_slug_by_id[pre], topic_slug_by_id[topic]) for pre, topic in rows.edges)
    )
    prerequisites: dict[str, list[str]] = {}
    unlocks: dict[str, list[str]] = {}
    for pre, dependent in edges:
        prerequisites.setdefault(dependent, []).append(pre)
        unlocks.setdefault(pre, []).append(dependent)

    topics: dict[str, TopicEntry] = {}
    area_position = {area.id: area.position for area in rows.areas}
    topic_counts: dict[int, int] = {}
    for topic in sorted(rows.topics, key=lambda t: (area_position[t.area_id], t.level, t.slug)):
        topic_counts[topic.area_id] = topic_counts.get(topic.area_id, 0) + 1
        own_resources = resources_by_topic.get(topic.slug, [])
        detail = TopicDetail.model_validate(
            {
                **summaries[topic.slug],
                "summary": topic.summary,
                "tags": list(topic.tags),
                "prerequisites": [summaries[s] for s in prerequisites.get(topic.slug, [])],
                "unlocks": [summaries[s] for s in unlocks.get(topic.slug, [])],
                "resources": own_resources,
            }
        ).model_dump(mode="json")
        topics[topic.slug] = TopicEntry(
            slug=topic.slug,
            area=area_slug_by_id[topic.area_id],
            level=topic.level,
            summary=summaries[topic.slug],
            detail=detail,
            search_text=" ".join([topic.slug, topic.title, topic.summary, *topic.tags]).lower(),
            best_resources=tuple(
                sorted(own_resources, key=lambda r: (not r["free"], r["hours"], r["id"]))[
                    :MAX_RESOURCES_PER_RECOMMENDATION
                ]
            ),
        )

    areas = tuple(
        AreaRead(
            slug=area.slug,
            title=area.title,
            description=area.description,
            position=area.position,
            topic_count=topic_counts.get(area.id, 0),
        ).model_dump(mode="json")
        for area in sorted(rows.areas, key=lambda a: (a.position, a.slug))
    )

    targets_by_goal: dict[int, list[GoalTargetRead]] = {}
    for goal_id, topic_id, weight in rows.goal_targets:
        targets_by_goal.setdefault(goal_id, []).append(
            GoalTargetRead(topic=topic_slug_by_id[topic_id], weight=weight)
        )
    goals = {
        goal.slug: GoalRead(
            slug=goal.slug,
            title=goal.title,
            description=goal.description,
            targets=sorted(targets_by_goal.get(goal.id, []), key=lambda t: (-t.weight, t.topic)),
        ).model_dump(mode="json")
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
        resources=resources,
        goals=goals,
        edges=edges,
        graph=graph,
    )
