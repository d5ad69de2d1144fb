"""What `make bench` reports: wrk's figures read back, and each ratio taken to the faster hello
run, so a slow hello run can never flatter a ratio."""

from bench import wrk
from bench.load import (
    LOOP_LEARNERS,
    LOOP_TOPICS,
    KeptShares,
    Measured,
    Scenario,
    Subject,
    fastest,
    kept_counts,
    kept_shares,
    paired_ratios,
    ratios,
    write_then_read,
)

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


def test_each_scenario_is_compared_with_the_faster_hello_run_just_around_it():
    first = Scenario("GET /x", wrk.Request(path="/x"), min_ratio=0.5, max_p99_ms=25)
    second = Scenario("GET /y", wrk.Request(path="/y"), min_ratio=0.5, max_p99_ms=25)
    hellos = [_measured(8000, 5), _measured(10000, 5), _measured(4000, 5)]
    report = paired_ratios(
        {
            first: Measured(_measured(5000, 10), 0, 1, KeptShares(1.0, 0.0)),
            second: Measured(_measured(3000, 10), 1, 2),
        },
        hellos,
    )
    assert report["GET /x"]["hello_runs"] == [1, 2]
    assert report["GET /x"]["ratio"] == 0.5
    assert report["GET /x"]["kept_request_share"] == 1.0
    # Hello #3 was slow; the ratio is still taken to #2, the faster neighbour.
    assert report["GET /y"]["hello_runs"] == [2, 3]
    assert report["GET /y"]["ratio"] == 0.3
    assert report["GET /y"]["meets_target"] is False
    assert "kept_request_share" not in report["GET /y"]


METRICS_BEFORE = """# TYPE skillpath_http_requests_total counter
skillpath_http_requests_total{method="GET",route="/a",status="200"} 10.0
skillpath_http_requests_total{method="PUT",route="/b",status="200"} 5.0
# TYPE skillpath_kept_answers_total counter
skillpath_kept_answers_total{kind="request"} 4.0
skillpath_kept_answers_total{kind="body"} 1.0
"""

METRICS_AFTER = """# TYPE skillpath_http_requests_total counter
skillpath_http_requests_total{method="GET",route="/a",status="200"} 70.0
skillpath_http_requests_total{method="PUT",route="/b",status="200"} 45.0
# TYPE skillpath_kept_answers_total counter
skillpath_kept_answers_total{kind="request"} 54.0
skillpath_kept_answers_total{kind="body"} 26.0
"""


def test_kept_shares_count_every_request_served_between_two_scrapes():
    shares = kept_shares(kept_counts(METRICS_BEFORE), kept_counts(METRICS_AFTER))
    assert shares == KeptShares(request=0.5, body=0.25)
    assert kept_shares(kept_counts(METRICS_AFTER), kept_counts(METRICS_AFTER)) == KeptShares(
        0.0, 0.0
    )


def test_the_write_then_read_script_alternates_each_learners_write_and_read():
    subject = Subject(
        token="t",
        topic="a",
        known=(),
        loop_tokens=tuple(f"token-{n}" for n in range(LOOP_LEARNERS)),
        loop_topics=tuple(f"topic-{n}" for n in range(LOOP_TOPICS)),
    )
    scenario = write_then_read(subject, threads=1, min_ratio=0.2)
    script = scenario.request.script
    assert script is not None
    assert '"token-63"' in script
    assert '"topic-19"' in script
    assert "/api/v1/me/progress/" in script
    assert "/api/v1/me/recommendations?goal=job-interview&limit=5" in script
    assert scenario.max_p99_ms == 50
