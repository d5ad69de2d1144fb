"""Learning resource endpoints."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from api.auth.deps import AdminLearner
from api.catalog.http import NOT_MODIFIED, catalog_response
from api.catalog.snapshot import CatalogSnapshot, JSONDict
from api.deps import DatabaseDep, SnapshotDep
from api.errors import ADMIN_ONLY, NotFound, problem_responses
from api.pagination import Page, PageDep
from api.resources import service
from api.resources.schemas import ResourceCreate, ResourceRead, ResourceUpdate
from api.responses import JSONBytes
from models.catalog import ResourceKind

router = APIRouter(prefix="/resources", tags=["resources"])

ResourceId = Annotated[int, Path(ge=1, le=2**31 - 1, examples=[1])]


@router.get(
    "",
    response_model=Page[ResourceRead],
    summary="List learning resources",
    responses=NOT_MODIFIED,
)
async def list_resources(
    request: Request,
    snapshot: SnapshotDep,
    page: PageDep,
    topic: Annotated[
        str | None, Query(max_length=64, description="Only resources that teach this topic.")
    ] = None,
    kind: Annotated[ResourceKind | None, Query(description="Only resources of this kind.")] = None,
    free: Annotated[bool | None, Query(description="Only free (true) or paid (false).")] = None,
) -> Response:
    """Resources in the order they were added."""

    def build() -> JSONDict:
        items = [
            resource
            for resource in snapshot.resources
            if (topic is None or topic in resource["topics"])
            and (kind is None or resource["kind"] == kind.value)
            and (free is None or resource["free"] == free)
        ]
        return page.slice(items)

    return catalog_response(request, snapshot, build)


def _resource_read(snapshot: CatalogSnapshot, resource_id: int) -> JSONDict:
    resource = snapshot.resource(resource_id)
    if resource is not None:
        return resource
    raise NotFound(f"No resource with id {resource_id}.")


@router.get(
    "/{resource_id}",
    response_model=ResourceRead,
    summary="Get a resource",
    responses={**problem_responses(404), **NOT_MODIFIED},
)
async def get_resource(
    resource_id: ResourceId, request: Request, snapshot: SnapshotDep
) -> Response:
    """One learning resource and the topics it teaches."""
    return catalog_response(request, snapshot, lambda: _resource_read(snapshot, resource_id))


@router.post(
    "",
    response_model=ResourceRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a resource (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 409),
)
async def create_resource(body: ResourceCreate, admin: AdminLearner, db: DatabaseDep) -> JSONBytes:
    """Add a learning resource linked to the topics it teaches; URLs are unique."""
    resource, snapshot = await db.edit_catalog(service.create_resource, body, actor_id=admin.id)
    return JSONBytes(_resource_read(snapshot, resource.id), status_code=201)


@router.patch(
    "/{resource_id}",
    response_model=ResourceRead,
    summary="Change a resource (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 404, 409),
)
async def update_resource(
    resource_id: ResourceId, body: ResourceUpdate, admin: AdminLearner, db: DatabaseDep
) -> JSONBytes:
    """Change the fields given; `topics`, when given, replaces the links."""
    _, snapshot = await db.edit_catalog(
        service.update_resource, resource_id, body, actor_id=admin.id
    )
    return JSONBytes(_resource_read(snapshot, resource_id))


@router.delete(
    "/{resource_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a resource (admin)",
    openapi_extra=ADMIN_ONLY,
    responses=problem_responses(401, 403, 404),
)
async def delete_resource(resource_id: ResourceId, admin: AdminLearner, db: DatabaseDep) -> None:
    """Remove a resource and its topic links."""
    await db.edit_catalog(service.delete_resource, resource_id, actor_id=admin.id)
