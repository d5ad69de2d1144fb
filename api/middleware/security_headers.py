"""Security headers on every HTTP response, errors and 404s included.

API responses are JSON that no browser should render, frame or run: their policy allows nothing.
The HTML pages the service serves (the web app, Swagger UI, ReDoc) each get the policy their
module computed (api/web_app.py, api/docs_ui.py): every one of them loads from this origin only.

Strict-Transport-Security is sent only when `hsts_seconds` is set: it binds browsers to HTTPS
for that long, which only the deployment (TLS at a proxy or at uvicorn) can promise. Browsers
ignore it on plain-HTTP responses, so it is sent whatever the scheme the app itself sees.
"""

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Header = tuple[bytes, bytes]

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


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
        self, app: ASGIApp, *, page_policies: Mapping[str, str], hsts_seconds: int = 0
    ) -> None:
        self.app = app
        self.api_headers = _headers(API_POLICY, hsts_seconds)
        self.page_headers = {
            path: _headers(policy, hsts_seconds) for path, policy in page_policies.items()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.page_headers.get(scope["path"], self.api_headers)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
