"""The OpenAPI document, corrected to tell the truth about error bodies."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.errors import PROBLEM_MEDIA_TYPE, Problem

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _problem_schemas() -> dict[str, Any]:
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    nested = schema.pop("$defs", {})
    return {**nested, "Problem": schema}


def _declare_problem_bodies(schema: dict[str, Any]) -> None:
    # FastAPI documents its own JSON validation body for 422; the app answers problem+json.
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if "422" in responses:
                responses["422"]["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}
            if "requestBody" in operation:
                # A body that is not even text (bytes that are not UTF-8) gets FastAPI's 400.
                responses.setdefault(
                    "400",
                    {
                        "description": "Bad Request",
                        "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}},
                    },
                )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components.update(_problem_schemas())


def install_openapi(app: FastAPI) -> None:
    """Generate the OpenAPI document once, with problem+json error bodies."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            _declare_problem_bodies(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


if __name__ == "__main__":
    # `make openapi`: print the document the app serves, for committing as openapi.json.
    import json

    from api.app import create_app
    from api.settings import Settings

    document = create_app(Settings(database_url="sqlite://")).openapi()
    print(json.dumps(document, indent=2, sort_keys=True))
