"""Pure ASGI middleware (no per-request task or body copy, unlike BaseHTTPMiddleware)."""

from fastapi import FastAPI

from api.middleware.observability import ObservabilityMiddleware
from api.settings import Settings


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Wrap the app in its middleware; the last added runs first on a request."""
    del settings  # each middleware adds itself below; the outermost comes last
    app.add_middleware(ObservabilityMiddleware, metrics=app.state.metrics)
