"""Running test threads so that a hung one fails the test instead of passing unnoticed."""

import threading
from collections.abc import Iterable


def start_and_join(threads: Iterable[threading.Thread], *, timeout: float) -> None:
    """Start every thread, wait up to `timeout` seconds for each, and fail if one still runs
    (`Thread.join` returns on time-out without a word)."""
    started = list(threads)
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout=timeout)
    hung = [thread.name for thread in started if thread.is_alive()]
    assert not hung, f"threads still running after {timeout} s: {', '.join(hung)}"
