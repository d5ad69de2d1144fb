"""HTTP answers to catalog reads: rendered once per snapshot, with an ETag per catalog version
and 304 for a copy that is still current.

The first request for a path and query is routed, validated and answered by its endpoint, which
keeps the rendered answer in the snapshot; the same request again, until the catalog changes,
is answered from there before routing (`api.middleware.kept_answers`), with the same
headers. Only answers that depend on nothing but the snapshot, the path and the query are kept.
"""

from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from starlette.datastructures import Headers
from starlette.types import Scope

from api.catalog.snapshot import CatalogSnapshot
from api.observability.routes import route_template

# Clients may keep a copy but must ask again; the answer is a cheap 304 while it is current.
_CACHE_CONTROL = "no-cache"
_JSON = "application/json"

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


def _answer(headers: Headers, snapshot: CatalogSnapshot, body: bytes, media_type: str) -> Response:
    validators = {"ETag": catalog_etag(snapshot), "Cache-Control": _CACHE_CONTROL}
    if _is_current(headers.get("if-none-match"), validators["ETag"]):
        return Response(status_code=304, headers=validators)
    return Response(body, media_type=media_type, headers=validators)


def _key(scope: Scope) -> tuple[str, str, bytes]:
    return ("catalog read", scope["path"], scope["query_string"])


def catalog_response(
    request: Request, snapshot: CatalogSnapshot, build: Callable[[], Any]
) -> Response:
    """The JSON of `build()`, which must depend only on the snapshot and the request's path and
    query: it is rendered once per snapshot for each path and query. `build` raising (a 404)
    answers that error, whatever the client's copy, and keeps nothing."""
    body = snapshot.answers.json(_key(request.scope), build)
    snapshot.read_routes.setdefault(request.scope["path"], route_template(request.scope))
    return _answer(request.headers, snapshot, body, _JSON)


def kept_catalog_response(scope: Scope, snapshot: CatalogSnapshot) -> tuple[Response, str] | None:
    """The answer `catalog_response` gave to this path and query on this snapshot, if it was
    kept, with the template of the route that gave it."""
    body = snapshot.answers.get(_key(scope))
    if body is None:
        return None
    response = _answer(Headers(scope=scope), snapshot, body, _JSON)
    return response, snapshot.read_routes[scope["path"]]


def catalog_text_response(
    request: Request, snapshot: CatalogSnapshot, text: bytes, *, media_type: str
) -> Response:
    """`text` (a UTF-8 rendering of the snapshot) with the catalog's ETag."""
    return _answer(request.headers, snapshot, text, f"{media_type}; charset=utf-8")
