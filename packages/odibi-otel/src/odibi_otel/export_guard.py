"""Exporters that can fail without anyone waiting: one warning line, a cool-down, an abort switch.

``GuardedSpanExporter`` and ``GuardedMetricExporter`` (built by the factories below) wrap the SDK's
OTLP exporters.
A failed export is reported once per process as a single warning line (through the redaction
registry); for a cool-down period afterwards batches are dropped at once instead of each one
waiting out the SDK's retries. :class:`ExportHealth` is shared by the exporters of a process and
is what the bounded exit flush watches. The SDK's own exporter log lines (several per failed
batch) are demoted to debug level, so a down collector costs one line on the console.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

logger = logging.getLogger("odibi.otel")

COOL_DOWN_SECONDS = 30.0
"""After a failed export, batches are dropped for this long instead of being retried."""

SDK_LOGGERS = ("opentelemetry.exporter", "opentelemetry.sdk")
"""Loggers of the SDK parts odibi-otel installs; their records go to ``odibi.otel.sdk`` at debug."""


class ExportHealth:
    """Shared export state of one process: failures, the one warning, the trouble signal."""

    def __init__(self, cool_down: float = COOL_DOWN_SECONDS) -> None:
        self.cool_down = cool_down
        self.trouble = threading.Event()
        """Set by any failed export or SDK warning (a retry is being waited out)."""
        self.failures = 0
        self._suspended_until = 0.0
        self._warned = False
        self._lock = threading.Lock()

    def failed(self, signal: str, endpoint: str) -> None:
        """Record a failed export of ``signal`` and warn (once per process)."""
        with self._lock:
            self.failures += 1
            self._suspended_until = time.monotonic() + self.cool_down
        self.trouble.set()
        self.warn(
            f"telemetry: cannot export {signal} to {endpoint} (collector down or refusing); "
            f"runs go on, telemetry is dropped"
        )

    def suspended(self) -> bool:
        """Whether exports are being skipped after a recent failure."""
        return time.monotonic() < self._suspended_until

    def warn(self, message: str) -> bool:
        """Log ``message`` as the process's one telemetry warning; ``False`` if one was logged."""
        from odibi_core.plugin import redact_text

        with self._lock:
            if self._warned:
                return False
            self._warned = True
        logger.warning("%s", redact_text(message))
        return True

    @property
    def warned(self) -> bool:
        """Whether the warning line was written."""
        return self._warned


EXPORTER_READY_SECONDS = 30.0
"""Longest an export waits for its exporter to be built (imports run in the background)."""


class _Guard:
    """What both guarded exporters share: a background-built inner exporter, failure accounting,
    abort.

    The SDK's OTLP exporter modules take tens of milliseconds of CPU to import (protobuf
    descriptors, an HTTP or gRPC client). They are imported and the exporter built in a daemon
    thread (see :meth:`start`), so the run starts at once; the first export (itself in the SDK's
    background thread) waits for it.
    """

    def __init__(
        self, factory: Callable[[], Any], health: ExportHealth, signal: str, endpoint: str
    ) -> None:
        self.health = health
        self.signal = signal
        self.endpoint = endpoint
        self.inner: Any = None
        self._ready = threading.Event()
        self._closed = False
        self._close_lock = threading.Lock()
        self._started = False
        self._builder = threading.Thread(
            target=self._build, args=(factory,), name=f"odibi-otel-{signal}-exporter", daemon=True
        )

    def start(self) -> None:
        """Start building the inner exporter in the background (once; later calls do nothing).

        Started by whoever installs the exporter once its own set-up is done, so the build's
        imports do not compete for the interpreter with that set-up. An export starts it too.
        """
        with self._close_lock:
            if self._started:
                return
            self._started = True
        try:
            self._builder.start()
        except RuntimeError:  # no new threads at interpreter shutdown: nothing will be exported
            logger.debug("%s exporter build could not start", self.signal, exc_info=True)
            self._ready.set()

    def _build(self, factory: Callable[[], Any]) -> None:
        try:
            inner = factory()
        except Exception as exc:
            from odibi_core.plugin import redact_text

            self.health.warn(
                f"telemetry: cannot create the {self.signal} exporter, {self.signal} are not "
                f"exported: {redact_text(f'{type(exc).__name__}: {exc}')}"
            )
            logger.debug("%s exporter creation failed", self.signal, exc_info=True)
        else:
            with self._close_lock:
                self.inner = inner
                closed = self._closed
            if closed:
                _shutdown(inner, self.signal)
        finally:
            self._ready.set()

    def ready(self, timeout: float | None = None) -> bool:
        """Wait until the inner exporter is built (or failed to build); ``True`` if it exists."""
        self.start()
        self._ready.wait(timeout)
        return self.inner is not None

    def _call(self, export: Callable[[Any], Any], success: Any, failure: Any) -> Any:
        if (
            self._closed
            or self.health.suspended()
            or not self.ready(EXPORTER_READY_SECONDS)
            or self._closed
        ):
            return failure
        try:
            result = export(self.inner)
        except Exception:
            logger.debug("%s exporter raised", self.signal, exc_info=True)
            result = failure
        if result is not success and not self._closed:
            self.health.failed(self.signal, self.endpoint)
        return result

    def abort(self) -> None:
        """Shut the inner exporter down now: a retry being waited out returns at once."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
            inner = self.inner
        if inner is not None:
            _shutdown(inner, self.signal)


def _shutdown(inner: Any, signal: str) -> None:
    try:
        inner.shutdown()
    except Exception:
        logger.debug("%s exporter shutdown raised", signal, exc_info=True)


def guarded_span_exporter(factory: Callable[[], Any], health: ExportHealth, endpoint: str) -> Any:
    """A ``SpanExporter`` around the one ``factory`` builds (in the background)."""
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    class GuardedSpanExporter(SpanExporter, _Guard):
        """A span exporter that reports failures once and can be aborted."""

        def __init__(self) -> None:
            _Guard.__init__(self, factory, health, "traces", endpoint)

        def export(self, spans: Sequence[Any]) -> SpanExportResult:
            return self._call(
                lambda inner: inner.export(spans),
                SpanExportResult.SUCCESS,
                SpanExportResult.FAILURE,
            )

        def shutdown(self) -> None:
            self.abort()

        def force_flush(self, timeout_millis: int = 30000) -> bool:
            return True  # nothing is buffered here; the processor in front holds the spans

    return GuardedSpanExporter()


def guarded_metric_exporter(
    factory: Callable[[], Any],
    health: ExportHealth,
    endpoint: str,
    environ: Mapping[str, str] | None = None,
) -> Any:
    """A ``MetricExporter`` around the one ``factory`` builds (in the background).

    Its temporality and histogram aggregation follow the OTLP exporter variables
    (``OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE``,
    ``OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION``), as the OTLP exporter's own do.
    """
    from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult

    temporality, aggregation = metric_preferences(environ)

    class GuardedMetricExporter(MetricExporter, _Guard):
        """A metric exporter that reports failures once and can be aborted."""

        def __init__(self) -> None:
            MetricExporter.__init__(
                self, preferred_temporality=temporality, preferred_aggregation=aggregation
            )
            _Guard.__init__(self, factory, health, "metrics", endpoint)

        def export(
            self, metrics_data: Any, timeout_millis: float = 10_000, **kwargs: Any
        ) -> MetricExportResult:
            return self._call(
                lambda inner: inner.export(metrics_data, timeout_millis=timeout_millis, **kwargs),
                MetricExportResult.SUCCESS,
                MetricExportResult.FAILURE,
            )

        def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
            self.abort()

        def force_flush(self, timeout_millis: float = 10_000) -> bool:
            return True

    return GuardedMetricExporter()


def metric_preferences(
    environ: Mapping[str, str] | None = None,
) -> tuple[dict[type, Any], dict[type, Any]]:
    """Temporality and aggregation preferences for Odibi's instruments (counters, histograms)."""
    import os

    from opentelemetry.sdk.metrics import Counter, Histogram
    from opentelemetry.sdk.metrics.export import AggregationTemporality
    from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation

    env = os.environ if environ is None else environ
    preference = (
        env.get("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "cumulative").strip().lower()
    )
    kind = (
        AggregationTemporality.DELTA
        if preference in ("delta", "lowmemory")
        else AggregationTemporality.CUMULATIVE
    )
    temporality: dict[type, Any] = {Counter: kind, Histogram: kind}
    histograms = (
        env.get("OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION", "").strip().lower()
    )
    aggregation: dict[type, Any] = (
        {Histogram: ExponentialBucketHistogramAggregation()}
        if histograms == "base2_exponential_bucket_histogram"
        else {}
    )
    return temporality, aggregation


class SdkLogCapture(logging.Handler):
    """Receives the SDK exporters' log records: flags trouble, re-logs them at debug level."""

    def __init__(self, health: ExportHealth) -> None:
        super().__init__(logging.DEBUG)
        self.health = health
        self._target = logging.getLogger("odibi.otel.sdk")

    def emit(self, record: logging.LogRecord) -> None:
        """Forward ``record`` to ``odibi.otel.sdk`` at debug; a warning or worse signals trouble."""
        if record.levelno >= logging.WARNING:
            self.health.trouble.set()
        if self._target.isEnabledFor(logging.DEBUG):
            with contextlib.suppress(
                Exception
            ):  # a record that cannot be rendered is not worth a crash
                self._target.debug("%s: %s", record.name, record.getMessage())


def capture_sdk_logs(health: ExportHealth) -> None:
    """Route the SDK exporters' and processors' log records through :class:`SdkLogCapture`."""
    handler = SdkLogCapture(health)
    for name in SDK_LOGGERS:
        sdk_logger = logging.getLogger(name)
        sdk_logger.addHandler(handler)
        sdk_logger.propagate = False
