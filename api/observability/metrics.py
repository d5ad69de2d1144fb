"""Prometheus metrics: request counts and latencies by route template, kept answers, learners
and events.

Several worker processes, one truth: `skillpath serve` points PROMETHEUS_MULTIPROC_DIR at a
fresh directory before any worker starts (api/cli.py). prometheus_client then keeps every
counter and histogram in per-process files there, and a scrape, whichever worker answers it,
adds up the files of all of them (its multiprocess mode). Without the variable (one process,
the tests), each app counts in a registry of its own.
"""

import os
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from models import Learner, ProgressEvent
from models.database import Database

# Milliseconds matter here: the catalog answers in well under one.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


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
        self.kept = Counter(
            "skillpath_kept_answers",
            "Requests answered from kept answers: `request` before routing (a repeated read), "
            "`body` by an endpoint that found its rendering kept (a plan for the same state).",
            ["kind"],
            registry=self.registry,
        )
        self._totals = _TotalsCollector(database)
        self.registry.register(self._totals)
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._kept_children = {kind: self.kept.labels(kind) for kind in ("request", "body")}

    def observe(
        self, *, method: str, route: str, status: int, seconds: float, kept: str | None = None
    ) -> None:
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
        if kept is not None:
            self._kept_children[kept].inc()

    def scrape_registry(self) -> CollectorRegistry:
        """What a scrape reports: every worker's counters in multiprocess mode, else this
        app's own registry."""
        directory = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
        if not directory:
            return self.registry
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        registry.register(self._totals)
        return registry
