"""Decide, once per process, whether and how runs are traced and measured.

* ``OTEL_SDK_DISABLED=true``: nothing (not even an OpenTelemetry import).
* A tracer or meter provider already set by the host application: used as is, per signal.
* Otherwise, for each signal the ``OTEL_*`` variables select: an SDK provider with a guarded OTLP
  exporter (http/protobuf or grpc) is installed as the global provider, and a bounded flush is
  registered for process exit.
* Nothing configured and no host provider: nothing (the wrappers pass straight through).
"""

from __future__ import annotations

import atexit
import gc
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from odibi_otel.settings import (
    EXIT_FLUSH_SECONDS,
    SignalSettings,
    TelemetrySettings,
    register_header_secrets,
)

logger = logging.getLogger("odibi.otel")

ABORT_GRACE_SECONDS = 0.2
"""After aborting the exporters at exit, how long the shutdown threads are given to return."""

SPAN_EXPORT_DELAY_MILLIS = 1000
"""How long a finished span waits to be exported with the next batch (the SDK's default is 5 s).

Spans leave during the run, in the exporter's background thread, so the exit flush only has the
last second's; ``OTEL_BSP_SCHEDULE_DELAY`` overrides it.
"""

EXIT_POLL_SECONDS = 0.005
"""How often the exit flush looks whether an export failed (a provider that finishes wakes it
at once)."""


@dataclass
class Installed:
    """Providers odibi-otel installed itself, and what the exit flush needs to stop them."""

    tracer_provider: Any = None
    meter_provider: Any = None
    exporters: list[Any] = field(default_factory=list)
    health: Any = None
    endpoints: list[str] = field(default_factory=list)

    @property
    def providers(self) -> list[Any]:
        """The installed providers."""
        return [p for p in (self.tracer_provider, self.meter_provider) if p is not None]


def activate(environ: Mapping[str, str] | None = None) -> Any:
    """Return a :class:`~odibi_otel.telemetry.Telemetry`, or ``None`` when telemetry is off.

    Never raises: a failure to set telemetry up is one warning line and telemetry stays off.
    """
    settings = TelemetrySettings.from_env(environ)
    if settings.disabled:
        return None
    try:
        register_header_secrets(environ)
        host_tracer, host_meter = host_providers()
        problems = [p for s in settings.signals for p in s.problems] + list(settings.problems)
        if problems:
            logger.warning(
                "telemetry: %s; the affected signal is not exported", "; ".join(problems)
            )
        if host_tracer is None and host_meter is None and not settings.wants_export:
            return None
        with collector_paused():
            installed = install(
                settings,
                traces=host_tracer is None and settings.traces.enabled,
                metrics=host_meter is None and settings.metrics.enabled,
            )
            tracer_provider = host_tracer or installed.tracer_provider
            meter_provider = host_meter or installed.meter_provider
            if tracer_provider is None and meter_provider is None:
                return None
            from odibi_otel.telemetry import Telemetry

            return Telemetry(tracer_provider, meter_provider)
    except Exception as exc:
        from odibi_core.plugin import redact_text

        logger.warning(
            "telemetry: set-up failed, runs go on without it: %s",
            redact_text(f"{type(exc).__name__}: {exc}"),
        )
        logger.debug("telemetry set-up failure", exc_info=True)
        return None


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the SDK is imported and set up.

    Importing the SDK builds a few thousand long-lived objects (modules, classes, descriptors);
    the collector would scan the process's whole, already large, object graph again and again
    while they are created. The collector's previous state is restored afterwards; the set-up's
    objects are collected normally from then on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def host_providers() -> tuple[Any, Any]:
    """The tracer and meter providers the host application set globally (``None`` if not set).

    Only looked at when the OpenTelemetry API is already imported: a host that configured a
    provider has imported it, so a process that has not pays nothing here.
    """
    if "opentelemetry.trace" not in sys.modules and "opentelemetry.metrics" not in sys.modules:
        return None, None
    from opentelemetry import metrics, trace

    tracer_provider: Any = trace.get_tracer_provider()
    if isinstance(tracer_provider, trace.ProxyTracerProvider):
        tracer_provider = None
    meter_provider: Any = metrics.get_meter_provider()
    if type(meter_provider).__name__ == "_ProxyMeterProvider":  # the API's "nothing set" stand-in
        meter_provider = None
    return tracer_provider, meter_provider


def install(settings: TelemetrySettings, *, traces: bool, metrics: bool) -> Installed:
    """Install SDK providers with guarded OTLP exporters for the requested signals."""
    installed = Installed()
    if not traces and not metrics:
        return installed
    from opentelemetry.sdk.resources import Resource

    from odibi_otel.export_guard import ExportHealth, capture_sdk_logs

    installed.health = ExportHealth()
    capture_sdk_logs(installed.health)
    resource = Resource.create({"service.name": settings.service_name})
    if traces:
        _install_traces(settings.traces, resource, installed)
    if metrics:
        _install_metrics(settings.metrics, resource, installed)
    for exporter in installed.exporters:  # set-up done: the imports of the builds compete no more
        exporter.start()
    atexit.register(bounded_shutdown, installed, EXIT_FLUSH_SECONDS)
    _INSTALLED.append(installed)
    return installed


_INSTALLED: list[Installed] = []


def wait_for_exporters(budget: float = EXIT_FLUSH_SECONDS) -> None:
    """Wait (at most ``budget`` seconds in all) until the exporters built in the background exist.

    Called when a pipeline run ends, while the interpreter still runs normally: an exporter whose
    build is still going at interpreter exit cannot start the threads its client needs, and the
    spans of a short run would be lost. Returns at once when the exporters are already built.
    """
    deadline = time.monotonic() + budget
    for installed in list(_INSTALLED):
        for exporter in installed.exporters:
            exporter.ready(max(0.0, deadline - time.monotonic()))


def batch_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Arguments of the ``BatchSpanProcessor``: Odibi's export delay unless
    ``OTEL_BSP_SCHEDULE_DELAY`` sets one in ``environ`` (default: ``os.environ``, where the SDK
    reads it and every other ``OTEL_BSP_*`` variable)."""
    env = os.environ if environ is None else environ
    if env.get("OTEL_BSP_SCHEDULE_DELAY"):
        return {}
    return {"schedule_delay_millis": SPAN_EXPORT_DELAY_MILLIS}


def _install_traces(signal: SignalSettings, resource: Any, installed: Installed) -> None:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from odibi_otel.export_guard import guarded_span_exporter

    def build() -> Any:
        if signal.protocol == "grpc":
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
                OTLPSpanExporter as GrpcExporter,
            )

            return GrpcExporter(endpoint=signal.endpoint)
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
            OTLPSpanExporter as HttpExporter,
        )

        return http_exporter(HttpExporter, signal)

    exporter = guarded_span_exporter(build, installed.health, signal.endpoint)
    provider = TracerProvider(resource=resource, shutdown_on_exit=False)
    provider.add_span_processor(BatchSpanProcessor(exporter, **batch_settings()))
    trace.set_tracer_provider(provider)
    installed.tracer_provider = provider
    installed.exporters.append(exporter)
    installed.endpoints.append(signal.endpoint)


def _install_metrics(signal: SignalSettings, resource: Any, installed: Installed) -> None:
    from opentelemetry import metrics
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

    from odibi_otel.export_guard import guarded_metric_exporter

    def build() -> Any:
        if signal.protocol == "grpc":
            from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import (
                OTLPMetricExporter as GrpcExporter,
            )

            return GrpcExporter(endpoint=signal.endpoint)
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import (
            OTLPMetricExporter as HttpExporter,
        )

        return http_exporter(HttpExporter, signal)

    exporter = guarded_metric_exporter(build, installed.health, signal.endpoint)
    provider = MeterProvider(
        resource=resource,
        metric_readers=[PeriodicExportingMetricReader(exporter)],
        shutdown_on_exit=False,
    )
    metrics.set_meter_provider(provider)
    installed.meter_provider = provider
    installed.exporters.append(exporter)
    installed.endpoints.append(signal.endpoint)


def http_exporter(exporter_class: Any, signal: SignalSettings) -> Any:
    """An OTLP/HTTP exporter for ``signal`` that sends through the standard library's
    ``http.client`` (:mod:`odibi_otel.http_transport`) where that gives what the SDK's default
    ``requests`` client would, sparing the ``requests`` import; otherwise the SDK's default."""
    try:
        from odibi_otel.http_transport import stdlib_transport
    except ImportError:  # an exporter release without pluggable transports
        return exporter_class(endpoint=signal.endpoint)
    transport = stdlib_transport(signal.signal, signal.endpoint)
    if transport is not None:
        try:
            return exporter_class(endpoint=signal.endpoint, _transport=transport)
        except TypeError:  # the release has the transports but not the argument
            pass
    return exporter_class(endpoint=signal.endpoint)


def bounded_shutdown(installed: Installed, budget: float) -> bool:
    """Flush and shut the installed providers down within ``budget`` seconds; ``True`` if clean.

    Each provider shuts down in its own daemon thread. The wait ends early, and pending exports
    are aborted, as soon as an export fails or the SDK starts waiting out a retry; a collector
    that neither answers nor refuses is given the whole budget. What was not accepted by then is
    dropped with one warning line (unless one was already written).
    """
    health = installed.health
    health.trouble.clear()
    done = _Countdown(len(installed.providers))  # the wait ends as the last provider is done
    threads = [
        threading.Thread(
            target=_shutdown_quietly, args=(p, done), name="odibi-otel-exit", daemon=True
        )
        for p in installed.providers
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + budget
    while not done.finished.is_set():
        remaining = deadline - time.monotonic()
        if remaining <= 0 or health.trouble.is_set():
            break
        done.finished.wait(min(remaining, EXIT_POLL_SECONDS))
    refused = health.trouble.is_set()
    clean = not refused and done.finished.is_set()
    if not clean:
        for exporter in installed.exporters:
            exporter.abort()
        stop = time.monotonic() + ABORT_GRACE_SECONDS
        for thread in threads:
            thread.join(max(0.0, stop - time.monotonic()))
        where = ", ".join(dict.fromkeys(installed.endpoints))
        health.warn(
            f"telemetry: cannot export to {where} (collector down or refusing); the last spans and "
            f"metrics were dropped"
            if refused
            else f"telemetry: the collector at {where} did not answer within {budget:g}s at exit; "
            f"the last spans and metrics were dropped"
        )
    return clean


class _Countdown:
    """Sets :attr:`finished` once :meth:`count` was called ``n`` times (from any threads)."""

    def __init__(self, n: int) -> None:
        self.finished = threading.Event()
        self._left = n
        self._lock = threading.Lock()
        if n <= 0:
            self.finished.set()

    def count(self) -> None:
        """One more is done."""
        with self._lock:
            self._left -= 1
            if self._left <= 0:
                self.finished.set()


def _shutdown_quietly(provider: Any, done: _Countdown) -> None:
    try:
        provider.shutdown()
    except Exception:
        logger.debug("telemetry provider shutdown failed", exc_info=True)
    finally:
        done.count()
