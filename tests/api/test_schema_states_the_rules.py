"""The OpenAPI document states the rules the service enforces, so a client generated from it
cannot send what will be refused (schemathesis's positive-data check in tests/fuzz relies on
it; the rules it cannot state are listed beside that check)."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.builders import PASSWORD, new_learner
from tests.api.test_catalog_reads import assert_problem
from tests.conftest import make_settings

DOCUMENT = create_app(make_settings(database_url="sqlite://")).openapi()
SCHEMAS = DOCUMENT["components"]["schemas"]


def _request_body_schemas() -> Iterator[str]:
    for operations in DOCUMENT["paths"].values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            reference = content.get("application/json", {}).get("schema", {}).get("$ref", "")
            if reference:
                yield reference.rsplit("/", 1)[-1]


def _strings(schema: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        yield from _strings(SCHEMAS[name], name)
        return
    if schema.get("type") == "string":
        yield where, schema
    for option in schema.get("anyOf", []):
        yield from _strings(option, where)
    if isinstance(schema.get("items"), dict):
        yield from _strings(schema["items"], f"{where}[]")
    for name, field in schema.get("properties", {}).items():
        yield from _strings(field, f"{where}.{name}")


# Every free-text field of every request body (fixed values and formats such as email hold no
# NUL by definition), with its pattern.
FREE_TEXT = sorted(
    {
        (where, field.get("pattern", ""))
        for body in set(_request_body_schemas())
        for where, field in _strings(SCHEMAS[body], body)
        if not {"enum", "const", "format"} & set(field)
    }
)


def test_request_bodies_have_free_text_fields():
    assert any(where == "RegisterRequest.password" for where, _ in FREE_TEXT)
    assert any(where == "ProgressWrite.notes" for where, _ in FREE_TEXT)


@pytest.mark.parametrize(("where", "pattern"), FREE_TEXT)
def test_no_text_field_of_a_request_body_admits_nul(where: str, pattern: str):
    # The service refuses NUL in every body (PostgreSQL text cannot hold it).
    assert pattern, f"{where} states no pattern"
    assert re.search(pattern, "a\x00b") is None, f"{where}'s pattern {pattern} admits NUL"


def _parameter(path: str, name: str) -> dict[str, Any]:
    operation = DOCUMENT["paths"][path]["get"]
    return next(p for p in operation["parameters"] if p["name"] == name)["schema"]


@pytest.mark.parametrize("path", ["/api/v1/topics", "/api/v1/me/progress"])
@pytest.mark.parametrize("area", ["Deep Learning", "deep_learning", "a\x00b", "-x"])
def test_an_area_filter_the_service_refuses_the_schema_refuses(
    client: TestClient, path: str, area: str
):
    learner = new_learner(client)
    response = client.get(path, params={"area": area}, headers=learner.headers)
    problem = assert_problem(response, 422)
    assert problem["type"] == "urn:skillpath:problem:validation-error"
    options = _parameter(path, "area").get("anyOf", [])
    patterns = [option["pattern"] for option in options if "pattern" in option]
    assert patterns
    assert all(re.search(pattern, area) is None for pattern in patterns)


@pytest.mark.parametrize(
    "body",
    [
        {"email": "ada@example.com", "password": "pass\x00word-1", "display_name": "Ada"},
        {"email": "ada@example.com", "password": PASSWORD, "display_name": "A\x00da"},
    ],
)
def test_a_registration_the_service_refuses_the_schema_refuses(client: TestClient, body):
    assert_problem(client.post("/api/v1/auth/register", json=body), 422)
    properties = SCHEMAS["RegisterRequest"]["properties"]
    refused_by_schema = [
        name
        for name, value in body.items()
        if "pattern" in properties[name] and re.search(properties[name]["pattern"], value) is None
    ]
    assert refused_by_schema
