"""Catalog edits of learning resources (admin only)."""

from collections.abc import Collection

from sqlalchemy.orm import Session

from api.errors import Conflict, NotFound
from api.resources import repository
from api.resources.schemas import ResourceCreate, ResourceUpdate
from api.topics.service import require_topic_ids
from models import Resource
from models.catalog_version import bump_catalog_version


def _topic_ids(session: Session, slugs: Collection[str]) -> list[int]:
    return sorted(set(require_topic_ids(session, slugs).values()))


def _resource(session: Session, resource_id: int) -> Resource:
    resource = session.get(Resource, resource_id)
    if resource is None:
        raise NotFound(f"No resource with id {resource_id}.")
    return resource


def _refuse_taken_url(session: Session, url: str, *, owner: Resource | None = None) -> None:
    existing = repository.resource_by_url(session, url)
    if existing is not None and existing is not owner:
        raise Conflict(f"Resource {existing.id} already has the URL '{url}'.")


def create_resource(session: Session, body: ResourceCreate) -> Resource:
    """Add a resource linked to the topics it teaches."""
    bump_catalog_version(session)
    _refuse_taken_url(session, body.url)
    topic_ids = _topic_ids(session, body.topics)
    resource = Resource(**body.model_dump(exclude={"topics"}))
    session.add(resource)
    session.flush()
    repository.replace_topic_links(session, resource, topic_ids)
    session.flush()
    return resource


def update_resource(session: Session, resource_id: int, body: ResourceUpdate) -> Resource:
    """Change the fields `body` sets; `topics` replaces the links."""
    bump_catalog_version(session)
    resource = _resource(session, resource_id)
    changes = body.model_dump(exclude_unset=True)
    if "url" in changes:
        _refuse_taken_url(session, changes["url"], owner=resource)
    if "topics" in changes:
        repository.replace_topic_links(
            session, resource, _topic_ids(session, changes.pop("topics"))
        )
    for name, value in changes.items():
        setattr(resource, name, value)
    session.flush()
    return resource


def delete_resource(session: Session, resource_id: int) -> None:
    """Remove a resource and its topic links."""
    bump_catalog_version(session)
    session.delete(_resource(session, resource_id))
    session.flush()
