"""Prometheus metrics: request counts and latencies by route template, learners and events."""

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from models import Learner, ProgressEvent
from models.database import Database

# Milliseconds matter here: the catalog answers in well under one.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class _TotalsCollector(Collector):
    """Learners and progress events in the database, counted when Prometheus scrapes."""

    def __init__(self, database: Callable[[], Database]) -> None:
        self._database = database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._database().read_session_factory() as session:
            learners = session.scalar(select(func.count()).select_from(Learner)) or 0
            events = session.scalar(select(func.count()).select_from(ProgressEvent)) or 0
        yield GaugeMetricFamily("skillpath_learners", "Learner accounts.", value=learners)
        yield GaugeMetricFamily(
            "skillpath_progress_events", "Progress events ever recorded.", value=events
        )


class Metrics:
    """One app's metrics, in a registry of its own (so test apps never share counters)."""

    def __init__(self, database: Callable[[], Database]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "skillpath_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "skillpath_http_request_duration_seconds",
            "HTTP request latency by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_TotalsCollector(database))
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, *, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            # labels() takes a lock and builds a key; routes and statuses are few, so keep them.
            children = self._children[key] = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
        counter, histogram = children
        counter.inc()
        histogram.observe(seconds)
