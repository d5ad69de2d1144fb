"""Everything stored about one learner, read for the export, and the account's deletion."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import Learner, Progress, ProgressEvent, Topic


def all_records(session: Session, learner_id: int) -> list[tuple[Progress, str]]:
    """Every progress record of the learner with its topic's slug, by slug."""
    rows = session.execute(
        select(Progress, Topic.slug)
        .join(Topic, Topic.id == Progress.topic_id)
        .where(Progress.learner_id == learner_id)
        .order_by(Topic.slug)
    )
    return [(progress, slug) for progress, slug in rows]


def all_events(session: Session, learner_id: int) -> list[ProgressEvent]:
    """Every event of the learner's history, oldest first (deleted topics' included)."""
    return list(
        session.scalars(
            select(ProgressEvent)
            .where(ProgressEvent.learner_id == learner_id)
            .order_by(ProgressEvent.id)
        )
    )


def delete_learner(session: Session, learner_id: int) -> None:
    """Delete the account's row. The foreign keys do the rest in the same statement: rows
    that belong to the account are deleted (ON DELETE CASCADE), rows that only name it as
    the actor keep their content and lose the name (ON DELETE SET NULL)."""
    session.execute(delete(Learner).where(Learner.id == learner_id))
