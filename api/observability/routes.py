"""Which route answered a request: the label of its metrics and access log line."""

from starlette.types import Scope

# Set on a request answered before routing (api.middleware.kept_answers): the route it was
# for; and whether that answer was a kept one (else a 503 of the check before routing).
ROUTE_BEFORE_ROUTING = "skillpath.route_before_routing"
KEPT_ANSWER = "skillpath.kept_answer"


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/api/v1/topics/{slug}`), never the raw path, so
    metrics and logs stay low-cardinality; `unmatched` when no route matched."""
    before = scope.get(ROUTE_BEFORE_ROUTING)
    if before is not None:
        return str(before)
    # FastAPI records the effective (prefixed) route of an included router here.
    context = scope.get("fastapi", {}).get("effective_route_context")
    path = getattr(context, "path", None) or getattr(scope.get("route"), "path", None)
    return path or "unmatched"
