"""Swagger UI (`/docs`) and ReDoc (`/redoc`), served with their assets from this origin.

FastAPI's own pages load Swagger UI, ReDoc and Google Fonts from CDNs, so an install with no
internet shows blank pages. This follows FastAPI's "Custom Docs UI Static Assets (Self-Hosting)"
recipe with the assets that the maintained `fastapi-standalone-docs` package ships (Swagger UI,
ReDoc and their licences); its own monkeypatching of FastAPI is not used.

Each page is rendered once, and the content security policy it needs is computed from it: the
one inline script of Swagger UI (its start-up call) and of the OAuth2 redirect page are allowed
by their SHA-256 hashes, never by 'unsafe-inline'. Styles stay 'unsafe-inline' on these pages
only: both UIs set element styles at run time (ReDoc through styled-components), which no hash
can name; that allows no other origin.
"""

import base64
import hashlib
import re
from pathlib import Path

import fastapi_standalone_docs  # type: ignore[import-untyped]  # ships assets, no types
from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"
OAUTH2_REDIRECT_PATH = "/docs/oauth2-redirect"
FAVICON_URL = "/app/favicon.svg"

_ASSETS = Path(fastapi_standalone_docs.__file__).parent / "static"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _script_hashes(html: str) -> str:
    """The CSP sources that allow exactly the inline scripts of `html`."""
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(html)
    )


def _policy(*directives: str) -> str:
    common = ("frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'")
    return "; ".join(("default-src 'none'", *directives, *common))


def _html(response: Response) -> str:
    return bytes(response.body).decode()


def install_docs(app: FastAPI) -> dict[str, str]:
    """Serve the documentation pages and their assets; answer each page's CSP by path.

    The app must be built with `docs_url=None, redoc_url=None` so FastAPI adds no CDN pages.
    """
    openapi_url = app.openapi_url or "/openapi.json"
    swagger = _html(
        get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=OAUTH2_REDIRECT_PATH,
            swagger_js_url=f"{DOCS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_PATH}/swagger-ui.css",
            swagger_favicon_url=FAVICON_URL,
            # Swagger UI's default validator badge is an image from another host.
            swagger_ui_parameters={"validatorUrl": None},
        )
    )
    redirect = _html(get_swagger_ui_oauth2_redirect_html())
    # ReDoc's logo is fetched from `<page path>/logo-mini.svg` (the package patches it so).
    redoc = _html(
        get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{REDOC_PATH}/redoc.standalone.js",
            redoc_favicon_url=FAVICON_URL,
            with_google_fonts=False,
        )
    )

    def page_route(path: str, html: str) -> None:
        async def page() -> HTMLResponse:
            return HTMLResponse(html)

        app.add_api_route(path, page, include_in_schema=False)

    # The pages before the asset mounts: a mount at /docs would otherwise take the redirect page.
    page_route(DOCS_PATH, swagger)
    page_route(OAUTH2_REDIRECT_PATH, redirect)
    page_route(REDOC_PATH, redoc)
    app.mount(DOCS_PATH, StaticFiles(directory=_ASSETS / "swagger"), name="swagger-ui-assets")
    app.mount(REDOC_PATH, StaticFiles(directory=_ASSETS / "redoc"), name="redoc-assets")

    return {
        DOCS_PATH: _policy(
            f"script-src 'self' {_script_hashes(swagger)}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
        ),
        OAUTH2_REDIRECT_PATH: _policy(f"script-src {_script_hashes(redirect)}"),
        REDOC_PATH: _policy(
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "worker-src blob:",  # ReDoc searches in a web worker made from a blob
        ),
    }
