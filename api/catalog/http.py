"""HTTP caching of catalog reads: an ETag per catalog version, and 304 for a current copy."""

from typing import Any

from fastapi import Request, Response

from api.catalog.snapshot import CatalogSnapshot
from api.responses import JSONBytes

# Clients may keep a copy but must ask again; the answer is a cheap 304 while it is current.
_CACHE_CONTROL = "no-cache"

NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not Modified: the copy named in If-None-Match is current."}
}


def catalog_etag(snapshot: CatalogSnapshot) -> str:
    """Every catalog read changes only when the catalog version does."""
    return f'W/"catalog-{snapshot.version}"'


def _is_current(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    # If-None-Match uses the weak comparison (RFC 9110 section 13.1.2).
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


def catalog_response(
    request: Request, snapshot: CatalogSnapshot, body: Any, *, media_type: str | None = None
) -> Response:
    """`body` with the catalog's ETag, or 304 when the client's copy is current."""
    headers = {"ETag": catalog_etag(snapshot), "Cache-Control": _CACHE_CONTROL}
    if _is_current(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    if media_type is None:
        return JSONBytes(body, headers=headers)
    return Response(body, media_type=media_type, headers=headers)
