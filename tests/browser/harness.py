"""What the browser tests and `make screenshots` share: a real server, Debian's Chromium driven
by Playwright, and pages that refuse every request to another origin."""

import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    Request,
    Response,
    Route,
    ViewportSize,
)

from bench.servers import serve_skillpath

# Playwright cannot download its own browsers here: it drives the system's (apt-get install
# chromium), which .ci/run installs when it is missing.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 375, "height": 740}
PASSWORD = "a long passphrase"


def chromium_available() -> bool:
    return os.access(CHROMIUM, os.X_OK)


@contextmanager
def running_service() -> Iterator[str]:
    """skillpath on a fresh SQLite file, as `make run` starts it; yields its base URL. Sign-up
    limits are off: the tests open many accounts from one address."""
    with tempfile.TemporaryDirectory(prefix="skillpath-browser-") as folder:
        env = {"SKILLPATH_RATE_LIMITS_ENABLED": "false", "SKILLPATH_CATALOG_POLL_SECONDS": "0"}
        with serve_skillpath(f"sqlite:///{folder}/app.db", extra_env=env) as server:
            yield server.url


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM)


@dataclass
class Watched:
    """A page and what it did that a person should never see."""

    page: Page
    origin: str
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed_answers: list[tuple[int, str]] = field(default_factory=list)  # (status, path)

    def unexpected_console_errors(self, allowed_paths: Collection[str] = ()) -> list[str]:
        """Console errors, less Chrome's own report of an HTTP error answer on `allowed_paths`
        (an answer the app handles and words for the person)."""
        return [
            text
            for text in self.console_errors
            if not any(f"{path} " in text for path in allowed_paths)
        ]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@contextmanager
def watched_page(browser: Browser, base_url: str, viewport: ViewportSize) -> Iterator[Watched]:
    """A page in a fresh context (its own sessionStorage) whose every request is inspected:
    one to another origin is aborted and recorded, as are console errors and error answers."""
    context = browser.new_context(viewport=viewport, base_url=base_url)
    page = context.new_page()
    watched = Watched(page=page, origin=_origin(base_url))

    def guard(route: Route, request: Request) -> None:
        if request.url.startswith(("data:", "blob:")) or _origin(request.url) == watched.origin:
            route.fallback()
        else:
            watched.foreign_requests.append(request.url)
            route.abort()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            watched.console_errors.append(f"{message.text} at {urlsplit(where).path} ")

    def on_page_error(error: Error) -> None:
        watched.console_errors.append(f"uncaught: {error}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            watched.failed_answers.append((response.status, urlsplit(response.url).path))

    context.route("**/*", guard)
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("response", on_response)
    try:
        yield watched
    finally:
        context.close()


def sign_up(page: Page, email: str, password: str = PASSWORD) -> None:
    """Open the app and create an account through the sign-in form, by accessible names."""
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    page.get_by_label("Goal").wait_for()
