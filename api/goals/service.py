"""Catalog edits of goals and their weighted targets (admin only); each records an audit
entry in its own transaction (a change of targets is a `goal.update`)."""

from collections.abc import Sequence

from sqlalchemy.orm import Session

from api.audit import service as audit
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


def _wanted(session: Session, targets: Sequence[GoalTargetWrite]) -> dict[int, tuple[float, Level]]:
    """Topic id -> (weight, level) of the targets a request names."""
    slugs = [target.topic for target in targets]
    if len(set(slugs)) != len(slugs):
        raise InvalidInput("Each topic may be a target only once.")
    ids = require_topic_ids(session, slugs)
    return {ids[target.topic]: (target.weight, target.level) for target in targets}


def _target(slug: str) -> str:
    return f"goal:{slug}"


def _targets(session: Session, goal: Goal) -> list[dict[str, object]]:
    return repository.targets_of(session, goal)


def _record_update(
    session: Session,
    *,
    goal: Goal,
    before: dict[str, object],
    after: dict[str, object],
    actor_id: int | None,
) -> None:
    changed = audit.changes(before, after)
    if changed:
        audit.record(
            session,
            actor_id=actor_id,
            action="goal.update",
            target=_target(goal.slug),
            detail=changed,
        )


def create_goal(session: Session, body: GoalCreate, *, actor_id: int | None) -> Goal:
    """Add a goal with its targets."""
    bump_catalog_version(session)
    if repository.goal_by_slug(session, body.slug) is not None:
        raise Conflict(f"A goal with slug '{body.slug}' already exists.")
    weights = _wanted(session, body.targets)
    goal = Goal(slug=body.slug, title=body.title, description=body.description)
    session.add(goal)
    session.flush()
    repository.replace_targets(session, goal, weights)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="goal.create",
        target=_target(goal.slug),
        detail={
            "title": goal.title,
            "description": goal.description,
            "targets": _targets(session, goal),
        },
    )
    return goal


def update_goal(session: Session, slug: str, body: GoalUpdate, *, actor_id: int | None) -> Goal:
    """Change the fields `body` sets; `targets` replaces every target."""
    bump_catalog_version(session)
    goal = _goal(session, slug)
    before: dict[str, object] = {"title": goal.title, "description": goal.description}
    changes = body.model_dump(exclude_unset=True, exclude={"targets"})
    for name, value in changes.items():
        setattr(goal, name, value)
    after: dict[str, object] = dict(changes)
    if body.targets is not None:
        before["targets"] = _targets(session, goal)
        repository.replace_targets(session, goal, _wanted(session, body.targets))
        session.flush()
        after["targets"] = _targets(session, goal)
    session.flush()
    _record_update(session, goal=goal, before=before, after=after, actor_id=actor_id)
    return goal


def delete_goal(session: Session, slug: str, *, actor_id: int | None) -> None:
    """Remove a goal and its targets."""
    bump_catalog_version(session)
    goal = _goal(session, slug)
    session.delete(goal)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="goal.delete",
        target=_target(slug),
        detail={"title": goal.title},
    )


def set_target(
    session: Session,
    *,
    goal_slug: str,
    topic_slug: str,
    weight: float,
    level: Level,
    actor_id: int | None,
) -> None:
    """Add `topic_slug` to the goal's targets, or change its weight and level."""
    bump_catalog_version(session)
    goal = _goal(session, goal_slug)
    before = _targets(session, goal)
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
    after = _targets(session, goal)
    _record_update(
        session, goal=goal, before={"targets": before}, after={"targets": after}, actor_id=actor_id
    )


def remove_target(
    session: Session, *, goal_slug: str, topic_slug: str, actor_id: int | None
) -> None:
    """Drop `topic_slug` from the goal's targets; NotFound when it is not one."""
    bump_catalog_version(session)
    goal = _goal(session, goal_slug)
    before = _targets(session, goal)
    topic = topic_by_slug(session, topic_slug)
    existing = None if topic is None else repository.target(session, goal, topic.id)
    if existing is None:
        raise NotFound(f"'{topic_slug}' is not a target of the goal '{goal_slug}'.")
    session.delete(existing)
    session.flush()
    after = _targets(session, goal)
    _record_update(
        session, goal=goal, before={"targets": before}, after={"targets": after}, actor_id=actor_id
    )
