"""A serving process starts with the garbage collector paused (api/served_app.py) and serves
with it on, collecting young objects less often; a catalog rebuild pauses it too, and leaves
it as it found it."""

import gc
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import SERVING_GC_THRESHOLDS
from api.catalog import store as store_module
from api.catalog.snapshot import CatalogSnapshot, build_snapshot
from api.catalog.store import CatalogStore

# The served app's start-up, run through its lifespan in a process of its own (the collector's
# state is the process's).
_START_UP = """
import asyncio, gc, json
from api.served_app import create_served_app

app = create_served_app()
paused_while_starting = not gc.isenabled()

async def started():
    async with app.router.lifespan_context(app):
        return {
            "paused_while_starting": paused_while_starting,
            "on_once_started": gc.isenabled(),
            "frozen": gc.get_freeze_count(),
            "thresholds": gc.get_threshold(),
        }

print(json.dumps(asyncio.run(started())))
"""


def test_a_served_app_starts_with_the_collector_paused_and_serves_with_it_on(tmp_path: Path):
    env = {
        **os.environ,
        "SKILLPATH_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "SKILLPATH_ENVIRONMENT": "development",
        "SKILLPATH_LOG_LEVEL": "warning",
    }
    run = subprocess.run(
        [sys.executable, "-c", _START_UP], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    state = json.loads(run.stdout.strip().splitlines()[-1])
    assert state["paused_while_starting"] is True
    # Once started, the collector runs again: a server that never collected would grow until
    # it ran out of memory.
    assert state["on_once_started"] is True
    # What start-up made (the modules, the catalog's snapshot) is out of the collector's sight.
    assert state["frozen"] > 10_000
    # And it collects young objects far less often than Python's default (every 700).
    assert state["thresholds"] == list(SERVING_GC_THRESHOLDS)


def test_a_catalog_rebuild_runs_with_the_collector_paused_and_leaves_it_as_it_found_it(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
):
    store: CatalogStore = client.app.state.catalog  # type: ignore[attr-defined]
    collecting_while_building: list[bool] = []

    def watched_build(*args: Any, **kwargs: Any) -> CatalogSnapshot:
        collecting_while_building.append(gc.isenabled())
        return build_snapshot(*args, **kwargs)

    monkeypatch.setattr(store_module, "build_snapshot", watched_build)
    assert gc.isenabled()
    store.reload()
    assert collecting_while_building == [False]
    assert gc.isenabled()
    gc.disable()
    try:
        store.reload()
        assert not gc.isenabled()
    finally:
        gc.enable()
