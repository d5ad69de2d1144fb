"""Catalog edits of topics and prerequisite edges (admin only).

Every edit bumps the catalog version first: that takes the version row's lock, so edits are
serialized and a cycle check always sees the edges committed before it.

Deleting a topic deletes its prerequisite edges (both directions), its resource links, its goal
targets and learners' progress records on it; the progress history keeps the topic's slug and
is never deleted.
"""

from collections.abc import Collection

from sqlalchemy.orm import Session

from api.errors import Conflict, InvalidInput, NotFound
from api.topics import repository
from api.topics.schemas import TopicCreate, TopicUpdate
from models import Area, Prerequisite, Topic
from models.catalog_version import bump_catalog_version


def _area(session: Session, slug: str) -> Area:
    area = repository.area_by_slug(session, slug)
    if area is None:
        raise InvalidInput(f"No area with slug '{slug}'.")
    return area


def _topic(session: Session, slug: str) -> Topic:
    topic = repository.topic_by_slug(session, slug)
    if topic is None:
        raise NotFound(f"No topic with slug '{slug}'.")
    return topic


def require_topic_ids(session: Session, slugs: Collection[str]) -> dict[str, int]:
    """The id of every topic `slugs` names; InvalidInput naming those that do not exist."""
    ids = repository.topic_ids_by_slug(session, slugs)
    missing = sorted(set(slugs) - set(ids))
    if missing:
        raise InvalidInput(f"No topic with slug {', '.join(repr(s) for s in missing)}.")
    return ids


def create_topic(session: Session, body: TopicCreate) -> Topic:
    """Add a topic to the catalog."""
    bump_catalog_version(session)
    if repository.topic_by_slug(session, body.slug) is not None:
        raise Conflict(f"A topic with slug '{body.slug}' already exists.")
    topic = Topic(
        slug=body.slug,
        title=body.title,
        summary=body.summary,
        area_id=_area(session, body.area).id,
        level=body.level,
        estimated_hours=body.estimated_hours,
        tags=list(body.tags),
    )
    session.add(topic)
    session.flush()
    return topic


def update_topic(session: Session, slug: str, body: TopicUpdate) -> Topic:
    """Change the fields `body` sets."""
    bump_catalog_version(session)
    topic = _topic(session, slug)
    changes = body.model_dump(exclude_unset=True)
    if "area" in changes:
        topic.area_id = _area(session, changes.pop("area")).id
    for name, value in changes.items():
        setattr(topic, name, value)
    session.flush()
    return topic


def delete_topic(session: Session, slug: str) -> None:
    """Remove a topic with its edges, resource links, goal targets and progress records."""
    bump_catalog_version(session)
    session.delete(_topic(session, slug))
    session.flush()


def add_prerequisite(session: Session, *, topic_slug: str, prerequisite_slug: str) -> bool:
    """Make `topic` need `prerequisite`; False when the edge already existed.

    Refused with Conflict when it is a self-edge or would close a cycle.
    """
    bump_catalog_version(session)
    topic = _topic(session, topic_slug)
    prerequisite = _topic(session, prerequisite_slug)
    if topic.id == prerequisite.id:
        raise Conflict(f"A topic cannot be its own prerequisite ('{topic_slug}').")
    if repository.edge(session, topic=topic, prerequisite=prerequisite) is not None:
        return False
    if repository.depends_on(session, topic=prerequisite, ancestor=topic):
        raise Conflict(
            f"'{prerequisite_slug}' already needs '{topic_slug}', so making '{topic_slug}' "
            f"need '{prerequisite_slug}' would close a cycle."
        )
    session.add(Prerequisite(topic_id=topic.id, prerequisite_id=prerequisite.id))
    session.flush()
    return True


def remove_prerequisite(session: Session, *, topic_slug: str, prerequisite_slug: str) -> None:
    """Drop the edge; NotFound when there is none."""
    bump_catalog_version(session)
    topic = _topic(session, topic_slug)
    prerequisite = _topic(session, prerequisite_slug)
    existing = repository.edge(session, topic=topic, prerequisite=prerequisite)
    if existing is None:
        raise NotFound(f"'{topic_slug}' does not list '{prerequisite_slug}' as a prerequisite.")
    session.delete(existing)
    session.flush()
