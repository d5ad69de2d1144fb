"""Progress record and history queries."""

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from models import Area, Progress, ProgressEvent, ProgressStatus, Topic


def topic_id(session: Session, slug: str) -> int | None:
    return session.scalar(select(Topic.id).where(Topic.slug == slug))


def record(session: Session, *, learner_id: int, topic_id: int) -> Progress | None:
    return session.scalar(
        select(Progress).where(Progress.learner_id == learner_id, Progress.topic_id == topic_id)
    )


def _records_query(
    learner_id: int, status: ProgressStatus | None, area: str | None
) -> Select[Progress, str]:
    query = (
        select(Progress, Topic.slug)
        .join(Topic, Topic.id == Progress.topic_id)
        .where(Progress.learner_id == learner_id)
    )
    if status is not None:
        query = query.where(Progress.status == status)
    if area is not None:
        query = query.join(Area, Area.id == Topic.area_id).where(Area.slug == area)
    return query


def records_page(
    session: Session,
    *,
    learner_id: int,
    status: ProgressStatus | None,
    area: str | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Progress, str]], int]:
    """One page of a learner's records with their topic slugs, newest change first, and the
    number of records matching."""
    query = _records_query(learner_id, status, area)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Progress.updated_at.desc(), Progress.id.desc()).limit(limit).offset(offset)
    )
    return [(progress, slug) for progress, slug in rows], total


def statuses(session: Session, learner_id: int) -> Sequence[tuple[str, ProgressStatus, float]]:
    """(topic slug, status, hours spent) of every record of the learner."""
    rows = session.execute(
        select(Topic.slug, Progress.status, Progress.hours_spent)
        .join(Topic, Topic.id == Progress.topic_id)
        .where(Progress.learner_id == learner_id)
    )
    return [(slug, status, hours) for slug, status, hours in rows]


def events_page(
    session: Session, *, learner_id: int, topic_slug: str, limit: int, offset: int
) -> tuple[list[ProgressEvent], int]:
    """One page of a record's history, oldest first, and the number of events."""
    condition = (ProgressEvent.learner_id == learner_id, ProgressEvent.topic_slug == topic_slug)
    total = session.scalar(select(func.count(ProgressEvent.id)).where(*condition)) or 0
    events = session.scalars(
        select(ProgressEvent)
        .where(*condition)
        .order_by(ProgressEvent.id)
        .limit(limit)
        .offset(offset)
    )
    return list(events), total
