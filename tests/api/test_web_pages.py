"""The pages the service serves (the web app, Swagger UI, ReDoc) need no other origin (§10)."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

WEB = Path(__file__).resolve().parents[2] / "web"
PAGES = ["/app/", "/docs", "/redoc", "/docs/oauth2-redirect"]
# Where a page names what it loads: src=, href= and CSS url(...) and @import.
_REFERENCE = re.compile(
    r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)|@import\s+["']([^"']+)"""
)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _references(text: str) -> list[str]:
    return [next(group for group in match if group) for match in _REFERENCE.findall(text)]


def _foreign(reference: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", reference, re.IGNORECASE))


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


def test_the_root_sends_people_to_the_app(client: TestClient):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/app/"
    assert client.get("/app/").headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path", PAGES)
def test_pages_reference_no_other_origin(client: TestClient, path: str):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    references = _references(response.text)
    assert [ref for ref in references if _foreign(ref)] == []
    if path != "/docs/oauth2-redirect":
        assert references  # the page does load its scripts and styles, from here
    for reference in references:
        if reference.startswith("/"):  # what the page loads is served here
            assert client.get(reference).status_code == 200, reference
    assert "fonts.googleapis" not in response.text


@pytest.mark.parametrize("path", PAGES)
def test_page_policies_name_no_other_host_and_allow_no_unhashed_inline_script(
    client: TestClient, path: str
):
    policy = client.get(path).headers["content-security-policy"]
    directives = _directives(policy)
    assert directives["default-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    for values in directives.values():
        for value in values:
            assert value.startswith("'") or value in ("data:", "blob:"), (path, value)
    scripts = directives.get("script-src", [])
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    page = client.get(path).text
    for script in _INLINE_SCRIPT.findall(page):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in scripts


def test_the_app_page_allows_this_origin_only(client: TestClient):
    directives = _directives(client.get("/app/").headers["content-security-policy"])
    for name in ("script-src", "style-src", "img-src", "connect-src"):
        assert directives[name] == ["'self'"]
    assert "<script>" not in client.get("/app/").text
    assert "style=" not in client.get("/app/").text  # inline styles would need 'unsafe-inline'


def test_the_apps_own_files_load_nothing_from_elsewhere():
    sources = [*WEB.glob("*.html"), *WEB.glob("*.css"), *WEB.glob("js/*.js")]
    assert sources
    for source in sources:
        text = source.read_text()
        foreign = [ref for ref in _references(text) if _foreign(ref)]
        assert foreign == [], source
        # Static imports name files of the app; fetch goes through api.js to /api/v1 only.
        for module in re.findall(r"""^import .* from ["']([^"']+)["']""", text, re.MULTILINE):
            assert module.startswith("./"), (source, module)
        assert "@font-face" not in text
