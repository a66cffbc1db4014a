"""A collector that is down, silent or refusing never stalls or fails a run: one warning line.

Timing assertions are behavioural and generous: a run with telemetry pointed at a dead endpoint
finishes within 2 s of the same run with telemetry off, and a collector that accepts connections
but never answers costs at most the documented exit-flush bound plus margin. Each side is the best
of two interleaved runs, since a busy machine only ever adds time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from odibi_core.testing.cli import run_odibi
from odibi_otel.settings import EXIT_FLUSH_SECONDS
from odibi_otel.testing.receivers import OtlpHttpReceiver

PROTOCOLS = ["http/protobuf", "grpc"]


def _timed(project: Path, env: dict[str, str], *extra: str) -> tuple[float, Any]:
    start = time.monotonic()
    proc = run_odibi(["run", str(project), "--pipeline", "load", *extra], env=env, timeout=180)
    return time.monotonic() - start, proc


def _compare(
    project: Path, off: dict[str, str], on: dict[str, str], tries: int = 2
) -> tuple[float, float, list[Any]]:
    """Best times of ``tries`` interleaved runs with telemetry off and on, and the "on" processes.

    Noise on a busy machine only ever adds time, so the best of a few runs is the fair measure.
    """
    off_times, on_times, procs = [], [], []
    for _ in range(tries):
        elapsed, proc = _timed(project, off)
        assert proc.returncode == 0, proc.stderr
        off_times.append(elapsed)
        elapsed, proc = _timed(project, on)
        on_times.append(elapsed)
        procs.append(proc)
    return min(off_times), min(on_times), procs


def _telemetry_lines(stderr: str) -> list[str]:
    """The telemetry warning lines; fails if stderr has anything besides them and the run's own."""
    own = (" INFO ", "note: ")
    noise = [
        line
        for line in stderr.splitlines()
        if line.strip() and "telemetry" not in line and not any(o in line for o in own)
    ]
    assert not noise, f"unexpected output on stderr: {noise}"
    return [line for line in stderr.splitlines() if "telemetry" in line]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_closed_port_costs_under_two_seconds_and_one_warning_line(
    e2e_project: Path, clean_env: Any, closed_port: int, protocol: str
) -> None:
    on = clean_env(
        OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{closed_port}",
        OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
    )

    without, with_dead_collector, procs = _compare(
        e2e_project, clean_env(OTEL_SDK_DISABLED="true"), on
    )

    assert with_dead_collector < without + 2.0, (
        f"{with_dead_collector:.2f}s vs {without:.2f}s without telemetry"
    )
    for proc in procs:
        assert proc.returncode == 0, proc.stderr
        lines = _telemetry_lines(proc.stderr)
        assert len(lines) == 1, proc.stderr
        assert "WARNING" in lines[0]
        assert f"127.0.0.1:{closed_port}" in lines[0]
        assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_silent_collector_is_given_the_exit_flush_bound_and_no_more(
    e2e_project: Path, clean_env: Any, silent_port: Callable[[], int], protocol: str
) -> None:
    on = clean_env(
        OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{silent_port()}",
        OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
    )

    without, with_silent_collector, procs = _compare(
        e2e_project, clean_env(OTEL_SDK_DISABLED="true"), on
    )

    assert with_silent_collector < without + EXIT_FLUSH_SECONDS + 3.0, (
        f"{with_silent_collector:.2f}s vs {without:.2f}s without telemetry"
    )
    for proc in procs:
        assert proc.returncode == 0, proc.stderr
        lines = _telemetry_lines(proc.stderr)
        assert len(lines) == 1, proc.stderr
        assert f"did not answer within {EXIT_FLUSH_SECONDS:g}s" in lines[0]


def test_a_refusing_collector_is_one_warning_line_and_the_run_succeeds(
    e2e_project: Path, clean_env: Any
) -> None:
    with OtlpHttpReceiver(status=400) as receiver:
        _elapsed, proc = _timed(
            e2e_project, clean_env(OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint)
        )

    assert proc.returncode == 0, proc.stderr
    lines = _telemetry_lines(proc.stderr)
    assert len(lines) == 1, proc.stderr
    assert "cannot export" in lines[0]
    assert receiver.endpoint in lines[0]


def test_debug_output_of_a_failing_export_never_shows_header_values(
    e2e_project: Path, clean_env: Any, closed_port: int, otlp_token: str
) -> None:
    env = clean_env(
        OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{closed_port}",
        OTEL_EXPORTER_OTLP_HEADERS="authorization=" + otlp_token.replace(" ", "%20"),
    )

    outputs = []
    for flags in (
        ["--log-level", "DEBUG"],
        ["--log-level", "DEBUG", "--log-format", "json"],
        ["--debug"],
    ):
        proc = run_odibi(
            [*flags, "run", str(e2e_project), "--pipeline", "load"], env=env, timeout=180
        )
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout + proc.stderr)

    assert "Transient error" in outputs[0]  # the SDK's own lines are there at debug level...
    for output in outputs:  # ...and no form of the header value is
        assert otlp_token not in output
        assert otlp_token.replace(" ", "%20") not in output
        assert otlp_token.split()[1] not in output
