"""The odibi-otel plugin: lifecycle wrappers and doctor lines (the ``odibi.plugins`` entry point).

This module imports only the kernel's light modules; OpenTelemetry is imported the first time a
pipeline runs with telemetry on. Which providers are used is decided once per plugin instance,
at that first run (see :mod:`odibi_otel.activation`); with telemetry off each wrapper is a bare
``yield``.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

from odibi_core.plugin import hookimpl

if TYPE_CHECKING:
    from odibi_core.plugin import (
        DoctorCheck,
        NodeResult,
        NodeRunContext,
        PipelineRunContext,
        RunResult,
    )

    from odibi_otel.telemetry import Telemetry

_UNSET: Any = object()


class OtelPlugin:
    """Traces and measures every pipeline run and node execution.

    Args:
        telemetry: Use this :class:`~odibi_otel.telemetry.Telemetry` (tests, hosts that manage
            their own providers) instead of deciding from the environment at the first run.
        environ: Environment to read the ``OTEL_*`` variables from (default: ``os.environ``).
    """

    ODIBI_PLUGIN_API = "1.0"
    """The odibi plugin API this plugin was built for (the entry point names an instance)."""

    def __init__(
        self, telemetry: Telemetry | None = _UNSET, environ: Mapping[str, str] | None = None
    ) -> None:
        self._telemetry = telemetry
        self._environ = environ
        self._lock = threading.Lock()

    def telemetry(self) -> Telemetry | None:
        """The telemetry in use, deciding it on first call; ``None`` when telemetry is off."""
        telemetry = self._telemetry
        if telemetry is _UNSET:
            with self._lock:
                if self._telemetry is _UNSET:
                    from odibi_otel.activation import activate

                    self._telemetry = activate(self._environ)
                telemetry = self._telemetry
        return telemetry

    @hookimpl(wrapper=True)
    def odibi_run_pipeline(
        self, context: PipelineRunContext
    ) -> Generator[None, RunResult, RunResult]:
        """Open the ``run <pipeline>`` span around the run; record the pipeline metrics."""
        telemetry = self.telemetry()
        if telemetry is None:
            return (yield)
        try:
            return (yield from telemetry.pipeline(context))
        finally:
            from odibi_otel.activation import wait_for_exporters

            wait_for_exporters()

    @hookimpl(wrapper=True)
    def odibi_run_node(self, context: NodeRunContext) -> Generator[None, NodeResult, NodeResult]:
        """Open the ``node <name>`` span (a child of the run's) around the node; record metrics."""
        telemetry = self._telemetry
        if telemetry is None:  # decided: off
            return (yield)
        if telemetry is _UNSET:  # a node run outside a pipeline wrapper (tests, embedding hosts)
            telemetry = self.telemetry()
            if telemetry is None:
                return (yield)
        return (yield from telemetry.node(context))

    @hookimpl
    def odibi_doctor_checks(self) -> list[DoctorCheck]:
        """The telemetry configuration in effect, header values masked."""
        from odibi_otel.doctor import telemetry_checks

        return telemetry_checks(self._environ)


plugin = OtelPlugin()
"""The instance registered through the ``odibi.plugins`` entry point."""
