"""The learner's web app: static files from the `web` package, served at `/app/`.

The app is plain HTML, CSS and JavaScript modules with no build step; it talks to the service
only through the public JSON API, as a mobile app would. Its pages load nothing from another
origin and run no inline script, so their policy allows this origin and nothing else.
"""

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

APP_PATH = "/app"

APP_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    )
)


def install_web_app(app: FastAPI) -> dict[str, str]:
    """Serve the app under /app/ and send / there; answer the app page's CSP by path."""
    directory = Path(str(files("web")))

    async def home() -> RedirectResponse:
        return RedirectResponse(f"{APP_PATH}/")

    app.add_api_route("/", home, include_in_schema=False)
    app.mount(APP_PATH, StaticFiles(directory=directory, html=True), name="web-app")
    return {f"{APP_PATH}/": APP_POLICY, f"{APP_PATH}/index.html": APP_POLICY}
