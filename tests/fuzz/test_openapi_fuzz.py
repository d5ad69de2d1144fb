"""Schema fuzzing: schemathesis drives every operation of the OpenAPI document with generated
requests, valid and invalid, once as a learner and once as an admin, with every check on.

No request may get a 5xx, break the response schema its operation declares, get a status code
or content type the operation does not declare, or slip invalid input past validation.

Bounded so `make test` stays fast: `SKILLPATH_FUZZ_EXAMPLES` examples per operation (fuzzing
phase; the examples and coverage phases add their own fixed cases), derandomized. `make fuzz`
runs a long random campaign plus stateful sequences (`SKILLPATH_FUZZ_STATEFUL=1`), whose links
schemathesis infers from the document.

Requests go in-process to the test's `app`, so everything written is rolled back with the
test's transaction.
"""

import os
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.app import create_app
from api.errors import PROBLEM_MEDIA_TYPE
from models.database import Database
from tests.api.builders import new_admin, new_learner
from tests.conftest import make_settings

EXAMPLES = int(os.environ.get("SKILLPATH_FUZZ_EXAMPLES", "5"))
DERANDOMIZE = os.environ.get("SKILLPATH_FUZZ_DERANDOMIZE", "1") == "1"
STATEFUL = os.environ.get("SKILLPATH_FUZZ_STATEFUL") == "1"
STATEFUL_STEPS = int(os.environ.get("SKILLPATH_FUZZ_STATEFUL_STEPS", "20"))

CONFIG = schemathesis.Config.from_dict(
    {
        # Every built-in check is on by default; VALIDATION below narrows only what one excuses.
        "generation": {"max-examples": EXAMPLES, "deterministic": DERANDOMIZE},
        "phases": {"stateful": {"max-steps": STATEFUL_STEPS}},
    }
)
DOCUMENT = create_app(make_settings(database_url="sqlite://")).openapi()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
# The app fixture is function-scoped on purpose: one rolled-back transaction per test, shared
# by that test's examples (data they write may meet later examples, like a real server's).
SETTINGS = hypothesis.settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def _problem(response: schemathesis.Response) -> dict[str, Any]:
    if response.headers.get("content-type", [""])[0] != PROBLEM_MEDIA_TYPE:
        return {}
    body = response.json()
    return body if isinstance(body, dict) else {}


# Refusals of a request the schema allows, each for a rule no OpenAPI document can state. The
# schema states the rest (slug patterns, enums, formats, lengths, and no NUL in any text), so a
# generated client cannot send what the service will refuse.
PASSWORD_IS_THE_EMAIL = "the password must not be the email address"


def positive_data_acceptance_within_the_schema(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """The built-in `positive_data_acceptance`, minus refusals no OpenAPI document can state:

    - 422 `invalid-input` (see `api.errors.InvalidInput`): a rule that depends on data or on
      two values at once: a slug that must name an existing area, topic or goal (the catalog
      is data: an import may bring other areas), a catalog edit that would break the catalog,
      "give `goal` or `targets`, not both" (a top-level `oneOf` would state it, but client
      generators cannot read one; PlanRequest says it in words).
    - 422 for a password equal to the email: JSON Schema cannot compare two fields.
    - 412 on a request with `If-Match`: a generated ETag is stale by design (§3).
    - 400 `wrong-password`: whether a password is the account's is no schema's to say (§9).

    Request validation failures (`validation-error`) are failures here otherwise: the schema
    must describe them.
    """
    if _problem(response).get("type") == "urn:skillpath:problem:wrong-password":
        return None
    if response.status_code == 422:
        problem = _problem(response)
        if problem.get("type") == "urn:skillpath:problem:invalid-input":
            return None
        if any(
            PASSWORD_IS_THE_EMAIL in issue.get("msg", "") for issue in problem.get("errors") or []
        ):
            return None
    if response.status_code == 412 and "if-match" in {name.lower() for name in case.headers}:
        return None
    return positive_data_acceptance(ctx, response, case)


VALIDATION: dict[str, Any] = {
    "excluded_checks": [positive_data_acceptance],
    "additional_checks": [positive_data_acceptance_within_the_schema],
}


@pytest.fixture(params=["learner", "admin"])
def auth_headers(request: pytest.FixtureRequest, client: TestClient, database: Database):
    """The bearer token of a fresh learner or admin (the client fixture ran the lifespan, so
    the test's catalog snapshot is loaded)."""
    if request.param == "admin":
        return new_admin(client, database).headers
    return new_learner(client).headers


@SCHEMA.parametrize()
@SETTINGS
def test_every_operation_keeps_its_contract(
    case: schemathesis.Case, app: FastAPI, auth_headers: dict[str, str]
):
    case.call_and_validate(app=app, headers=auth_headers, **VALIDATION)


@pytest.mark.skipif(not STATEFUL, reason="stateful sequences run in `make fuzz`")
def test_sequences_of_linked_operations_keep_the_contract(
    app: FastAPI, auth_headers: dict[str, str]
):
    # A schema of its own: schemathesis learns from responses, and a state machine's strategies
    # must not change under it between runs (Hypothesis calls that a flaky strategy).
    schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"app": app, "headers": auth_headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response, transport_kwargs=kwargs, recorder=self.recorder, **VALIDATION
            )

    Workflow.run(
        settings=hypothesis.settings(
            SETTINGS,
            max_examples=EXAMPLES,
            derandomize=DERANDOMIZE,
            deadline=None,
            stateful_step_count=STATEFUL_STEPS,
        )
    )
