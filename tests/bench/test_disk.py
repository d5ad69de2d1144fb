"""`make bench-disk` times real flushes and reports them."""

from pathlib import Path

from bench.disk import Flushes, measure


def test_it_times_real_flushes_and_leaves_no_file(tmp_path: Path):
    flushes = measure(tmp_path, seconds=0.05)
    assert len(flushes.durations_ms) >= 1
    assert flushes.durations_ms == sorted(flushes.durations_ms)
    assert all(duration >= 0 for duration in flushes.durations_ms)
    assert list(tmp_path.iterdir()) == []


def test_the_line_counts_the_flushes_over_50_ms():
    flushes = Flushes([0.2, 0.3, 0.4, 61.0, 168.0])
    assert flushes.line() == (
        "5 flushes of 8 KB: p50 0.40 ms, p99 168.00 ms, longest 168.0 ms, 2 over 50 ms"
    )
