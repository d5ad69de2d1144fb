"""The web app of DESIGN §10 in a real browser, used by accessible name as a person would."""

import itertools
import re
import time
from collections.abc import Collection

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, ViewportSize, expect

from tests.browser.harness import DESKTOP, PHONE, Watched, sign_up, watched_page

_numbers = itertools.count()


def new_email() -> str:
    return f"learner{next(_numbers)}@example.com"


def api(service_url: str, page: Page) -> httpx.Client:
    """The API as the signed-in person of `page` (the token the app keeps in sessionStorage)."""
    token = page.evaluate("sessionStorage.getItem('skillpath.token')")
    assert token
    return httpx.Client(
        base_url=f"{service_url}/api/v1", headers={"Authorization": f"Bearer {token}"}
    )


def assert_clean(watched: Watched, allowed_paths: Collection[str] = ()) -> None:
    assert watched.foreign_requests == []
    assert watched.unexpected_console_errors(allowed_paths) == []
    assert all(path in allowed_paths for _, path in watched.failed_answers), watched.failed_answers


def recommendation_titles(page: Page) -> list[str]:
    return page.locator("#recommendations h3").all_inner_texts()


def test_root_redirects_to_the_app(service_url: str):
    response = httpx.get(service_url + "/")
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == "/app/"


def test_a_learner_signs_up_plans_marks_done_searches_and_logs_out(
    browser: Browser, service_url: str
):
    with watched_page(browser, service_url, DESKTOP) as watched:
        page = watched.page
        sign_up(page, new_email())
        assert page.url.endswith("/app/")
        client = api(service_url, page)

        # The Goal select offers the API's goals; pick one by its visible title.
        goals = client.get("/goals").json()["items"]
        goal = next(g for g in goals if g["slug"] == "build-ml-model")
        select = page.get_by_label("Goal")
        assert select.locator("option").all_inner_texts() == [g["title"] for g in goals]
        select.select_option(label=goal["title"])

        # Recommendations: titles and reason sentences exactly as the API words them.
        answer = client.get("/me/recommendations", params={"goal": goal["slug"], "limit": 8})
        items = answer.json()["items"]
        expect(page.locator("#recommendations h3")).to_have_count(len(items))
        assert recommendation_titles(page) == [
            f"{n}. {item['topic']['title']}".split(". ", 1)[1] or item["topic"]["title"]
            for n, item in enumerate(items, 1)
        ]
        first = page.locator(".recommendation").first
        reasons = first.locator(".reasons li").all_inner_texts()
        assert reasons == [reason["detail"] for reason in items[0]["reasons"]]

        # Mark as done: the record is completed and the list no longer offers that topic.
        done = items[0]["topic"]
        first.get_by_role("button", name="Mark as done").click()
        expect(page.locator("#recommendations h3", has_text=done["title"])).to_have_count(0)
        record = client.get("/me/progress").json()["items"]
        assert [(r["topic"], r["status"]) for r in record] == [(done["slug"], "completed")]
        assert page.get_by_role("status").inner_text() == f"Marked “{done['title']}” as done."

        # Roadmap: one node per topic of the closure, the done one in the Known column.
        roadmap = page.get_by_role("region", name="Roadmap")
        nodes = roadmap.locator("svg a.node")
        expect(roadmap.locator(f'a.node-done[data-slug="{done["slug"]}"]')).to_have_count(1)
        steps = client.get("/me/roadmap", params={"goal": goal["slug"]}).json()
        staged = {t["slug"] for stage in steps["stages"] for t in stage["topics"]}
        assert nodes.count() == len(staged) + 1
        assert roadmap.locator("svg a.node-todo").count() == len(staged)
        assert roadmap.locator("svg path.edge").count() > 0
        for edge in roadmap.locator("svg path.edge").all()[:20]:
            for end in ("data-from", "data-to"):
                slug = edge.get_attribute(end)
                expect(roadmap.locator(f'a.node[data-slug="{slug}"]')).to_have_count(1)

        # Search, then a topic page with its resources.
        page.get_by_label("Search topics").fill("gradient descent")
        results = page.get_by_role("region", name="Search results")
        found = client.get("/topics", params={"q": "gradient descent", "limit": 8}).json()
        assert found["items"]
        expect(results.get_by_role("link")).to_have_count(len(found["items"]))
        assert results.get_by_role("link").all_inner_texts() == [t["title"] for t in found["items"]]
        results.get_by_role("link").first.click()
        topic = client.get(f"/topics/{found['items'][0]['slug']}").json()
        expect(page.get_by_role("heading", level=1)).to_have_text(topic["title"])
        expect(page.get_by_role("heading", name="Resources")).to_be_visible()
        resource_links = page.locator(".topic-page .resources a")
        assert resource_links.all_inner_texts() == [r["title"] for r in topic["resources"]]

        # Log out: back to the sign-in form, the token gone from the browser.
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
        assert page.evaluate("sessionStorage.getItem('skillpath.token')") is None
        expect(page.get_by_label("Goal")).to_have_count(0)
        assert_clean(watched)


def test_everything_works_from_the_keyboard_with_visible_focus(browser: Browser, service_url: str):
    email = new_email()
    httpx.post(
        f"{service_url}/api/v1/auth/register",
        json={"email": email, "password": "a long passphrase", "display_name": "Kay"},
    ).raise_for_status()
    with watched_page(browser, service_url, DESKTOP) as watched:
        page = watched.page
        page.goto("/app/")

        def tab_to(locator) -> None:
            for _ in range(60):
                page.keyboard.press("Tab")
                if locator.evaluate("el => el === document.activeElement"):
                    outline = locator.evaluate("el => getComputedStyle(el).outlineStyle")
                    assert outline != "none", "focus must be visible"
                    return
            raise AssertionError(f"Tab never reached {locator}")

        tab_to(page.get_by_label("Email"))
        page.keyboard.type(email)
        tab_to(page.get_by_label("Password"))
        page.keyboard.type("a long passphrase")
        page.keyboard.press("Enter")
        goal = page.get_by_label("Goal")
        expect(goal).to_be_visible()
        first_title = page.locator("#recommendations h3").first.inner_text()

        tab_to(goal)
        chosen = goal.input_value()
        page.keyboard.press("ArrowDown")  # the next goal
        expect(goal).not_to_have_value(chosen)
        expect(goal).to_be_focused()

        button = page.get_by_role("button", name="Mark as done").first
        expect(button).to_be_visible()
        before = recommendation_titles(page)
        tab_to(button)
        page.keyboard.press("Enter")
        expect(page.locator("#recommendations h3", has_text=before[0])).to_have_count(0)
        assert first_title  # the plan showed a list before the change of goal

        node = page.locator("svg a.node").first
        tab_to(node)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        tab_to(page.get_by_role("button", name="Log out"))
        page.keyboard.press("Enter")
        expect(page.get_by_label("Email")).to_be_visible()
        assert_clean(watched)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_no_horizontal_scrolling(browser: Browser, service_url: str, viewport: ViewportSize):
    with watched_page(browser, service_url, viewport) as watched:
        page = watched.page
        page.goto("/app/")
        page_width = "document.documentElement.scrollWidth"
        assert page.evaluate(page_width) <= viewport["width"]
        sign_up(page, new_email())
        expect(page.get_by_role("button", name="Mark as done").first).to_be_visible()
        expect(page.locator("svg.roadmap")).to_be_visible()
        assert page.evaluate(page_width) <= viewport["width"]
        page.locator("svg a.node").first.click()
        expect(page.get_by_role("heading", name="Resources")).to_be_visible()
        assert page.evaluate(page_width) <= viewport["width"]
        assert_clean(watched)


def test_errors_are_told_in_words(browser: Browser, service_url: str):
    with watched_page(browser, service_url, DESKTOP) as watched:
        page = watched.page
        page.goto("/app/")
        page.get_by_label("Email").fill(new_email())
        page.get_by_label("Password").fill("short")
        page.get_by_role("button", name="Create account").click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("password")
        expect(alert).to_contain_text("at least 8 characters")

        page.get_by_label("Password").fill("a long passphrase")
        page.get_by_role("button", name="Log in").click()
        expect(alert).to_have_text(re.compile(r"do not match an account"))
        assert_clean(watched, {"/api/v1/auth/register", "/api/v1/auth/token"})


def test_a_refused_token_sends_the_person_back_to_sign_in(browser: Browser, service_url: str):
    with watched_page(browser, service_url, DESKTOP) as watched:
        page = watched.page
        sign_up(page, new_email())
        page.evaluate("sessionStorage.setItem('skillpath.token', 'not-a-token')")
        page.reload()
        expect(page.get_by_role("alert")).to_have_text(
            "Your session has ended. Please log in again."
        )
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
        assert page.evaluate("sessionStorage.getItem('skillpath.token')") is None
        assert_clean(watched, {"/api/v1/me"})


def test_gaps_and_reviews_failing_leave_the_rest_working(browser: Browser, service_url: str):
    with watched_page(browser, service_url, DESKTOP) as watched:
        page = watched.page
        for path in ("**/api/v1/me/gaps*", "**/api/v1/me/reviews*"):
            page.route(path, lambda route: route.fulfill(status=503, body="down"))
        sign_up(page, new_email())
        expect(page.get_by_role("region", name="Gaps")).to_contain_text("not available right now")
        expect(page.get_by_role("region", name="Reviews")).to_contain_text(
            "not available right now"
        )
        expect(page.get_by_role("button", name="Mark as done").first).to_be_visible()
        expect(page.locator("svg a.node").first).to_be_visible()
        assert_clean(watched, {"/api/v1/me/gaps", "/api/v1/me/reviews"})  # made to fail here


# What the contract (DESIGN §7) says these endpoints answer: the app is drawn from this shape.
def _summary(slug: str, title: str) -> dict:
    return {"slug": slug, "title": title, "area": "math-for-ml", "level": 2, "estimated_hours": 9}


GAPS = {
    "goal": "job-interview",
    "goal_reached": False,
    "readiness": 0.5,
    "targets": [
        {
            "topic": _summary("linear-regression", "Linear regression"),
            "weight": 1.0,
            "required_level": "proficient",
            "current_level": "aware",
            "met": False,
            "hours_to_close": 6.0,
        },
        {
            "topic": _summary("python", "Python"),
            "weight": 0.5,
            "required_level": "practiced",
            "current_level": "expert",
            "met": True,
            "hours_to_close": 0.0,
        },
    ],
    "areas": [{"area": "math-for-ml", "targets": 2, "met": 1, "readiness": 0.5}],
}
REVIEWS = {
    "items": [
        {
            "topic": _summary("python", "Python"),
            "due_at": "2026-11-29T10:00:00Z",
            "retrievability": 0.82,
            "level": "proficient",
            "reviews": 2,
        }
    ],
    "total": 1,
    "limit": 20,
    "offset": 0,
}


def test_gaps_chart_and_reviews_are_drawn_from_the_contracts_shapes(
    browser: Browser, service_url: str
):
    """The rendering alone, answers shaped as DESIGN §7 words them (the endpoints are built
    in issues 12 and 13; the tests below use the real ones)."""
    with watched_page(browser, service_url, DESKTOP) as watched:
        page = watched.page
        page.route("**/api/v1/me/gaps*", lambda route: route.fulfill(json=GAPS))
        page.route("**/api/v1/me/reviews*", lambda route: route.fulfill(json=REVIEWS))
        sign_up(page, new_email())
        gaps = page.get_by_role("region", name="Gaps")
        expect(gaps).to_contain_text("50% ready")
        rows = gaps.locator("li.gap")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("Linear regression")
        expect(rows.nth(0)).to_contain_text("You are aware; proficient needed. About 6 h to close.")
        expect(rows.nth(1)).to_contain_text("You are expert; practiced needed. Met.")
        # The bar of current level reaches `aware` (1 of 4 steps), the required mark `proficient`.
        bar = rows.nth(0).locator("svg")
        expect(bar.locator(".gap-current")).to_have_attribute("width", "58")
        expect(bar.locator(".gap-required")).to_have_attribute("x1", "180")

        reviews = page.get_by_role("region", name="Reviews")
        expect(reviews.get_by_role("link", name="Python")).to_be_visible()
        expect(reviews).to_contain_text("82% recall")
        assert_clean(watched)


def test_the_gaps_chart_shows_every_target_of_the_goal(browser: Browser, service_url: str):
    with watched_page(browser, service_url, DESKTOP) as watched:
        page = watched.page
        sign_up(page, new_email())
        page.get_by_role("button", name="Mark as done").first.click()
        expect(page.get_by_role("status")).to_contain_text("as done")  # the write is through
        client = api(service_url, page)
        goal = page.get_by_label("Goal").input_value()
        gaps = client.get("/me/gaps", params={"goal": goal})
        assert gaps.status_code == 200
        answer = gaps.json()
        chart = page.get_by_role("region", name="Gaps")
        expect(chart).to_contain_text(f"{round(answer['readiness'] * 100)}% ready")
        expect(chart.locator("li.gap")).to_have_count(len(answer["targets"]))
        for target in answer["targets"]:
            row = chart.locator("li.gap", has_text=target["topic"]["title"]).first
            expect(row).to_contain_text(f"{target['required_level']} needed")
        assert_clean(watched, {"/api/v1/me/reviews", "/api/v1/auth/logout"})


def test_the_reviews_list_reads_what_is_due(browser: Browser, service_url: str):
    with watched_page(browser, service_url, DESKTOP) as watched:
        page = watched.page
        sign_up(page, new_email())
        page.get_by_role("button", name="Mark as done").first.click()
        expect(page.get_by_role("status")).to_contain_text("as done")  # the write is through
        client = api(service_url, page)
        due = client.get("/me/reviews", params={"due": "true"})
        assert due.status_code == 200
        reviews = page.get_by_role("region", name="Reviews")
        if due.json()["items"]:
            for item in due.json()["items"]:
                expect(reviews.get_by_role("link", name=item["topic"]["title"])).to_be_visible()
        else:  # a topic completed a moment ago is not due yet
            expect(reviews).to_contain_text("Nothing is due for review.")
        assert_clean(watched, {"/api/v1/me/gaps", "/api/v1/auth/logout"})


def test_a_click_while_the_plan_still_loads_has_the_last_word_in_the_status_line(
    browser: Browser, service_url: str
):
    with watched_page(browser, service_url, DESKTOP) as watched:
        page = watched.page
        held: list[Route] = []  # the reviews answers, kept back so the plan is still loading
        page.route("**/api/v1/me/reviews*", lambda route: held.append(route))
        sign_up(page, new_email())
        first = page.locator(".recommendation").first
        title = first.locator("h3").inner_text()
        first.get_by_role("button", name="Mark as done").click()
        # The first load's request and the one of the refresh after the click.
        deadline = time.monotonic() + 10
        while len(held) < 2 and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        assert len(held) == 2
        for route in held:
            route.fallback()
        expect(page.get_by_role("region", name="Reviews")).not_to_contain_text("Loading")
        assert page.get_by_role("status").inner_text() == f"Marked “{title}” as done."
        assert_clean(watched)


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_api_docs_render_from_this_origin_alone(browser: Browser, service_url: str, path):
    with watched_page(browser, service_url, DESKTOP) as watched:
        page = watched.page
        page.goto(path)
        # Both UIs list the operations once they have loaded /openapi.json.
        operation = page.get_by_text("Open a learner account").filter(visible=True).first
        expect(operation).to_be_visible(timeout=20_000)
        assert_clean(watched)
