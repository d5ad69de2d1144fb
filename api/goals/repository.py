"""Goal queries for catalog edits."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import Goal, GoalTarget, Topic
from planner.levels import Level


def goal_by_slug(session: Session, slug: str) -> Goal | None:
    return session.scalar(select(Goal).where(Goal.slug == slug))


def replace_targets(session: Session, goal: Goal, targets: dict[int, tuple[float, Level]]) -> None:
    """Make `targets` (topic id → weight and level) the goal's only targets."""
    session.execute(delete(GoalTarget).where(GoalTarget.goal_id == goal.id))
    session.add_all(
        GoalTarget(goal_id=goal.id, topic_id=topic_id, weight=weight, level=level)
        for topic_id, (weight, level) in targets.items()
    )


def target(session: Session, goal: Goal, topic_id: int) -> GoalTarget | None:
    return session.get(GoalTarget, (goal.id, topic_id))


def targets_of(session: Session, goal: Goal) -> list[dict[str, object]]:
    """The goal's targets as `{topic, weight, level}`, by topic slug."""
    rows = session.execute(
        select(Topic.slug, GoalTarget.weight, GoalTarget.level)
        .join(GoalTarget, GoalTarget.topic_id == Topic.id)
        .where(GoalTarget.goal_id == goal.id)
        .order_by(Topic.slug)
    )
    return [{"topic": slug, "weight": weight, "level": level.value} for slug, weight, level in rows]
