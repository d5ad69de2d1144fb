"""Starting servers for benchmarks and end-to-end tests: a port taken by another process
between picking it and binding it costs a retry, never a failure or someone else's server."""

import os
import socket
import time

import httpx
import pytest

from bench import servers
from bench.cpu import cpu_seconds


def test_a_port_taken_before_the_server_binds_it_is_given_up_for_another(
    monkeypatch: pytest.MonkeyPatch,
):
    with socket.socket() as squatter:
        squatter.bind((servers.HOST, 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        picks = iter([taken])
        real_free_port = servers.free_port
        monkeypatch.setattr(servers, "free_port", lambda: next(picks, None) or real_free_port())
        with servers.serve("bench.hello:app", ready_path="/hello") as server:
            assert not server.url.endswith(f":{taken}")
            assert servers.listens_on(server.process.pid, int(server.url.rsplit(":", 1)[1]))
            assert httpx.get(f"{server.url}/hello", timeout=5).status_code == 200
        assert not servers.listens_on(server.process.pid, taken)


def test_cpu_seconds_count_what_a_process_spends():
    before = cpu_seconds([os.getpid()])
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    assert cpu_seconds([os.getpid()]) - before >= 0.2
    assert cpu_seconds([2**22 + 7]) == 0  # a process that is gone counts for nothing
