"""Resource queries for catalog edits."""

from collections.abc import Collection

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import Resource, ResourceTopic, Topic


def resource_by_url(session: Session, url: str) -> Resource | None:
    return session.scalar(select(Resource).where(Resource.url == url))


def replace_topic_links(session: Session, resource: Resource, topic_ids: Collection[int]) -> None:
    """Link `resource` to exactly `topic_ids`."""
    session.execute(delete(ResourceTopic).where(ResourceTopic.resource_id == resource.id))
    session.add_all(ResourceTopic(resource_id=resource.id, topic_id=t) for t in topic_ids)


def topic_slugs(session: Session, resource: Resource) -> list[str]:
    """The slugs of the topics `resource` is linked to, sorted."""
    return sorted(
        session.scalars(
            select(Topic.slug)
            .join(ResourceTopic, ResourceTopic.topic_id == Topic.id)
            .where(ResourceTopic.resource_id == resource.id)
        )
    )
