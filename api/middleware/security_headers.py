"""Security headers on every HTTP response, errors and 404s included.

API responses are JSON that no browser should render, frame or run: their policy allows nothing.
The documentation pages (Swagger UI, ReDoc) load their scripts, styles and fonts from public
CDNs and start with an inline script, so they get a policy that allows exactly those.

Strict-Transport-Security is sent only when `hsts_seconds` is set: it binds browsers to HTTPS
for that long, which only the deployment (TLS at a proxy or at uvicorn) can promise. Browsers
ignore it on plain-HTTP responses, so it is sent whatever the scheme the app itself sees.
"""

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Header = tuple[bytes, bytes]

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com",
        "font-src 'self' https://fonts.gstatic.com",
        "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly",
        "connect-src 'self'",
        "worker-src 'self' blob:",  # ReDoc searches in a web worker
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    )
)


def _headers(policy: str, hsts_seconds: int) -> list[Header]:
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"content-security-policy", policy.encode()),
    ]
    if hsts_seconds > 0:
        headers.append((b"strict-transport-security", f"max-age={hsts_seconds}".encode()))
    return headers


class SecurityHeadersMiddleware:
    """Add the precomputed security headers to each response's start message."""

    def __init__(
        self, app: ASGIApp, *, docs_paths: Iterable[str | None], hsts_seconds: int = 0
    ) -> None:
        self.app = app
        self.docs_paths = frozenset(path for path in docs_paths if path)
        self.api_headers = _headers(API_POLICY, hsts_seconds)
        self.docs_headers = _headers(DOCS_POLICY, hsts_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.docs_headers if scope["path"] in self.docs_paths else self.api_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
