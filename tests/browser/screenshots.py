"""`make screenshots`: pictures of the web app at 375 px and 1280 px for the README, taken by
the browser tests' own harness against a fresh server (python -m tests.browser.screenshots)."""

import sys
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, expect, sync_playwright

from tests.browser.harness import (
    CHROMIUM,
    DESKTOP,
    PHONE,
    chromium_available,
    launch,
    running_service,
    sign_up,
    watched_page,
)

FOLDER = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE_SCREEN: ViewportSize = {"width": PHONE["width"], "height": 812}
DONE = 3  # topics marked done first, so the roadmap shows a column of known topics


def plan_with_progress(page: Page, email: str) -> None:
    sign_up(page, email)
    page.get_by_label("Goal").select_option("build-ml-model")
    for _ in range(DONE):
        titles = page.locator("#recommendations h3").all_inner_texts()
        page.get_by_role("button", name="Mark as done").first.click()
        expect(page.locator("#recommendations h3").first).not_to_have_text(titles[0])
    expect(page.locator("svg a.node-done")).to_have_count(DONE)
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")


def main() -> int:
    if not chromium_available():
        print(f"no Chromium at {CHROMIUM}: apt-get install chromium", file=sys.stderr)
        return 1
    FOLDER.mkdir(parents=True, exist_ok=True)
    with running_service() as url, sync_playwright() as playwright:
        browser = launch(playwright)
        with watched_page(browser, url, PHONE_SCREEN) as watched:
            watched.page.goto("/")
            watched.page.get_by_label("Email").wait_for()
            watched.page.screenshot(path=FOLDER / "sign-in-375.png")
        with watched_page(browser, url, DESKTOP) as watched:
            plan_with_progress(watched.page, "desktop@example.com")
            watched.page.screenshot(path=FOLDER / "plan-1280.png", full_page=True)
            watched.page.locator("svg a.node-todo").first.click()
            expect(watched.page.get_by_role("heading", name="Resources")).to_be_visible()
            watched.page.screenshot(path=FOLDER / "topic-1280.png")
        with watched_page(browser, url, PHONE_SCREEN) as watched:
            plan_with_progress(watched.page, "phone@example.com")
            watched.page.screenshot(path=FOLDER / "plan-375.png")
            watched.page.get_by_role("region", name="Roadmap").scroll_into_view_if_needed()
            watched.page.screenshot(path=FOLDER / "roadmap-375.png")
        browser.close()
    for picture in sorted(FOLDER.glob("*.png")):
        print(picture.relative_to(FOLDER.parents[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
