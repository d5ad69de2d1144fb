"""Every acknowledged progress write survives a SIGKILL of the server: `make crash-test`
(bench/crash.py), one round here, on a fresh database of each backend."""

import pytest

from bench import crash
from tests.databases import BACKENDS, fresh_database_url


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_acknowledged_write_is_lost_when_the_server_is_killed(
    backend: str, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
):
    with fresh_database_url(backend, tmp_path_factory.mktemp("crash")) as url:
        failed = crash.run(url, rounds=1, writer_count=4, load_seconds=1.5)
    report = capsys.readouterr().out
    assert failed == 0, report
    assert "lost 0" in report
