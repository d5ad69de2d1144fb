"""Goal queries for catalog edits."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import Goal, GoalTarget, Topic


def goal_by_slug(session: Session, slug: str) -> Goal | None:
    return session.scalar(select(Goal).where(Goal.slug == slug))


def replace_targets(session: Session, goal: Goal, weights: dict[int, float]) -> None:
    """Make `weights` (topic id → weight) the goal's only targets."""
    session.execute(delete(GoalTarget).where(GoalTarget.goal_id == goal.id))
    session.add_all(
        GoalTarget(goal_id=goal.id, topic_id=topic_id, weight=weight)
        for topic_id, weight in weights.items()
    )


def target(session: Session, goal: Goal, topic_id: int) -> GoalTarget | None:
    return session.get(GoalTarget, (goal.id, topic_id))


def target_weights(session: Session, goal: Goal) -> dict[str, float]:
    """The goal's targets as {topic slug: weight}."""
    rows = session.execute(
        select(Topic.slug, GoalTarget.weight)
        .join(GoalTarget, GoalTarget.topic_id == Topic.id)
        .where(GoalTarget.goal_id == goal.id)
    )
    return {slug: weight for slug, weight in rows}  # noqa: C416 (rows are Row objects)
