"""Writes the database's catalog out in the seed file's format: the inverse of seed/loader.py.

Everything is emitted in a fixed order (areas by position; topics by area, level and slug;
resources by URL; goals by slug; every list inside an entry sorted; questions in the topics'
order, each topic's in its own order), so the same catalog always exports to the same bytes,
however and in whatever order it was loaded.
"""

import re
from collections import defaultdict
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.catalog.repository import read_catalog
from models import Question
from seed.schema import SLUG_PATTERN, CatalogSeed, parse_catalog

# Wide enough that no line is ever folded: a folded line is a diff for no reason.
_NO_WRAP = 1_000_000


def export_catalog(session: Session) -> CatalogSeed:
    """The whole catalog in the database, in a stable order.

    Raises CatalogFileError when the database holds something a seed file cannot (no areas
    yet, say, or an entry edited through the API beyond the file's limits): an export must
    load again.
    """
    rows = read_catalog(session)
    areas = sorted(rows.areas, key=lambda area: (area.position, area.slug))
    area_rank = {area.id: rank for rank, area in enumerate(areas)}
    area_slug = {area.id: area.slug for area in areas}
    topics = sorted(rows.topics, key=lambda t: (area_rank[t.area_id], t.level, t.slug))
    topic_slug = {topic.id: topic.slug for topic in topics}
    goals = sorted(rows.goals, key=lambda goal: goal.slug)

    prerequisites: defaultdict[int, list[str]] = defaultdict(list)
    for prerequisite_id, topic_id in rows.edges:
        prerequisites[topic_id].append(topic_slug[prerequisite_id])
    taught: defaultdict[int, list[str]] = defaultdict(list)
    for resource_id, topic_id in rows.resource_links:
        taught[resource_id].append(topic_slug[topic_id])
    targets: defaultdict[int, list[tuple[float, str, str]]] = defaultdict(list)
    for goal_id, topic_id, weight, level in rows.goal_targets:
        targets[goal_id].append((weight, topic_slug[topic_id], level))

    questions: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    for question in session.scalars(
        select(Question).order_by(Question.topic_id, Question.position, Question.id)
    ):
        questions[question.topic_id].append(
            {name: getattr(question, name) for name in Question.CONTENT}
        )

    raw: dict[str, Any] = {
        "areas": [
            {
                "slug": area.slug,
                "title": area.title,
                "description": area.description,
                "position": area.position,
            }
            for area in areas
        ],
        "topics": [
            {
                "slug": topic.slug,
                "title": topic.title,
                "area": area_slug[topic.area_id],
                "level": topic.level,
                "estimated_hours": topic.estimated_hours,
                "summary": topic.summary,
                "tags": list(topic.tags),
                "prerequisites": sorted(prerequisites[topic.id]),
            }
            for topic in topics
        ],
        "resources": [
            {
                "title": resource.title,
                "url": resource.url,
                "kind": resource.kind.value,
                "provider": resource.provider,
                "free": resource.free,
                "hours": resource.hours,
                "topics": sorted(taught[resource.id]),
            }
            for resource in sorted(rows.resources, key=lambda resource: resource.url)
        ],
        "goals": [
            {
                "slug": goal.slug,
                "title": goal.title,
                "description": goal.description,
                "targets": [
                    {"topic": topic, "weight": weight, "level": level}
                    for weight, topic, level in sorted(
                        targets[goal.id], key=lambda t: (-t[0], t[1])
                    )
                ],
            }
            for goal in goals
        ],
        "questions": {topic.slug: questions[topic.id] for topic in topics if topic.id in questions},
    }
    # Validating here runs the seed file's own checks, so a refusal names the offending entry.
    return parse_catalog(raw)


class _CatalogDumper(yaml.SafeDumper):
    """Safe YAML laid out like seed/catalog.yaml: indented sequences, short lists inline."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_SLUG = re.compile(SLUG_PATTERN)


def _represent_list(dumper: yaml.SafeDumper, values: list[Any]) -> yaml.SequenceNode:
    # Lists of slugs (tags, prerequisites, a resource's topics) read best on one line; a
    # question's choices (sentences) one per line.
    inline = all(isinstance(value, str) and _SLUG.match(value) for value in values)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", values, flow_style=inline)


_CatalogDumper.add_representer(list, _represent_list)


def dump_catalog(catalog: CatalogSeed) -> str:
    """`catalog` as seed-file YAML: keys in the models' field order, sections a blank line apart
    (the questions' section only when there are questions)."""
    sections = catalog.model_dump(mode="json")
    if not sections["questions"]:
        del sections["questions"]
    return "\n".join(
        yaml.dump(
            {name: entries},
            Dumper=_CatalogDumper,
            sort_keys=False,
            allow_unicode=True,
            width=_NO_WRAP,
            default_flow_style=False,
        )
        for name, entries in sections.items()
    )
