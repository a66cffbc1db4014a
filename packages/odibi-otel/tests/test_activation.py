"""When telemetry turns on, what it costs when off, and reuse of a host application's providers."""

from __future__ import annotations

import json
import logging
import shutil
import socket
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path

import pytest
from odibi_otel import activation
from odibi_otel.plugin import OtelPlugin


def _template(tmp_path: Path) -> Path:
    target = tmp_path / "p"
    shutil.copytree(Path(str(resources.files("odibi_core.cli") / "template")), target)
    return target / "odibi.yaml"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _python(code: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in __import__("os").environ.items() if not k.startswith("OTEL_")}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**clean, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_no_configuration_and_sdk_disabled_mean_no_telemetry() -> None:
    assert activation.activate({}) is None
    assert (
        activation.activate(
            {"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}
        )
        is None
    )
    assert OtelPlugin(environ={}).telemetry() is None


def test_invalid_settings_are_one_warning_line_and_the_signal_stays_off(
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
    }

    with caplog.at_level(logging.WARNING, logger="odibi.otel"):
        assert activation.activate(env) is None

    lines = [r.getMessage() for r in caplog.records if r.name == "odibi.otel"]
    assert len(lines) == 1
    assert "OTEL_EXPORTER_OTLP_PROTOCOL is 'http/json'; supported: http/protobuf, grpc" in lines[0]


def test_a_failing_setup_is_one_warning_and_runs_go_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ImportError("no module named grpc")

    monkeypatch.setattr(activation, "install", broken)
    with caplog.at_level(logging.WARNING, logger="odibi.otel"):
        assert activation.activate({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}) is None

    assert [r.getMessage() for r in caplog.records if r.name == "odibi.otel"] == [
        "telemetry: set-up failed, runs go on without it: ImportError: no module named grpc"
    ]


@pytest.mark.parametrize(
    "env",
    [{}, {"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}],
    ids=["unconfigured", "sdk-disabled"],
)
def test_telemetry_off_never_imports_opentelemetry(env: dict[str, str], tmp_path: Path) -> None:
    project = _template(tmp_path)
    result = _python(
        f"""
        import sys
        from odibi_core.config.loader import load_project
        from odibi_core.execution.runner import run_project
        from odibi_core.plugins.manager import create_plugin_manager
        pm = create_plugin_manager()
        assert any(p.distribution == "odibi-otel" and p.status == "active" for p in pm.plugins)
        results = run_project(load_project({str(project)!r}, pm=pm), pm)
        assert results[0].ok
        print(sorted(m for m in sys.modules if m.startswith("opentelemetry")))
    """,
        env,
        tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_providers_the_host_application_set_are_used_instead_of_installing_ones(
    tmp_path: Path,
) -> None:
    project = _template(tmp_path)
    result = _python(
        f"""
        import json
        from opentelemetry import metrics, trace
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        exporter, reader = InMemorySpanExporter(), InMemoryMetricReader()
        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(tracer_provider)
        meter_provider = MeterProvider(metric_readers=[reader])
        metrics.set_meter_provider(meter_provider)

        from odibi_core.config.loader import load_project
        from odibi_core.execution.runner import run_project
        from odibi_core.plugins.manager import create_plugin_manager
        pm = create_plugin_manager()
        with trace.get_tracer("host").start_as_current_span("host request"):
            results = run_project(load_project({str(project)!r}, pm=pm), pm)
        spans = exporter.get_finished_spans()
        root = next(s for s in spans if s.name == "host request")
        run = next(s for s in spans if s.name == "run daily_sales")
        names = [m.name for rm in reader.get_metrics_data().resource_metrics
                 for sm in rm.scope_metrics for m in sm.metrics]
        print(json.dumps({{
            "ok": results[0].ok, "spans": sorted(s.name for s in spans), "metrics": sorted(names),
            "run_parent_is_host": run.parent.span_id == root.context.span_id,
            "same_providers": trace.get_tracer_provider() is tracer_provider
                              and metrics.get_meter_provider() is meter_provider,
        }}))
    """,
        {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{_closed_port()}"},
        tmp_path,
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ok"]
    assert report["spans"] == [
        "host request",
        "node customers",
        "node enriched",
        "node orders",
        "node region_totals",
        "run daily_sales",
    ]
    assert "odibi.pipeline.duration" in report["metrics"]
    assert report["run_parent_is_host"]
    assert report["same_providers"]
    assert (
        "telemetry" not in result.stderr
    )  # nothing was installed, so nothing tried the closed port


def test_batch_delay_is_odibis_unless_the_variable_sets_one() -> None:
    assert activation.batch_settings({}) == {
        "schedule_delay_millis": activation.SPAN_EXPORT_DELAY_MILLIS
    }
    assert activation.batch_settings({"OTEL_BSP_SCHEDULE_DELAY": "60000"}) == {}


@pytest.mark.parametrize("delay", [None, "60000"], ids=["odibi-delay", "variable-delay"])
def test_spans_leave_during_the_run_not_only_at_exit(delay: str | None, tmp_path: Path) -> None:
    """A span ended more than the export delay before the process dies reached the collector,
    without any flush: the process here ends with ``os._exit``, which skips the exit flush."""
    from odibi_otel.testing.receivers import OtlpHttpReceiver

    with OtlpHttpReceiver() as receiver:
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint}
        if delay is not None:
            env["OTEL_BSP_SCHEDULE_DELAY"] = delay
        result = _python(
            f"""
            import os, time
            from odibi_otel.plugin import OtelPlugin
            telemetry = OtelPlugin().telemetry()
            telemetry.tracer.start_span("early").end()
            time.sleep({activation.SPAN_EXPORT_DELAY_MILLIS / 1000 + 2.5})
            os._exit(0)
            """,
            env,
            tmp_path,
        )

        assert result.returncode == 0, result.stderr
        names = [s.name for s in receiver.spans()]
        assert names == (["early"] if delay is None else [])


@pytest.mark.parametrize("enabled", [True, False], ids=["collector-on", "collector-off"])
def test_the_set_up_leaves_the_garbage_collector_as_it_found_it(
    enabled: bool, tmp_path: Path
) -> None:
    result = _python(
        f"""
        import gc
        from odibi_otel.activation import activate, collector_paused
        gc.enable() if {enabled} else gc.disable()
        with collector_paused():
            paused = not gc.isenabled()
        telemetry = activate()
        print(telemetry is not None, paused, gc.isenabled())
        """,
        {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{_closed_port()}"},
        tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", str(enabled)]
