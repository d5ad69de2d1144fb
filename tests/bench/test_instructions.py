"""The in-process write-then-read loop that `make bench-instructions` counts."""

import asyncio
from pathlib import Path

from bench.instructions import measure
from tests.conftest import make_settings


def test_the_counted_loop_writes_and_reads_for_real(tmp_path: Path):
    # Migrated and seeded at start-up, as the benchmark's database is.
    settings = make_settings(
        database_url=f"sqlite:///{tmp_path}/counted.db", migrate_on_start=True, seed_on_start=True
    )
    # Every PUT must answer 200 or 201 and every read 200, or `measure` raises.
    figures = asyncio.run(measure(settings, pairs=3))
    assert figures["requests"] == 6
    assert figures["cpu_seconds"] > 0
