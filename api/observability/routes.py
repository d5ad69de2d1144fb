"""Which route answered a request: the label of its metrics and access log line."""

from starlette.types import Scope

# Set on a request answered before routing (api.middleware.kept_answers).
KEPT_ANSWER_ROUTE = "skillpath.kept_answer_route"


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/api/v1/topics/{slug}`), never the raw path, so
    metrics and logs stay low-cardinality; `unmatched` when no route matched."""
    kept = scope.get(KEPT_ANSWER_ROUTE)
    if kept is not None:
        return str(kept)
    # FastAPI records the effective (prefixed) route of an included router here.
    context = scope.get("fastapi", {}).get("effective_route_context")
    path = getattr(context, "path", None) or getattr(scope.get("route"), "path", None)
    return path or "unmatched"
