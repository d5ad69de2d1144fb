"""What `make bench` reports: wrk's figures read back, and each ratio taken to the faster hello
run, so a slow hello run can never flatter a ratio."""

from bench import wrk
from bench.load import Scenario, fastest, ratios

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/hello
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.01ms  512.00us  20.10ms   90.00%
  Latency Distribution
     50%    2.93ms
     75%    3.10ms
     90%    3.50ms
     99%    1.20s
  95123 requests in 10.00s, 13.10MB read
  Non-2xx or 3xx responses: 7
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:   9512.30
Transfer/sec:      1.31MB
"""


def _measured(rps: float, p99_ms: float, non_2xx: int = 0) -> wrk.Measurement:
    return wrk.Measurement(
        requests_per_second=rps,
        p50_ms=1.0,
        p99_ms=p99_ms,
        requests=int(rps * 10),
        non_2xx=non_2xx,
        socket_errors=0,
    )


def test_wrk_figures_are_read_back_in_milliseconds():
    measured = wrk.parse(WRK_OUTPUT)
    assert measured.requests_per_second == 9512.30
    assert measured.p50_ms == 2.93
    assert measured.p99_ms == 1200.0
    assert measured.requests == 95123
    assert measured.non_2xx == 7
    assert measured.socket_errors == 3


def test_ratios_are_taken_to_the_faster_hello_run_and_check_every_target():
    hello = fastest(_measured(8000, 5), _measured(10000, 5))
    assert hello.requests_per_second == 10000
    scenario = Scenario("GET /x", wrk.Request(path="/x"), min_ratio=0.6, max_p99_ms=25)
    slow_tail = Scenario("GET /y", wrk.Request(path="/y"), min_ratio=0.6, max_p99_ms=25)
    errors = Scenario("GET /z", wrk.Request(path="/z"), min_ratio=0.6, max_p99_ms=25)
    report = ratios(
        {
            scenario: _measured(6500, 10),
            slow_tail: _measured(9000, 30),
            errors: _measured(9000, 10, non_2xx=1),
        },
        hello,
    )
    assert report["GET /x"]["ratio"] == 0.65
    assert report["GET /x"]["meets_target"] is True
    assert report["GET /y"]["meets_target"] is False
    assert report["GET /z"]["meets_target"] is False
