"""A Python client generated from the committed openapi.json works against a real server.

openapi-python-client (a dev dependency) generates the client into a temporary folder, offline;
the test then drives what a new user does through it: register, log in, record progress, plan
without an account and ask for recommendations. An operation the generator cannot read (as
`create_plan` once was, behind a top-level `oneOf`) is missing from the client, and the test
fails on import.
"""

import importlib
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from bench import servers
from tests.conftest import TEST_SECRET

OPENAPI = Path(__file__).resolve().parents[2] / "openapi.json"
PACKAGE = "skillpath_client"
PASSWORD = "generated client passphrase"
# What the generated client is asked to do, module by module.
OPERATIONS = [
    "api.accounts.register",
    "api.accounts.log_in",
    "api.accounts.get_my_account",
    "api.progress.record_my_progress",
    "api.progress.list_my_progress",
    "api.planning.create_plan",
    "api.planning.get_my_recommendations",
    "models",
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    """The generated client's modules, imported from a temporary folder."""
    folder = tmp_path_factory.mktemp("client")
    config = folder / "config.yaml"
    # No post-hooks: formatting the generated code is not under test.
    config.write_text("post_hooks: []\n")
    generator = Path(sys.executable).with_name("openapi-python-client")
    command = [str(generator), "generate", "--path", str(OPENAPI)]
    command += ["--output-path", str(folder / PACKAGE), "--meta", "none", "--config", str(config)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    # The generator reports operations it had to drop as warnings, and keeps going.
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        yield {name: importlib.import_module(f"{PACKAGE}.{name}") for name in OPERATIONS}
    finally:
        sys.path.remove(str(folder))
        for name in [module for module in sys.modules if module.startswith(PACKAGE)]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server on a fresh SQLite file, migrated and seeded by its own start-up."""
    url = f"sqlite:///{tmp_path_factory.mktemp('served') / 'client.db'}"
    env = {**servers.NO_RATE_LIMITS, "SKILLPATH_SECRET_KEY": TEST_SECRET}
    with servers.serve_skillpath(url, extra_env=env) as server:
        yield server.url


def test_a_generated_client_registers_logs_in_records_progress_and_plans(
    generated: dict[str, ModuleType], server_url: str
):
    api = generated
    models = api["models"]
    client_module = importlib.import_module(f"{PACKAGE}.client")
    anonymous = client_module.Client(base_url=server_url, raise_on_unexpected_status=True)
    email = f"generated-{uuid.uuid4().hex[:8]}@example.com"

    account = api["api.accounts.register"].sync(
        client=anonymous,
        body=models.RegisterRequest(email=email, password=PASSWORD, display_name="Gen"),
    )
    assert isinstance(account, models.LearnerRead), account
    assert account.role == models.Role.LEARNER

    token = api["api.accounts.log_in"].sync(
        client=anonymous, body=models.BodyLogIn(username=email, password=PASSWORD)
    )
    assert isinstance(token, models.Token), token
    learner = client_module.AuthenticatedClient(
        base_url=server_url, token=token.access_token, raise_on_unexpected_status=True
    )
    me = api["api.accounts.get_my_account"].sync(client=learner)
    assert isinstance(me, models.LearnerRead)
    assert me.email == email

    written = api["api.progress.record_my_progress"].sync(
        "python",
        client=learner,
        body=models.ProgressWrite(status=models.ProgressStatus.COMPLETED, hours_spent=12.5),
    )
    assert isinstance(written, models.ProgressRead), written
    assert (written.topic, written.version) == ("python", 1)
    progress = api["api.progress.list_my_progress"].sync(client=learner)
    assert isinstance(progress, models.PageProgressRead)
    assert [record.topic for record in progress.items] == ["python"]

    plan = api["api.planning.create_plan"].sync(
        client=anonymous,
        body=models.PlanRequest(goal="job-interview", known=["python"], hours_per_week=8),
    )
    assert isinstance(plan, models.PlanRead), plan
    assert isinstance(plan.roadmap.weeks, int)
    assert plan.roadmap.weeks >= 1
    assert "python" not in {topic.slug for stage in plan.roadmap.stages for topic in stage.topics}
    neither = api["api.planning.create_plan"].sync(client=anonymous, body=models.PlanRequest())
    assert isinstance(neither, models.Problem)
    assert neither.status == 422

    recommended = api["api.planning.get_my_recommendations"].sync(
        client=learner, goal="job-interview", limit=3
    )
    assert isinstance(recommended, models.RecommendationsRead), recommended
    assert 1 <= len(recommended.items) <= 3
    assert "python" not in {item.topic.slug for item in recommended.items}
    # The anonymous plan with the same known topic recommends what the learner is told.
    assert [item.topic.slug for item in recommended.items] == [
        item.topic.slug for item in plan.recommendations.items[:3]
    ]
