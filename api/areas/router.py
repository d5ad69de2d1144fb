"""Skill area endpoints."""

from fastapi import APIRouter

from api.areas.schemas import AreaRead
from api.deps import SnapshotDep
from api.pagination import Page, PageDep
from api.responses import JSONBytes

router = APIRouter(prefix="/areas", tags=["catalog"])


@router.get("", response_model=Page[AreaRead], summary="List the skill areas")
async def list_areas(snapshot: SnapshotDep, page: PageDep) -> JSONBytes:
    """The four skill areas in their teaching order, each with its number of topics."""
    return JSONBytes(page.slice(snapshot.areas))
