"""Which requests were answered from kept answers, for the metrics and the benchmarks.

A request answered before routing is marked in its scope (`api.observability.routes`); an
endpoint whose rendering was already kept (api/catalog/answers.py) is marked here, through a
context variable the observability middleware sets per request (the endpoint runs in the
middleware's task, or in a thread that copied its context).
"""

from contextvars import ContextVar

_marks: ContextVar[list[str] | None] = ContextVar("skillpath_kept_marks", default=None)


def start_request() -> list[str]:
    """A fresh list of marks for the request being served."""
    marks: list[str] = []
    _marks.set(marks)
    return marks


def mark_kept_body() -> None:
    """The request being served takes a rendering that was kept."""
    marks = _marks.get()
    if marks is not None:
        marks.append("body")
