"""Starts the servers a benchmark measures, with the same uvicorn settings for each."""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from api.http_protocol import PROTOCOL

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Server:
    """A running server: where it listens, its process, and how long it took to be ready."""

    url: str
    process: subprocess.Popen[bytes]
    startup_seconds: float


def free_port() -> int:
    """A port that was free a moment ago. Another process may take it before the server binds
    it: `serve` checks that the server it started is the one listening, and retries."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


# Attempts at starting a server on a free port before giving up (each loses only a race).
PORT_ATTEMPTS = 5
_LISTEN = "0A"  # the state column of /proc/net/tcp for a listening socket


def _listening_sockets(port: int) -> set[str]:
    """The sockets (as /proc/<pid>/fd link targets) listening on `port` on this machine."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as rows:
                next(rows)
                for row in rows:
                    fields = row.split()
                    local, state, inode = fields[1], fields[3], fields[9]
                    if state == _LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                        found.add(f"socket:[{inode}]")
        except FileNotFoundError:
            continue
    return found


def listens_on(pid: int, port: int) -> bool:
    """Whether process `pid` (or one of its workers) holds the socket listening on `port`."""
    sockets = _listening_sockets(port)
    for candidate in [pid, *children(pid)]:
        try:
            descriptors = os.listdir(f"/proc/{candidate}/fd")
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                if os.readlink(f"/proc/{candidate}/fd/{descriptor}") in sockets:
                    return True
            except OSError:
                continue
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# What `skillpath serve` runs: the asyncio loop (see api/cli.py and `make bench-loops`).
DEFAULT_LOOP = "asyncio"


def serving_command(
    target: str,
    port: int,
    *,
    workers: int,
    factory: bool,
    loop: str = DEFAULT_LOOP,
    access_log: bool = False,
) -> list[str]:
    """The same server settings for skillpath and for the yardstick: uvicorn, with several
    workers served as `skillpath serve` serves them (api/serving.py)."""
    command = [sys.executable, "-m", "api.serving", target, "--host", HOST, "--port", str(port)]
    command += ["--loop", loop, "--http", PROTOCOL, "--workers", str(workers)]
    if access_log:
        command.append("--access-log")
    return command + (["--factory"] if factory else [])


def skillpath_serve_command(port: int, *, workers: int, console_script: bool = False) -> list[str]:
    """What `make run` runs (`skillpath serve`), on `port`, with `workers` processes: through
    the installed `skillpath` script with `console_script`, else as `python -m api.cli`."""
    program = (
        [str(Path(sys.executable).with_name("skillpath"))]
        if console_script
        else [sys.executable, "-m", "api.cli"]
    )
    return [*program, "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]


@contextmanager
def serve(
    target: str,
    *,
    workers: int = 1,
    factory: bool = False,
    env: Mapping[str, str] | None = None,
    ready_path: str = "/",
    timeout: float = 60,
    loop: str = DEFAULT_LOOP,
    log_file: Path | None = None,
) -> Iterator[Server]:
    """Run `target` under uvicorn, served as `skillpath serve` serves (api/serving.py), until
    the block ends; with `log_file`, its access log on and written there."""

    def command(port: int) -> list[str]:
        return serving_command(
            target, port, workers=workers, factory=factory, loop=loop, access_log=bool(log_file)
        )

    with serve_command(
        command, env=env, ready_path=ready_path, timeout=timeout, log_file=log_file
    ) as server:
        yield server


@contextmanager
def serve_command(
    command: Callable[[int], list[str]],
    *,
    env: Mapping[str, str] | None = None,
    ready_path: str = "/",
    timeout: float = 60,
    log_file: Path | None = None,
    new_session: bool = False,
) -> Iterator[Server]:
    """Run `command(port)` until the block ends, once `ready_path` answers 200; its output
    goes to `log_file` when given. With `new_session`, the server leads a process group of its
    own, which a signal can reach whole, workers included, as a terminal's Ctrl-C does.

    The port is picked free, but another process can take it before the server binds it: then
    the server exits (or the other process answers the readiness probe), and it is started
    again on another port.
    """
    command_env = {**os.environ, **(env or {})}
    for attempt in range(1, PORT_ATTEMPTS + 1):
        port = free_port()
        base_url = f"http://{HOST}:{port}"
        with contextlib.ExitStack() as files:
            output = files.enter_context(log_file.open("ab")) if log_file is not None else None
            process = subprocess.Popen(
                command(port),
                env=command_env,
                stdout=output,
                stderr=output,
                start_new_session=new_session,
            )
        try:
            startup = wait_until_ready(base_url + ready_path, process, timeout=timeout)
        except RuntimeError:
            _stop(process)
            if attempt == PORT_ATTEMPTS or not _listening_sockets(port):
                raise  # the server failed on its own, not for want of its port
            continue
        except BaseException:
            _stop(process)
            raise
        if listens_on(process.pid, port):
            break
        _stop(process)  # someone else's server answered on the port we picked
        if attempt == PORT_ATTEMPTS:
            raise RuntimeError(f"no free port held after {PORT_ATTEMPTS} attempts")
    try:
        yield Server(url=base_url, process=process, startup_seconds=startup)
    finally:
        _stop(process)


@contextmanager
def serve_as_users_run(
    database_url: str,
    *,
    workers: int,
    log_file: Path,
    timeout: float = 120,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """skillpath as `make run` serves it (`skillpath serve`, its log level, its JSON access
    log), over `database_url`, the log written to `log_file`. Rate limits are off: a
    benchmark registers and logs in many learners from one address."""
    env = {"SKILLPATH_DATABASE_URL": database_url, **NO_RATE_LIMITS, **(extra_env or {})}
    with serve_command(
        partial(skillpath_serve_command, workers=workers),
        env=env,
        ready_path="/health/ready",
        timeout=timeout,
        log_file=log_file,
    ) as server:
        yield server


@contextmanager
def serve_skillpath(
    database_url: str,
    *,
    workers: int = 1,
    timeout: float = 60,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """skillpath over `database_url`, migrated and seeded by its own start-up, logging warnings
    only; ready once `/health/ready` answers. `extra_env` adds or overrides settings."""
    env = {"SKILLPATH_DATABASE_URL": database_url, "SKILLPATH_LOG_LEVEL": "warning"}
    with serve(
        "api.served_app:create_served_app",
        factory=True,
        workers=workers,
        env={**env, **(extra_env or {})},
        ready_path="/health/ready",
        timeout=timeout,
    ) as server:
        yield server


@contextmanager
def serve_skillpath_command(
    database_url: str,
    *,
    workers: int = 1,
    timeout: float = 60,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """`skillpath serve --workers N`, the README's command, over `database_url`; ready once
    `/health/ready` answers. `extra_env` adds or overrides settings."""
    env = {"SKILLPATH_DATABASE_URL": database_url, "SKILLPATH_LOG_LEVEL": "warning"}
    with serve_command(
        partial(skillpath_serve_command, workers=workers, console_script=True),
        env={**env, **(extra_env or {})},
        ready_path="/health/ready",
        timeout=timeout,
    ) as server:
        yield server


@contextmanager
def bench_database_url(name: str) -> Iterator[str]:
    """`SKILLPATH_BENCH_DATABASE_URL` when it is set, else a fresh SQLite file that is removed
    when the block ends: the database every benchmark runs on."""
    configured = os.environ.get("SKILLPATH_BENCH_DATABASE_URL")
    if configured:
        yield configured
        return
    with tempfile.TemporaryDirectory(prefix=f"skillpath-{name}-") as folder:
        yield f"sqlite:///{folder}/{name}.db"


def progress_history(client: httpx.Client, topic: str) -> list[dict[str, Any]]:
    """Every event of the caller's record on `topic`, oldest first, following the pages."""
    events: list[dict[str, Any]] = []
    while True:
        response = client.get(
            f"/api/v1/me/progress/{topic}/history", params={"limit": 100, "offset": len(events)}
        )
        response.raise_for_status()
        page = response.json()
        events += page["items"]
        if not page["items"] or len(events) >= page["total"]:
            if len(events) != page["total"]:
                raise ValueError(f"history of {topic}: {len(events)} events, {page['total']} said")
            return events


# Load, crash and reliability runs register many learners at once: limits are not under test.
NO_RATE_LIMITS = {"SKILLPATH_RATE_LIMITS_ENABLED": "false"}


def wait_until_ready(url: str, process: subprocess.Popen[bytes], *, timeout: float) -> float:
    """Seconds until `url` answered 200; fails if the process exits first."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before it was ready")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} not ready after {timeout} s")


def rss_megabytes(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn workers), from /proc."""
    total_kb = 0
    for candidate in [pid, *children(pid)]:
        try:
            with open(f"/proc/{candidate}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total_kb += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total_kb / 1024


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]
    except FileNotFoundError:
        return []
