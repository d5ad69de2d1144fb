"""Pure ASGI middleware (no per-request task or body copy, unlike BaseHTTPMiddleware)."""

from collections.abc import Mapping

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from api.middleware.body_limit import BodyLimitMiddleware, declare_body_limit
from api.middleware.compression import CompressionMiddleware
from api.middleware.kept_answers import KeptAnswersMiddleware
from api.middleware.observability import ObservabilityMiddleware
from api.middleware.security_headers import SecurityHeadersMiddleware
from api.settings import Settings

GZIP_MINIMUM_BYTES = 1024


def install_middleware(
    app: FastAPI, settings: Settings, *, page_policies: Mapping[str, str]
) -> None:
    """Wrap the app in its middleware; the last added runs first on a request. `page_policies`
    gives the content security policy of each HTML page by path (every other path gets the API's
    policy)."""
    # Innermost: a repeated read is answered here, inside every other layer.
    app.add_middleware(KeptAnswersMiddleware, state=lambda: app.state)
    # Refuse an oversize body before anything reads it.
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    declare_body_limit(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=settings.cors_allow_credentials,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match"],
            expose_headers=["ETag", "Location", "Retry-After"],
        )
    app.add_middleware(
        SecurityHeadersMiddleware,
        page_policies=page_policies,
        hsts_seconds=settings.hsts_seconds,
    )
    # Compress what is worth it (a roadmap, the graph) for clients that accept gzip.
    app.add_middleware(CompressionMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    app.add_middleware(ObservabilityMiddleware, metrics=app.state.metrics)
