"""Drives an HTTP endpoint with wrk and reads back throughput and latency percentiles."""

import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

INSTALL_HINT = "wrk is not installed: `apt-get install wrk` (Debian/Ubuntu) or `brew install wrk`"

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Request:
    """What wrk sends: a method, a path, headers and a body (the body may vary per request)."""

    method: str = "GET"
    path: str = "/"
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    # A Lua expression of the request counter `n` that yields the body, for bodies that must
    # differ from one request to the next (writes that really change something).
    body_lua: str | None = None
    # A whole wrk Lua script, for a sequence of different requests (it replaces the above).
    script: str | None = None


@dataclass(frozen=True)
class Measurement:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit(INSTALL_HINT)
    return path


def _lua(request: Request) -> str:
    if request.script is not None:
        return request.script
    lines = [f'wrk.method = "{request.method}"']
    lines += [f'wrk.headers["{name}"] = "{value}"' for name, value in request.headers]
    if request.body is not None:
        lines.append(f"wrk.body = [[{request.body}]]")
    if request.body_lua is not None:
        lines += [
            "local n = 0",
            "request = function()",
            "  n = n + 1",
            f"  return wrk.format(nil, nil, nil, {request.body_lua})",
            "end",
        ]
    return "\n".join(lines) + "\n"


def _milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse(output: str) -> Measurement:
    """The figures of wrk's `--latency` report."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in", output)
    if not (rps and p50 and p99 and total):
        raise ValueError(f"unreadable wrk output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return Measurement(
        requests_per_second=float(rps.group(1)),
        p50_ms=_milliseconds(p50.group(1)),
        p99_ms=_milliseconds(p99.group(1)),
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


def run_script(
    url: str,
    script: Path,
    *,
    connections: int,
    seconds: float,
    threads: int,
    options: Sequence[str] = (),
) -> str:
    """wrk's report of driving `url` with the Lua `script` (`options`: more wrk flags)."""
    completed = subprocess.run(
        [
            require_wrk(),
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--latency",
            *options,
            "-s",
            str(script),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    return completed.stdout


def run(
    base_url: str, request: Request, *, connections: int, seconds: float, threads: int = 2
) -> Measurement:
    """Load `request` on `base_url` for `seconds` with `connections` open connections."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "request.lua"
        script.write_text(_lua(request))
        output = run_script(
            base_url + request.path,
            script,
            connections=connections,
            seconds=seconds,
            threads=threads,
        )
    return parse(output)
