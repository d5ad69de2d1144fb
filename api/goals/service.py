"""Catalog edits of goals and their weighted targets (admin only)."""

from collections.abc import Sequence

from sqlalchemy.orm import Session

from api.errors import Conflict, InvalidInput, NotFound
from api.goals import repository
from api.goals.schemas import GoalCreate, GoalTargetWrite, GoalUpdate
from api.topics.repository import topic_by_slug
from api.topics.service import require_topic_ids
from models import Goal, GoalTarget
from models.catalog_version import bump_catalog_version
from planner.levels import Level


def _goal(session: Session, slug: str) -> Goal:
    goal = repository.goal_by_slug(session, slug)
    if goal is None:
        raise NotFound(f"No goal with slug '{slug}'.")
    return goal


def _targets(
    session: Session, targets: Sequence[GoalTargetWrite]
) -> dict[int, tuple[float, Level]]:
    slugs = [target.topic for target in targets]
    if len(set(slugs)) != len(slugs):
        raise InvalidInput("Each topic may be a target only once.")
    ids = require_topic_ids(session, slugs)
    return {ids[target.topic]: (target.weight, target.level) for target in targets}


def create_goal(session: Session, body: GoalCreate) -> Goal:
    """Add a goal with its targets."""
    bump_catalog_version(session)
    if repository.goal_by_slug(session, body.slug) is not None:
        raise Conflict(f"A goal with slug '{body.slug}' already exists.")
    targets = _targets(session, body.targets)
    goal = Goal(slug=body.slug, title=body.title, description=body.description)
    session.add(goal)
    session.flush()
    repository.replace_targets(session, goal, targets)
    session.flush()
    return goal


def update_goal(session: Session, slug: str, body: GoalUpdate) -> Goal:
    """Change the fields `body` sets; `targets` replaces every target."""
    bump_catalog_version(session)
    goal = _goal(session, slug)
    changes = body.model_dump(exclude_unset=True, exclude={"targets"})
    for name, value in changes.items():
        setattr(goal, name, value)
    if body.targets is not None:
        repository.replace_targets(session, goal, _targets(session, body.targets))
    session.flush()
    return goal


def delete_goal(session: Session, slug: str) -> None:
    """Remove a goal and its targets."""
    bump_catalog_version(session)
    session.delete(_goal(session, slug))
    session.flush()


def set_target(
    session: Session, *, goal_slug: str, topic_slug: str, weight: float, level: Level
) -> None:
    """Add `topic_slug` to the goal's targets, or change its weight and level."""
    bump_catalog_version(session)
    goal = _goal(session, goal_slug)
    topic = topic_by_slug(session, topic_slug)
    if topic is None:
        raise NotFound(f"No topic with slug '{topic_slug}'.")
    existing = repository.target(session, goal, topic.id)
    if existing is None:
        session.add(GoalTarget(goal_id=goal.id, topic_id=topic.id, weight=weight, level=level))
    else:
        existing.weight = weight
        existing.level = level
    session.flush()


def remove_target(session: Session, *, goal_slug: str, topic_slug: str) -> None:
    """Drop `topic_slug` from the goal's targets; NotFound when it is not one."""
    bump_catalog_version(session)
    goal = _goal(session, goal_slug)
    topic = topic_by_slug(session, topic_slug)
    existing = None if topic is None else repository.target(session, goal, topic.id)
    if existing is None:
        raise NotFound(f"'{topic_slug}' is not a target of the goal '{goal_slug}'.")
    session.delete(existing)
    session.flush()
