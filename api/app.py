"""The FastAPI application factory and its lifespan."""

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from api.account.router import router as account_router
from api.admin.router import router as admin_router
from api.areas.router import router as areas_router
from api.audit.router import router as audit_router
from api.auth.router import router as auth_router
from api.catalog.store import CatalogStore
from api.checks.router import router as checks_router
from api.docs_ui import install_docs
from api.errors import install_error_handlers
from api.gaps.router import router as gaps_router
from api.goals.router import router as goals_router
from api.graph.router import router as graph_router
from api.health.router import router as health_router
from api.middleware import install_middleware
from api.observability.logging import configure_logging
from api.observability.metrics import Metrics
from api.observability.router import router as metrics_router
from api.openapi import install_openapi
from api.planning.learner_states import LearnerStates
from api.planning.router import router as planning_router
from api.progress.batches import RecordBatches
from api.progress.router import router as progress_router
from api.questions.router import router as questions_router
from api.resources.router import router as resources_router
from api.reviews.router import router as reviews_router
from api.settings import Settings, get_settings
from api.startup import prepare_database
from api.teams.router import router as teams_router
from api.topics.router import router as topics_router
from api.web_app import install_web_app
from models.database import Database

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

DESCRIPTION = """
Track what you know on the road to a career in AI, and get told what to learn next.

The catalog holds four skill areas — foundational machine learning, deep learning, the math
behind ML and software development — as a graph of topics joined by prerequisite edges, with
learning resources for each topic and goals such as *pass a job interview*.

Errors are `application/problem+json` (RFC 9457). Lists answer `{items, total, limit, offset}`.
"""

TAGS = [
    {
        "name": "accounts",
        "description": "Register, log in and out, change your password, export or delete "
        "your account and its data.",
    },
    {"name": "catalog", "description": "Skill areas and the topic graph."},
    {"name": "topics", "description": "Things to learn and their prerequisites."},
    {"name": "resources", "description": "Courses, books, videos and docs linked to topics."},
    {"name": "goals", "description": "Why people learn: weighted target topics."},
    {"name": "progress", "description": "Your progress records and their history."},
    {"name": "planning", "description": "Recommendations and roadmaps for a goal."},
    {"name": "gaps", "description": "Your depth per goal target against the depth it asks."},
    {"name": "reviews", "description": "Spaced review: when to revisit what you learned."},
    {
        "name": "questions",
        "description": "Self-check questions on topics; the answers come only in a check's result.",
    },
    {"name": "checks", "description": "Your self-checks: graded answers that award levels."},
    {"name": "admin", "description": "Account management and the audit trail (admins)."},
    {"name": "teams", "description": "Teams, invitations, and where a team stands on a goal."},
    {"name": "health", "description": "Probes for load balancers and orchestrators."},
]


# How often a SQLite file's write-ahead log is copied into the database, off the request path.
CHECKPOINT_SECONDS = 1.0

# The collector's thresholds in a serving process (Python's are 700, 10, 10). A young collection
# runs after every 700 objects made and not freed: under load, over ten a second, each finding a
# dozen requests in flight and moving what they hold into the older generations, which fill with
# objects dead a moment later and are walked again. Every 50,000 instead: with 2 workers under
# write then read on PostgreSQL for 15 s, a worker spent 16-23 ms in 43 collections, against
# 220-250 ms in 280-310 with Python's thresholds (docs/performance.md, session 15).
SERVING_GC_THRESHOLDS = (50_000, 20, 100)


async def _every(interval: float, work: Callable[[], Awaitable[object]], *, failure: str) -> None:
    """Await `work()` every `interval` seconds until cancelled."""
    while True:
        await asyncio.sleep(interval)
        try:
            await work()
        except Exception:
            # A database hiccup must not stop the loop; the next round tries again.
            logger.warning(failure, exc_info=True)


async def _checkpoint(database: Database) -> None:
    """Copy a SQLite file's write-ahead log into the database: most of it on a worker thread,
    then the frames written meanwhile here on the event loop, whose connection makes the
    requests' writes, so that none comes between and the next one starts the log over
    (`Database.finish_checkpoint`)."""
    await run_in_threadpool(database.checkpoint)
    database.finish_checkpoint()


def operation_id(route: APIRoute) -> str:
    """The endpoint's function name, e.g. `list_topics`: what generated clients call methods."""
    return route.name


def use_database(app: FastAPI, database: Database) -> None:
    """Point the app, and a new catalog store, at `database`."""
    app.state.database = database
    app.state.catalog = CatalogStore(database.read_session_factory)
    app.state.learner_states = LearnerStates()
    app.state.record_batches = RecordBatches()


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """Build the app; `database` overrides the one the settings name (tests use this)."""
    settings = settings or get_settings()
    owns_database = database is None
    database = database or Database.from_url(
        settings.database_url, async_pool_size=settings.database_pool_size
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(prepare_database, app.state.database, settings)
        await run_in_threadpool(app.state.catalog.reload)
        if settings.environment != "test":
            # A server's first burst of requests finds every PostgreSQL connection open, not
            # the pool growing one connection at a time.
            await app.state.database.fill_async_connections()
            # Everything alive now (modules, the first snapshot, the connections) lives as long
            # as the process: move it out of the collector's sight, so full collections stay
            # short under load. (Test runs build hundreds of apps, which must stay collectable,
            # and open only the connections they use.) Start-up's few garbage cycles go with it
            # (1,900 objects on bench-scale's catalog): collecting them first would cost a walk
            # of the whole heap, 0.3 s there.
            gc.freeze()
            gc.set_threshold(*SERVING_GC_THRESHOLDS)
        # `skillpath serve` starts with the collector paused (api/served_app.py).
        gc.enable()
        tasks = []
        if settings.catalog_poll_seconds > 0:
            # Notice catalog writes made by other processes sharing the database.
            refresh = partial(run_in_threadpool, app.state.catalog.refresh_if_stale)
            tasks.append(
                _every(settings.catalog_poll_seconds, refresh, failure="catalog refresh failed")
            )
        if app.state.database.wal_checkpoints:
            # No write request pays for a checkpoint (see Database).
            checkpoint = partial(_checkpoint, app.state.database)
            tasks.append(_every(CHECKPOINT_SECONDS, checkpoint, failure="WAL checkpoint failed"))
        running = [asyncio.create_task(task) for task in tasks]
        # On a SQLite file, requests' work runs inline on this loop: on a connection it holds
        # until the `finally` below (taken last, so a start-up that fails leaves none open).
        app.state.database.hold_connection()
        try:
            yield
        finally:
            for task in running:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            app.state.database.release_connection()
            await app.state.database.close_async_connections()
            if owns_database:
                app.state.database.dispose()

    app = FastAPI(
        title="skillpath",
        version="1.0.0",
        summary="Skills and roadmaps for a career in AI.",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        # Served from this origin by install_docs instead of FastAPI's CDN pages.
        docs_url=None,
        redoc_url=None,
        # FastAPI's own OpenTelemetry off: the service's metrics are Prometheus' (/metrics)
        # and its logs structlog's. On, every request looks for OpenTelemetry's providers
        # (about 1% of a request's instructions, `make bench-instructions`).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    use_database(app, database)
    app.state.metrics = Metrics(lambda: app.state.database)
    if settings.environment != "test":
        configure_logging(settings.log_level)

    install_error_handlers(app)
    install_openapi(app)

    # Included one level deep, hottest first, and before the pages' routes: route matching
    # walks the app's routes in order, and every API request would try those first.
    # (Repeated reads are answered before routing: see api.middleware.kept_answers.)
    for router in (
        planning_router,
        progress_router,
        gaps_router,
        reviews_router,
        topics_router,
        auth_router,
        areas_router,
        resources_router,
        goals_router,
        graph_router,
        questions_router,
        checks_router,
        account_router,
        admin_router,
        audit_router,
        teams_router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(health_router)
    app.include_router(metrics_router)
    page_policies = install_docs(app) | install_web_app(app)
    install_middleware(app, settings, page_policies=page_policies)
    return app
