"""Topic and prerequisite-edge queries for catalog edits."""

from collections.abc import Collection

from sqlalchemy import exists, literal, select
from sqlalchemy.orm import Session

from models import Area, Prerequisite, Topic


def area_by_slug(session: Session, slug: str) -> Area | None:
    return session.scalar(select(Area).where(Area.slug == slug))


def topic_by_slug(session: Session, slug: str) -> Topic | None:
    return session.scalar(select(Topic).where(Topic.slug == slug))


def edge(session: Session, *, topic: Topic, prerequisite: Topic) -> Prerequisite | None:
    return session.get(Prerequisite, (topic.id, prerequisite.id))


def depends_on(session: Session, *, topic: Topic, ancestor: Topic) -> bool:
    """Whether `topic` needs `ancestor`, directly or through other prerequisites."""
    needed = (
        select(Prerequisite.prerequisite_id.label("id"))
        .where(Prerequisite.topic_id == topic.id)
        .cte("needed", recursive=True)
    )
    needed = needed.union(
        select(Prerequisite.prerequisite_id).where(Prerequisite.topic_id == needed.c.id)
    )
    return bool(session.scalar(select(exists().where(needed.c.id == literal(ancestor.id)))))


def topic_ids_by_slug(session: Session, slugs: Collection[str]) -> dict[str, int]:
    """The ids of the topics among `slugs` that exist."""
    rows = session.execute(select(Topic.slug, Topic.id).where(Topic.slug.in_(slugs))).all()
    return dict(rows)
