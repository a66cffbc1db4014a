"""Guarded exporters and the bounded exit flush: one warning line, no wait on a dead collector."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import pytest
from odibi_otel.activation import ABORT_GRACE_SECONDS, Installed, bounded_shutdown
from odibi_otel.export_guard import (
    SDK_LOGGERS,
    ExportHealth,
    capture_sdk_logs,
    guarded_metric_exporter,
    guarded_span_exporter,
    metric_preferences,
)
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult


class FailingExporter(SpanExporter):
    def __init__(self) -> None:
        self.calls = 0
        self.shut = False

    def export(self, spans: object) -> SpanExportResult:
        self.calls += 1
        return SpanExportResult.FAILURE

    def shutdown(self) -> None:
        self.shut = True


class HangingProvider:
    """A provider whose shutdown blocks until its exporter is aborted (a silent collector)."""

    def __init__(self) -> None:
        self.released = threading.Event()

    def shutdown(self) -> None:
        self.released.wait(30)


class HangingExporter:
    def __init__(self, provider: HangingProvider) -> None:
        self.provider = provider
        self.aborted = False

    def abort(self) -> None:
        self.aborted = True
        self.provider.released.set()


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "odibi.otel" and r.levelno == logging.WARNING
    ]


def test_failed_exports_warn_once_and_then_are_dropped_without_calling_the_collector(
    caplog: pytest.LogCaptureFixture,
) -> None:
    health = ExportHealth(cool_down=60)
    inner = FailingExporter()
    spans = guarded_span_exporter(lambda: inner, health, "http://127.0.0.1:9/v1/traces")

    with caplog.at_level(logging.WARNING, logger="odibi.otel"):
        results = [spans.export([]) for _ in range(5)]

    assert results == [SpanExportResult.FAILURE] * 5
    assert inner.calls == 1  # the next four batches were dropped during the cool-down
    assert _warnings(caplog) == [
        "telemetry: cannot export traces to http://127.0.0.1:9/v1/traces "
        "(collector down or refusing); runs go on, telemetry is dropped"
    ]
    assert health.trouble.is_set()


def test_one_warning_per_process_across_signals(caplog: pytest.LogCaptureFixture) -> None:
    from opentelemetry.sdk.metrics.export import MetricExportResult

    class FailingMetrics:
        def export(
            self, data: object, timeout_millis: float = 0, **kwargs: object
        ) -> MetricExportResult:
            raise ConnectionError("refused")

        def shutdown(self) -> None:
            pass

    health = ExportHealth(cool_down=0)
    traces = guarded_span_exporter(FailingExporter, health, "t")
    measures = guarded_metric_exporter(FailingMetrics, health, "m")

    with caplog.at_level(logging.WARNING, logger="odibi.otel"):
        assert (
            measures.export(object()) is MetricExportResult.FAILURE
        )  # an exception becomes a failure
        assert traces.export([]) is SpanExportResult.FAILURE

    assert len(_warnings(caplog)) == 1
    assert health.failures == 2


def test_abort_shuts_the_inner_exporter_once_and_later_exports_are_dropped() -> None:
    inner = FailingExporter()
    guarded = guarded_span_exporter(lambda: inner, ExportHealth(), "e")
    assert guarded.ready(5)

    guarded.abort()
    guarded.shutdown()

    assert inner.shut
    assert guarded.export([]) is SpanExportResult.FAILURE
    assert inner.calls == 0


def test_abort_before_the_exporter_is_built_shuts_it_down_once_built() -> None:
    gate, inner = threading.Event(), FailingExporter()

    def slow_factory() -> FailingExporter:
        gate.wait(5)
        return inner

    guarded = guarded_span_exporter(slow_factory, ExportHealth(), "e")
    guarded.abort()
    gate.set()

    assert guarded.ready(5)
    assert inner.shut
    assert guarded.export([]) is SpanExportResult.FAILURE
    assert inner.calls == 0


def test_the_exporter_is_built_only_once_started_then_once() -> None:
    built = []

    def factory() -> FailingExporter:
        built.append(threading.current_thread().name)
        return FailingExporter()

    guarded = guarded_span_exporter(factory, ExportHealth(), "e")
    time.sleep(0.2)
    assert built == []  # the installer starts it once its own set-up is done

    guarded.start()
    guarded.start()
    assert guarded.ready(5)
    assert built == ["odibi-otel-traces-exporter"]  # in the background, once


def test_an_export_before_start_starts_the_build_and_waits_for_it() -> None:
    inner = FailingExporter()
    guarded = guarded_span_exporter(lambda: inner, ExportHealth(cool_down=0), "e")

    guarded.export([])

    assert inner.calls == 1


def test_spans_ended_before_the_exporter_is_built_reach_the_collector() -> None:
    from odibi_otel.testing.receivers import OtlpHttpReceiver
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    gate = threading.Event()
    with OtlpHttpReceiver() as receiver:

        def slow_factory() -> OTLPSpanExporter:
            gate.wait(5)  # the exporter's imports are still running
            return OTLPSpanExporter(endpoint=receiver.endpoint + "/v1/traces")

        guarded = guarded_span_exporter(slow_factory, ExportHealth(), receiver.endpoint)
        provider = TracerProvider(shutdown_on_exit=False)
        provider.add_span_processor(BatchSpanProcessor(guarded, schedule_delay_millis=10))
        guarded.start()
        tracer = provider.get_tracer("test")
        for name in ("first", "second"):
            tracer.start_span(name).end()
        time.sleep(0.1)  # the processor's worker is now waiting for the exporter
        assert receiver.spans() == []

        gate.set()
        assert provider.force_flush(5000)

        assert sorted(s.name for s in receiver.spans()) == ["first", "second"]
        provider.shutdown()


def test_an_exporter_that_cannot_be_built_is_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> None:
        raise ImportError("grpc is not installed")

    with caplog.at_level(logging.WARNING, logger="odibi.otel"):
        guarded = guarded_span_exporter(broken, ExportHealth(), "e")
        assert not guarded.ready(5)
        assert guarded.export([]) is SpanExportResult.FAILURE

    assert _warnings(caplog) == [
        "telemetry: cannot create the traces exporter, traces are not exported: "
        "ImportError: grpc is not installed"
    ]


def test_metric_preferences_follow_the_otlp_exporter_variables() -> None:
    from opentelemetry.sdk.metrics import Counter, Histogram
    from opentelemetry.sdk.metrics.export import AggregationTemporality
    from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation

    assert metric_preferences({}) == (
        {Counter: AggregationTemporality.CUMULATIVE, Histogram: AggregationTemporality.CUMULATIVE},
        {},
    )
    temporality, aggregation = metric_preferences(
        {
            "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE": "Delta",
            "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION": (
                "base2_exponential_bucket_histogram"
            ),
        }
    )
    assert temporality[Counter] is temporality[Histogram] is AggregationTemporality.DELTA
    assert isinstance(aggregation[Histogram], ExponentialBucketHistogramAggregation)


def test_exit_flush_gives_a_silent_collector_the_budget_then_drops_with_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider = HangingProvider()
    installed = Installed(
        exporters=[HangingExporter(provider)],
        health=ExportHealth(),
        endpoints=["http://127.0.0.1:4318/v1/traces"],
    )
    installed.tracer_provider = provider

    with caplog.at_level(logging.WARNING, logger="odibi.otel"):
        start = time.monotonic()
        clean = bounded_shutdown(installed, budget=0.5)
        elapsed = time.monotonic() - start

    assert not clean
    assert 0.45 <= elapsed < 0.5 + ABORT_GRACE_SECONDS + 1.0
    assert installed.exporters[0].aborted
    assert _warnings(caplog) == [
        "telemetry: the collector at http://127.0.0.1:4318/v1/traces did not answer "
        "within 0.5s at exit; the last spans and metrics were dropped"
    ]


def test_exit_flush_stops_waiting_as_soon_as_an_export_fails(
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider = HangingProvider()
    health = ExportHealth()
    installed = Installed(exporters=[HangingExporter(provider)], health=health, endpoints=["e"])
    installed.meter_provider = provider
    threading.Timer(0.2, health.trouble.set).start()  # e.g. the SDK logs "retrying in 1s"

    with caplog.at_level(logging.WARNING, logger="odibi.otel"):
        start = time.monotonic()
        assert not bounded_shutdown(installed, budget=30)
        elapsed = time.monotonic() - start

    assert elapsed < 5
    assert _warnings(caplog) == [
        "telemetry: cannot export to e (collector down or refusing); the last spans "
        "and metrics were dropped"
    ]


def test_exit_flush_is_clean_and_silent_when_the_collector_takes_everything(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class QuickProvider:
        def shutdown(self) -> None:
            pass

    installed = Installed(health=ExportHealth(), endpoints=["e"])
    installed.tracer_provider = QuickProvider()
    installed.health.trouble.set()  # a retry earlier in the run does not count at exit

    with caplog.at_level(logging.WARNING, logger="odibi.otel"):
        assert bounded_shutdown(installed, budget=5)
    assert _warnings(caplog) == []


def test_exit_flush_ends_when_the_last_provider_is_done_not_at_the_next_look(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The wait for the providers is woken by the last one finishing: with the interval at
    which it looks for failed exports made absurdly long, a flush of two providers (one of them
    slower) still ends with them."""
    from odibi_otel import activation

    monkeypatch.setattr(activation, "EXIT_POLL_SECONDS", 60.0)
    calls: list[str] = []

    class Provider:
        def __init__(self, name: str, delay: float) -> None:
            self.name, self.delay = name, delay

        def shutdown(self) -> None:
            time.sleep(self.delay)
            calls.append(self.name)

    installed = Installed(health=ExportHealth(), endpoints=["e"])
    installed.tracer_provider = Provider("traces", 0.0)
    installed.meter_provider = Provider("metrics", 0.3)

    start = time.monotonic()
    assert bounded_shutdown(installed, budget=120)
    assert time.monotonic() - start < 30  # not the 60 s look interval
    assert sorted(calls) == ["metrics", "traces"]


@pytest.fixture
def restore_sdk_loggers() -> Iterator[None]:
    saved = {
        name: (logging.getLogger(name).propagate, list(logging.getLogger(name).handlers))
        for name in SDK_LOGGERS
    }
    yield
    for name, (propagate, handlers) in saved.items():
        logging.getLogger(name).propagate = propagate
        logging.getLogger(name).handlers[:] = handlers


@pytest.mark.usefixtures("restore_sdk_loggers")
def test_sdk_exporter_log_lines_are_demoted_to_debug_and_signal_trouble(
    caplog: pytest.LogCaptureFixture,
) -> None:
    health = ExportHealth()
    capture_sdk_logs(health)

    # the "odibi" logger's level may have been set by an earlier configure_logging in this process
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="odibi.otel.sdk"):
        logging.getLogger("opentelemetry.exporter.otlp.common.http").warning(
            "Transient error %s encountered while exporting spans batch, retrying in %.2fs.",
            "refused",
            1.0,
        )

    assert health.trouble.is_set()
    assert [(r.name, r.levelno) for r in caplog.records] == [("odibi.otel.sdk", logging.DEBUG)]
    assert "retrying in 1.00s" in caplog.records[0].getMessage()
