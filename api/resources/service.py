"""Catalog edits of learning resources (admin only); each records an audit entry in its own
transaction."""

from collections.abc import Collection

from sqlalchemy.orm import Session

from api.audit import service as audit
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


def _target(resource_id: int) -> str:
    return f"resource:{resource_id}"


def _resource_values(session: Session, resource: Resource) -> dict[str, object]:
    return {
        "title": resource.title,
        "url": resource.url,
        "kind": resource.kind.value,
        "provider": resource.provider,
        "free": resource.free,
        "hours": resource.hours,
        "topics": repository.topic_slugs(session, resource),
    }


def create_resource(session: Session, body: ResourceCreate, *, actor_id: int | None) -> Resource:
    """Add a resource linked to the topics it teaches."""
    bump_catalog_version(session)
    _refuse_taken_url(session, body.url)
    topic_ids = _topic_ids(session, body.topics)
    resource = Resource(**body.model_dump(exclude={"topics"}))
    session.add(resource)
    session.flush()
    repository.replace_topic_links(session, resource, topic_ids)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="resource.create",
        target=_target(resource.id),
        detail=body.model_dump(mode="json"),
    )
    return resource


def update_resource(
    session: Session, resource_id: int, body: ResourceUpdate, *, actor_id: int | None
) -> Resource:
    """Change the fields `body` sets; `topics` replaces the links."""
    bump_catalog_version(session)
    resource = _resource(session, resource_id)
    before = _resource_values(session, resource)
    given = body.model_dump(mode="json", exclude_unset=True)
    if "topics" in given:
        given["topics"] = sorted(set(given["topics"]))
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
    changed = audit.changes(before, given)
    if changed:
        audit.record(
            session,
            actor_id=actor_id,
            action="resource.update",
            target=_target(resource_id),
            detail=changed,
        )
    return resource


def delete_resource(session: Session, resource_id: int, *, actor_id: int | None) -> None:
    """Remove a resource and its topic links."""
    bump_catalog_version(session)
    resource = _resource(session, resource_id)
    detail = {"title": resource.title, "url": resource.url}
    session.delete(resource)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="resource.delete",
        target=_target(resource_id),
        detail=detail,
    )
