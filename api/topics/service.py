"""Catalog edits of topics and prerequisite edges (admin only).

Every edit bumps the catalog version first: that takes the version row's lock, so edits are
serialized and a cycle check always sees the edges committed before it.

Every edit that changes something records an audit entry in its own transaction.

Deleting a topic deletes its prerequisite edges (both directions), its resource links, its goal
targets and learners' progress records on it; the progress history keeps the topic's slug and
is never deleted.
"""

from collections.abc import Collection

from sqlalchemy.orm import Session

from api.audit import service as audit
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


def _topic_values(session: Session, topic: Topic) -> dict[str, object]:
    area = session.get(Area, topic.area_id)
    return {
        "title": topic.title,
        "summary": topic.summary,
        "area": area.slug if area is not None else None,
        "level": topic.level,
        "estimated_hours": topic.estimated_hours,
        "tags": list(topic.tags),
    }


def create_topic(session: Session, body: TopicCreate, *, actor_id: int | None) -> Topic:
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
    audit.record(
        session,
        actor_id=actor_id,
        action="topic.create",
        target=f"topic:{topic.slug}",
        detail=body.model_dump(mode="json", exclude={"slug"}),
    )
    return topic


def update_topic(session: Session, slug: str, body: TopicUpdate, *, actor_id: int | None) -> Topic:
    """Change the fields `body` sets."""
    bump_catalog_version(session)
    topic = _topic(session, slug)
    before = _topic_values(session, topic)
    changes = body.model_dump(mode="json", exclude_unset=True)
    if "area" in changes:
        topic.area_id = _area(session, changes["area"]).id
    for name, value in changes.items():
        if name != "area":
            setattr(topic, name, value)
    session.flush()
    changed = audit.changes(before, changes)
    if changed:
        audit.record(
            session,
            actor_id=actor_id,
            action="topic.update",
            target=f"topic:{slug}",
            detail=changed,
        )
    return topic


def delete_topic(session: Session, slug: str, *, actor_id: int | None) -> None:
    """Remove a topic with its edges, resource links, goal targets and progress records."""
    bump_catalog_version(session)
    topic = _topic(session, slug)
    session.delete(topic)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="topic.delete",
        target=f"topic:{slug}",
        detail={"title": topic.title},
    )


def _edge_target(*, topic_slug: str, prerequisite_slug: str) -> str:
    # Read as the graph's edge: the prerequisite comes before (>) the topic that needs it.
    return f"prerequisite:{prerequisite_slug}>{topic_slug}"


def add_prerequisite(
    session: Session, *, topic_slug: str, prerequisite_slug: str, actor_id: int | None
) -> bool:
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
    audit.record(
        session,
        actor_id=actor_id,
        action="prerequisite.add",
        target=_edge_target(topic_slug=topic_slug, prerequisite_slug=prerequisite_slug),
        detail={"topic": topic_slug, "prerequisite": prerequisite_slug},
    )
    return True


def remove_prerequisite(
    session: Session, *, topic_slug: str, prerequisite_slug: str, actor_id: int | None
) -> None:
    """Drop the edge; NotFound when there is none."""
    bump_catalog_version(session)
    topic = _topic(session, topic_slug)
    prerequisite = _topic(session, prerequisite_slug)
    existing = repository.edge(session, topic=topic, prerequisite=prerequisite)
    if existing is None:
        raise NotFound(f"'{topic_slug}' does not list '{prerequisite_slug}' as a prerequisite.")
    session.delete(existing)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="prerequisite.remove",
        target=_edge_target(topic_slug=topic_slug, prerequisite_slug=prerequisite_slug),
        detail={"topic": topic_slug, "prerequisite": prerequisite_slug},
    )
