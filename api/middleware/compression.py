"""gzip for the clients that ask for it.

Starlette's GZipMiddleware wraps every response to decide whether to compress it, even for a
client that sent no `Accept-Encoding: gzip`; this hands those requests straight to the app.
"""

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send


def _accepts_gzip(scope: Scope) -> bool:
    return any(name == b"accept-encoding" and b"gzip" in value for name, value in scope["headers"])


class CompressionMiddleware:
    """Compress responses of at least `minimum_size` bytes for clients that accept gzip."""

    def __init__(self, app: ASGIApp, *, minimum_size: int) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _accepts_gzip(scope):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
