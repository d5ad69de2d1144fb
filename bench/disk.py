"""`make bench-disk`: how long this machine's disk takes to flush a small write.

Every PUT is answered only once its commit is on disk (PostgreSQL flushes its log; SQLite in WAL
mode flushes at checkpoints), so a flush that stalls holds up every write under way, and the 32
connections of `make bench` soon all wait on one. This writes 8 KB and `fdatasync`s it, every
5 ms, in a file of the folder given (default: the current one; give the database's), and prints
the percentiles, the longest, and how many took over 50 ms: a write scenario's p99 cannot be
lower than the stalls it meets.

Environment: DISK_SECONDS (default 30), DISK_FOLDER (default `.`).
"""

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BLOCK = b"\0" * 8192
PAUSE_SECONDS = 0.005
SLOW_MS = 50.0


@dataclass(frozen=True)
class Flushes:
    """The flushes' durations, in milliseconds, sorted."""

    durations_ms: list[float]

    def percentile(self, share: float) -> float:
        return self.durations_ms[
            min(len(self.durations_ms) - 1, int(len(self.durations_ms) * share))
        ]

    def line(self) -> str:
        slow = sum(duration > SLOW_MS for duration in self.durations_ms)
        return (
            f"{len(self.durations_ms)} flushes of 8 KB: p50 {self.percentile(0.5):.2f} ms, "
            f"p99 {self.percentile(0.99):.2f} ms, longest {self.durations_ms[-1]:.1f} ms, "
            f"{slow} over {SLOW_MS:.0f} ms"
        )


def measure(folder: Path, seconds: float) -> Flushes:
    """Write and flush a block every PAUSE_SECONDS for `seconds`, in a file of `folder`."""
    durations: list[float] = []
    with tempfile.NamedTemporaryFile(dir=folder, prefix="skillpath-disk-") as file:
        descriptor = file.fileno()
        ends = time.monotonic() + seconds
        while not durations or time.monotonic() < ends:
            os.pwrite(descriptor, BLOCK, 0)
            started = time.perf_counter()
            os.fdatasync(descriptor)
            durations.append((time.perf_counter() - started) * 1000)
            time.sleep(PAUSE_SECONDS)
    return Flushes(sorted(durations))


def main() -> None:
    folder = Path(os.environ.get("DISK_FOLDER", "."))
    seconds = float(os.environ.get("DISK_SECONDS", "30"))
    print(f"{folder.resolve()}: {measure(folder, seconds).line()}")


if __name__ == "__main__":
    main()
