"""Fast JSON responses for bodies that are already JSON-ready."""

from typing import Any

import orjson
from fastapi import Response


class JSONBytes(Response):
    """A JSON response serialized with orjson, for data the app shaped itself.

    Routes that answer from the catalog snapshot return plain dicts built from the response
    models at snapshot time, so validating them again on every request would be wasted work.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        # Bytes are JSON rendered earlier (kept answers); everything else is rendered now.
        if isinstance(content, bytes):
            return content
        return orjson.dumps(content)
