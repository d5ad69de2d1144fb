"""Reads the whole catalog out of the database in one consistent transaction."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models import Area, Goal, GoalTarget, Prerequisite, Resource, ResourceTopic, Topic
from models.catalog import ResourceKind
from models.catalog_version import current_catalog_version
from planner.levels import Level

RowT = TypeVar("RowT")


class AreaRow(NamedTuple):
    id: int
    slug: str
    title: str
    description: str
    position: int


class TopicRow(NamedTuple):
    id: int
    slug: str
    title: str
    summary: str
    area_id: int
    level: int
    estimated_hours: float
    tags: list[str]


class ResourceRow(NamedTuple):
    id: int
    title: str
    url: str
    kind: ResourceKind
    provider: str
    free: bool
    hours: float


class GoalRow(NamedTuple):
    id: int
    slug: str
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class CatalogRows:
    """The catalog's rows, as plain tuples rather than ORM objects (no identity map to fill)."""

    version: int
    areas: list[AreaRow]
    topics: list[TopicRow]
    edges: list[tuple[int, int]]
    resources: list[ResourceRow]
    resource_links: list[tuple[int, int]]
    goals: list[GoalRow]
    goal_targets: list[tuple[int, int, float, str]]
    """(goal id, topic id, weight, level value)."""


def _rows(session: Session, row_type: Callable[..., RowT], *columns: Any) -> list[RowT]:
    # On the session's connection, as Core: plain columns need none of the ORM's row handling
    # (a quarter of the reading, on bench-scale's catalog).
    return [row_type(*row) for row in session.connection().execute(select(*columns))]


def read_catalog(session: Session) -> CatalogRows:
    """Every catalog row, read inside one transaction so they agree with each other."""
    bind = session.get_bind()
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        # PostgreSQL's default READ COMMITTED could show each SELECT a different commit.
        # (A session bound to a Connection, as in tests, already runs inside a transaction.)
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return CatalogRows(
        version=current_catalog_version(session),
        areas=_rows(
            session, AreaRow, Area.id, Area.slug, Area.title, Area.description, Area.position
        ),
        topics=_rows(
            session,
            TopicRow,
            Topic.id,
            Topic.slug,
            Topic.title,
            Topic.summary,
            Topic.area_id,
            Topic.level,
            Topic.estimated_hours,
            Topic.tags,
        ),
        edges=_rows(session, _pair, Prerequisite.prerequisite_id, Prerequisite.topic_id),
        resources=sorted(
            _rows(
                session,
                ResourceRow,
                Resource.id,
                Resource.title,
                Resource.url,
                Resource.kind,
                Resource.provider,
                Resource.free,
                Resource.hours,
            )
        ),
        resource_links=_rows(session, _pair, ResourceTopic.resource_id, ResourceTopic.topic_id),
        goals=_rows(session, GoalRow, Goal.id, Goal.slug, Goal.title, Goal.description),
        goal_targets=_rows(
            session,
            _goal_target,
            GoalTarget.goal_id,
            GoalTarget.topic_id,
            GoalTarget.weight,
            GoalTarget.level,
        ),
    )


def _pair(first: int, second: int) -> tuple[int, int]:
    return (first, second)


def _goal_target(
    goal_id: int, topic_id: int, weight: float, level: str
) -> tuple[int, int, float, str]:
    return (goal_id, topic_id, weight, Level(level).value)
