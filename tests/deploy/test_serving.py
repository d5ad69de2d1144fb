"""Several workers share one address, and the load: connections opened at once spread over
every worker (api/serving.py), and a second server cannot take an address in use."""

import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from contextlib import ExitStack
from functools import partial

import pytest
from uvicorn.config import STARTUP_FAILURE

from bench import servers

CONNECTIONS = 32


def _worker_of_each_connection(pids: list[int], port: int) -> Counter[int]:
    """How many of the server's established connections on `port` each process holds."""
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            next(rows)
            for row in rows:
                fields = row.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                    established.add(f"socket:[{inode}]")
    held: Counter[int] = Counter()
    for pid in pids:
        for descriptor in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{descriptor}") in established:
                    held[pid] += 1
            except OSError:
                continue
    return held


def test_connections_opened_at_once_spread_over_every_worker():
    with servers.serve("bench.hello:app", workers=2, ready_path="/hello") as server:
        port = int(server.url.rsplit(":", 1)[1])
        # (uvicorn's supervisor has a child that is no worker: multiprocessing's tracker.)
        children = servers.children(server.process.pid)
        workers = [pid for pid in children if servers.listens_on(pid, port)]
        assert len(workers) == 2
        with ExitStack() as stack:
            clients = [
                stack.enter_context(socket.create_connection((servers.HOST, port)))
                for _ in range(CONNECTIONS)
            ]
            for client in clients:
                client.sendall(b"GET /hello HTTP/1.1\r\nHost: test\r\n\r\n")
            for client in clients:
                assert client.recv(4096).startswith(b"HTTP/1.1 200")
            held = _worker_of_each_connection(workers, port)
    assert sum(held.values()) == CONNECTIONS
    # Spread by the kernel's hash: with 32 connections, fewer than 4 on a worker happens about
    # once in a million runs. One socket shared by both workers put 31 or all 32 on one.
    assert min(held[pid] for pid in workers) >= 4, held


def test_a_second_server_cannot_take_an_address_in_use():
    with servers.serve("bench.hello:app", workers=2, ready_path="/hello") as server:
        port = server.url.rsplit(":", 1)[1]
        command = [sys.executable, "-m", "api.serving", "bench.hello:app", "--port", port]
        second = subprocess.run(
            [*command, "--workers", "2"], capture_output=True, text=True, timeout=60
        )
    assert second.returncode != 0
    assert "cannot serve on" in second.stderr


def _serve_without_a_database(command: list[str]) -> subprocess.CompletedProcess[str]:
    """`command` (a server) run until it exits, its start-up (migrations) unable to reach the
    database: nothing listens on port 1."""
    env = {**os.environ, "SKILLPATH_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/x"}
    port = ["--port", str(servers.free_port())]
    return subprocess.run([*command, *port], env=env, capture_output=True, text=True, timeout=120)


def test_a_server_whose_start_up_fails_exits_with_an_error():
    # `make run`'s server, one process.
    started = _serve_without_a_database([sys.executable, "-m", "api.cli", "serve"])
    assert started.returncode != 0
    assert "Application startup failed" in started.stderr


def test_workers_whose_start_up_fails_exit_with_an_error():
    # uvicorn's supervisor stops once a worker fails to start; the server must not then exit
    # as a success, but with uvicorn's start-up failure status (3, as the README says).
    # (`python -m api.serving`: uvicorn's 5 s health check, where `skillpath serve` waits up to
    # a minute for a worker that stopped answering.)
    command = [sys.executable, "-m", "api.serving", "api.served_app:create_served_app", "--factory"]
    started = _serve_without_a_database([*command, "--workers", "2"])
    assert started.returncode == STARTUP_FAILURE
    assert "Application startup failed" in started.stderr


@pytest.mark.parametrize(("workers", "whole_group"), [(1, False), (2, False), (1, True), (2, True)])
def test_ctrl_c_stops_the_server_as_interrupted_without_a_traceback(tmp_path, workers, whole_group):
    # `make run`'s server (one process), and several workers under uvicorn's supervisor:
    # Ctrl-C shuts it down gracefully, and the command ends as a shell reports an interrupted
    # one (130), not with a traceback on the terminal. A terminal's Ctrl-C signals the whole
    # process group, the workers too; `kill -INT` the server alone.
    output = tmp_path / "served.log"
    env = {
        "SKILLPATH_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "SKILLPATH_LOG_LEVEL": "warning",
    }
    with servers.serve_command(
        partial(servers.skillpath_serve_command, workers=workers),
        env=env,
        ready_path="/health/ready",
        log_file=output,
        new_session=whole_group,
    ) as server:
        if whole_group:
            os.killpg(server.process.pid, signal.SIGINT)
        else:
            server.process.send_signal(signal.SIGINT)
        server.process.wait(timeout=30)
    assert server.process.returncode == 128 + signal.SIGINT
    assert "Traceback" not in output.read_text()
