"""The Prometheus scrape endpoint."""

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from api.observability.metrics import Metrics

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus text format: the counters of every worker process, learners and events from
    the database."""
    app_metrics: Metrics = request.app.state.metrics
    body = await run_in_threadpool(generate_latest, app_metrics.scrape_registry())
    return Response(body, media_type=CONTENT_TYPE_LATEST)
