"""Exporters that can fail without anyone waiting: one warning line, a cool-down, an abort switch.

:class:`GuardedSpanExporter` and :class:`GuardedMetricExporter` wrap the SDK's OTLP exporters.
A failed export is reported once per process as a single warning line (through the redaction
registry); for a cool-down period afterwards batches are dropped at once instead of each one
waiting out the SDK's retries. :class:`ExportHealth` is shared by the exporters of a process and
is what the bounded exit flush watches. The SDK's own exporter log lines (several per failed
batch) are demoted to debug level, so a down collector costs one line on the console.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
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
        self.warn(f"telemetry: cannot export {signal} to {endpoint} (collector down or refusing); "
                  f"runs go on, telemetry is dropped")

    def suspended(self) -> bool:
        """Whether exports are being skipped after a recent failure."""
        return time.monotonic() < self._suspended_until

    def warn(self, message: str) -> bool:
        """Log ``message`` as the process's one telemetry warning; ``False`` if one was logged."""
        from odibi_core.redaction import redact_text

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


class _Guard:
    """What both guarded exporters share: delegation, failure accounting, abort."""

    def __init__(self, inner: Any, health: ExportHealth, signal: str, endpoint: str) -> None:
        self.inner = inner
        self.health = health
        self.signal = signal
        self.endpoint = endpoint
        self._closed = False
        self._close_lock = threading.Lock()

    def _call(self, export: Any, success: Any, failure: Any) -> Any:
        if self._closed or self.health.suspended():
            return failure
        try:
            result = export()
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
        try:
            self.inner.shutdown()
        except Exception:
            logger.debug("%s exporter shutdown raised", self.signal, exc_info=True)


def guarded_span_exporter(inner: Any, health: ExportHealth, endpoint: str) -> Any:
    """Wrap an SDK ``SpanExporter`` (built here so the SDK is imported only when needed)."""
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    class GuardedSpanExporter(SpanExporter, _Guard):
        """A span exporter that reports failures once and can be aborted."""

        def __init__(self) -> None:
            _Guard.__init__(self, inner, health, "traces", endpoint)

        def export(self, spans: Sequence[Any]) -> SpanExportResult:
            return self._call(lambda: self.inner.export(spans), SpanExportResult.SUCCESS,  # type: ignore[no-any-return]
                              SpanExportResult.FAILURE)

        def shutdown(self) -> None:
            self.abort()

        def force_flush(self, timeout_millis: int = 30000) -> bool:
            return bool(self.inner.force_flush(timeout_millis))

    return GuardedSpanExporter()


def guarded_metric_exporter(inner: Any, health: ExportHealth, endpoint: str) -> Any:
    """Wrap an SDK ``MetricExporter``, keeping its temporality and aggregation preferences."""
    from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult

    class GuardedMetricExporter(MetricExporter, _Guard):
        """A metric exporter that reports failures once and can be aborted."""

        def __init__(self) -> None:
            MetricExporter.__init__(self, preferred_temporality=getattr(inner, "_preferred_temporality", None),
                                    preferred_aggregation=getattr(inner, "_preferred_aggregation", None))
            _Guard.__init__(self, inner, health, "metrics", endpoint)

        def export(self, metrics_data: Any, timeout_millis: float = 10_000, **kwargs: Any) -> MetricExportResult:
            return self._call(  # type: ignore[no-any-return]
                lambda: self.inner.export(metrics_data, timeout_millis=timeout_millis, **kwargs),
                MetricExportResult.SUCCESS, MetricExportResult.FAILURE)

        def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
            self.abort()

        def force_flush(self, timeout_millis: float = 10_000) -> bool:
            return bool(self.inner.force_flush(timeout_millis=timeout_millis))

    return GuardedMetricExporter()


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
            try:
                self._target.debug("%s: %s", record.name, record.getMessage())
            except Exception:  # a record that cannot be rendered is not worth a crash
                pass


def capture_sdk_logs(health: ExportHealth) -> None:
    """Route the SDK exporters' and processors' log records through :class:`SdkLogCapture`."""
    handler = SdkLogCapture(health)
    for name in SDK_LOGGERS:
        sdk_logger = logging.getLogger(name)
        sdk_logger.addHandler(handler)
        sdk_logger.propagate = False
