"""Topic graph endpoint."""

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.catalog.http import NOT_MODIFIED, catalog_response, catalog_text_response
from api.deps import SnapshotDep
from api.graph.render import graph_dot, graph_json, graph_mermaid
from api.graph.schemas import GraphRead

router = APIRouter(prefix="/graph", tags=["catalog"])


class GraphFormat(StrEnum):
    JSON = "json"
    MERMAID = "mermaid"
    DOT = "dot"


_TEXT_RENDERERS = {GraphFormat.MERMAID: graph_mermaid, GraphFormat.DOT: graph_dot}


@router.get(
    "",
    response_model=GraphRead,
    summary="Get the whole topic graph",
    responses={
        200: {
            "content": {
                "text/vnd.mermaid": {"schema": {"type": "string"}},
                "text/vnd.graphviz": {"schema": {"type": "string"}},
            }
        },
        **NOT_MODIFIED,
    },
)
async def get_graph(
    request: Request,
    snapshot: SnapshotDep,
    format: Annotated[GraphFormat, Query(description="json, mermaid or dot.")] = GraphFormat.JSON,
) -> Response:
    """Every topic and prerequisite edge, as JSON or as Mermaid or DOT text to draw."""
    if format is GraphFormat.JSON:
        return catalog_response(request, snapshot, lambda: graph_json(snapshot))
    # Kept encoded: at 10,000 topics the text is a megabyte, too much to encode per request.
    text = snapshot.derived.get(format)
    if text is None:
        text = snapshot.derived[format] = _TEXT_RENDERERS[format](snapshot).encode()
    media_type = "text/vnd.mermaid" if format is GraphFormat.MERMAID else "text/vnd.graphviz"
    return catalog_text_response(request, snapshot, text, media_type=media_type)
