"""Fixtures of the browser tests: one server and one Chromium for the whole run."""

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.browser.harness import CHROMIUM, chromium_available, launch, running_service


@pytest.fixture(scope="session")
def service_url() -> Iterator[str]:
    with running_service() as url:
        yield url


# Per module, not per session: Playwright's sync API keeps its event loop running in this thread
# while it is open, and later tests that call asyncio.run() (tests/deploy) would fail.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not chromium_available():
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI requires the browser tests")
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
